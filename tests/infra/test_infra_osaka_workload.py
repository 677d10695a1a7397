"""MP-AVL-01: the Osaka workload for a Tokyo-lost DR (docs/decisions/0039).

One synthesis for the module: `-c workloadRegion=ap-northeast-3` with production switched to a
restored Osaka table (`-c servingTable.production-osaka=…`). Both environments get a
`…-Workload-osaka` stack in ap-northeast-3 whose names end `-osaka` (no clash with Tokyo's
global S3/IAM/CloudFront names), whose distributions claim no alias (CNAMEAlreadyExists) and own
no DNS record, and whose operations role restores from the Osaka DR bucket.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.app import CLAIM_ALIASES_CONTEXT, SERVING_TABLE_CONTEXT, WORKLOAD_REGION_CONTEXT
from manabi_infra.config import (
    ENVIRONMENTS,
    OSAKA,
    PRODUCTION,
    TOKYO,
    EnvName,
    osaka_workload,
)
from manabi_infra.deploy import WorkloadPlace, deploy
from manabi_infra.synth import REPO_ROOT, ensure_synth

from .conftest import SynthesizedStack
from .policy_model import (
    Decision,
    Request,
    Statement,
    Template,
    allowed,
    copy_object,
    evaluate_all,
)

pytestmark = pytest.mark.infra

RESTORED = "prod-manabiplus-table-osaka-restored-2026-12-03"
GLOBAL_NAMES = {
    "AWS::S3::Bucket": "BucketName",
    "AWS::IAM::Role": "RoleName",
    "AWS::CloudFront::Function": "Name",
    # dashboards are per account, listed in every region: Osaka's must not take Tokyo's names
    "AWS::CloudWatch::Dashboard": "DashboardName",
}
NAMED = {
    **GLOBAL_NAMES,
    "AWS::Lambda::Function": "FunctionName",
    "AWS::DynamoDB::Table": "TableName",
    "AWS::SQS::Queue": "QueueName",
    "AWS::SNS::Topic": "TopicName",
    "AWS::ApiGateway::RestApi": "Name",
    "AWS::WAFv2::WebACL": "Name",
    "AWS::SecretsManager::Secret": "Name",
}


@pytest.fixture(scope="module")
def osaka_assembly() -> Path:
    context = {
        WORKLOAD_REGION_CONTEXT: OSAKA,
        f"{SERVING_TABLE_CONTEXT}.{EnvName.PRODUCTION}-osaka": RESTORED,
    }
    return ensure_synth(REPO_ROOT / "build" / "cdk.out.osaka", context)


@pytest.fixture(scope="module")
def manifest(osaka_assembly: Path) -> dict[str, Any]:
    found: dict[str, Any] = json.loads((osaka_assembly / "manifest.json").read_text())["artifacts"]
    return found


@pytest.fixture(scope="module")
def osaka_stacks(osaka_assembly: Path) -> dict[EnvName, SynthesizedStack]:
    found = {}
    for env, config in ENVIRONMENTS.items():
        dr_config = osaka_workload(config)
        stack_id = names.workload_stack_id(dr_config)
        template = json.loads((osaka_assembly / f"{stack_id}.template.json").read_text())
        found[env] = SynthesizedStack(dr_config, template, stack_id)
    return found


def _named(stack: SynthesizedStack, kinds: dict[str, str]) -> set[str]:
    return {
        r["Properties"][prop]
        for kind, prop in kinds.items()
        for r in stack.of_type(kind).values()
        if isinstance(r["Properties"].get(prop), str)
    }


def test_mp_avl_01_osaka_workload_stack_in_osaka_with_osaka_names(
    manifest: dict[str, Any],
    osaka_stacks: dict[EnvName, SynthesizedStack],
    stacks: dict[EnvName, SynthesizedStack],
) -> None:
    for env, osaka in osaka_stacks.items():
        assert osaka.stack_id == f"{ENVIRONMENTS[env].stack_prefix}-Workload-osaka"
        artifact = manifest[osaka.stack_id]
        assert artifact["environment"] == f"aws://{ENVIRONMENTS[env].account}/{OSAKA}"
        # it restores from the DR bucket, so the DR stack comes first
        assert names.dr_stack_id(ENVIRONMENTS[env]) in artifact["dependencies"]
        named = _named(osaka, NAMED)
        assert len(named) > 30
        assert all("-osaka" in n for n in named), sorted(n for n in named if "-osaka" not in n)
        tokyo = _named(stacks[env], GLOBAL_NAMES)
        assert not (_named(osaka, GLOBAL_NAMES) & tokyo)
        assert osaka.names.data_bucket == f"{ENVIRONMENTS[env].prefix}-manabiplus-data-osaka"
        # the Tokyo workload is still in the assembly, unchanged, in Tokyo
        tokyo_id = names.workload_stack_id(ENVIRONMENTS[env])
        assert manifest[tokyo_id]["environment"].endswith(f"/{TOKYO}")


def test_mp_avl_01_osaka_distributions_claim_no_alias_and_no_dns_record(
    osaka_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    """Two distributions cannot hold one alias: until the operator moves the names (runbook §5)
    the Osaka distributions answer on *.cloudfront.net and the Tokyo stack keeps the records."""
    for osaka in osaka_stacks.values():
        distributions = osaka.of_type("AWS::CloudFront::Distribution").values()
        assert len(distributions) == 2
        for d in distributions:
            assert "Aliases" not in d["Properties"]["DistributionConfig"]
        assert not [t for t in (r["Type"] for r in osaka.resources.values()) if "Route53" in t]
        # CORS still allows the site's origin the users will come back on
        assert ENVIRONMENTS[osaka.config.name].web_origin in json.dumps(osaka.template)


def test_mp_avl_01_with_claim_aliases_the_osaka_distributions_take_the_sites_names() -> None:
    """runbook §5, after the Tokyo distributions released the names: `-c claimAliases=true`
    (make deploy … CLAIM_ALIASES=1) synthesizes (cdk-nag included) Osaka distributions on the
    site's and the API's names with the edge certificate, and the A/AAAA alias records."""
    context = {WORKLOAD_REGION_CONTEXT: OSAKA, CLAIM_ALIASES_CONTEXT: "true"}
    assembly = ensure_synth(REPO_ROOT / "build" / "cdk.out.osaka-claimed", context)
    report = json.loads((assembly / "validation-report.json").read_text())
    conclusions = {p["pluginName"]: p["conclusion"] for p in report["pluginReports"]}
    assert conclusions == {"AwsSolutions": "success", "NIST.800.53.R5": "success"}
    for config in ENVIRONMENTS.values():
        stack_id = names.workload_stack_id(osaka_workload(config, claim_aliases=True))
        template = json.loads((assembly / f"{stack_id}.template.json").read_text())
        osaka = SynthesizedStack(osaka_workload(config, claim_aliases=True), template, stack_id)
        aliases = sorted(
            alias
            for d in osaka.of_type("AWS::CloudFront::Distribution").values()
            for alias in d["Properties"]["DistributionConfig"]["Aliases"]
        )
        assert aliases == sorted([config.domain, config.api_domain])
        for d in osaka.of_type("AWS::CloudFront::Distribution").values():
            certificate = d["Properties"]["DistributionConfig"]["ViewerCertificate"]
            assert certificate["SslSupportMethod"] == "sni-only"
            assert "AcmCertificateArn" in certificate
        records = [
            (r["Properties"]["Name"], r["Properties"]["Type"])
            for r in osaka.of_type("AWS::Route53::RecordSet").values()
        ]
        for name in (config.domain, config.api_domain):
            assert (f"{name}.", "A") in records, records
            assert (f"{name}.", "AAAA") in records, records


def test_mp_avl_01_osaka_claims_the_names_only_when_told() -> None:
    assert not osaka_workload(PRODUCTION).claim_aliases
    claimed = osaka_workload(PRODUCTION, claim_aliases=True)
    assert (claimed.claim_aliases, claimed.workload_region) == (True, OSAKA)
    assert not claimed.replicate_backups  # its DR bucket is in Osaka already


def test_mp_rst_01_osaka_functions_serve_the_switched_table(
    osaka_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    """`servingTable.production-osaka` switches the Osaka workload's functions only."""
    for env, expected in (
        (EnvName.PRODUCTION, RESTORED),
        (EnvName.STAGING, "stag-manabiplus-table-osaka"),
    ):
        osaka = osaka_stacks[env]
        template = Template(osaka.template, region=OSAKA)
        served = {
            f["Properties"]["FunctionName"]: template.resolve(
                f["Properties"]["Environment"]["Variables"]["TABLE_NAME"]
            )
            for f in osaka.of_type("AWS::Lambda::Function").values()
            if "TABLE_NAME" in f["Properties"].get("Environment", {}).get("Variables", {})
        }
        n = osaka.names
        assert {n.api_function, n.scan_function, n.backup_function} <= set(served)
        assert set(served.values()) == {expected}, served


def test_mp_rst_01_osaka_operations_role_restores_from_the_dr_bucket(
    osaka_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    for osaka in osaka_stacks.values():
        template = Template(osaka.template, region=OSAKA)
        role = f"{osaka.names.access_role_prefix}-operations"
        ops = template.role_arn(role)
        key = "submissions/c/a/l/u"
        statements = template.identity_statements(role) + template.bucket_statements(
            osaka.names.data_bucket
        )
        for source, expected in (
            (osaka.names.dr_backup_bucket, True),
            (osaka.names.backup_bucket, True),
            (names.resource_names(ENVIRONMENTS[osaka.config.name]).data_bucket, False),
        ):
            call = copy_object(
                ops,
                (source, f"data/2026-12-03/objects/{key}"),
                (osaka.names.data_bucket, key),
                source_tags={"av-status": "CLEAN"},
            )
            outcomes = evaluate_all(statements, call)
            assert allowed(outcomes) is expected, (source, [str(o) for o in outcomes])


def test_mp_avl_01_osaka_operations_role_restores_the_table_in_osaka_only(
    osaka_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    """restore-table in Osaka creates and hardens `<table>-osaka-restored-*` in ap-northeast-3;
    not a Tokyo-named table, not in Tokyo; the table the Osaka functions serve keeps its items
    and no table is deleted."""
    for env, osaka in osaka_stacks.items():
        template = Template(osaka.template, region=OSAKA)
        role = f"{osaka.names.access_role_prefix}-operations"
        ops = template.role_arn(role)
        statements = template.identity_statements(role)

        def decide(
            action: str,
            table: str,
            region: str = OSAKA,
            *,
            ops: str = ops,
            statements: list[Statement] = statements,
            account: str = osaka.config.account,
        ) -> Decision:
            arn = f"arn:aws:dynamodb:{region}:{account}:table/{table}"
            (outcome,) = evaluate_all(statements, [Request(ops, action, arn)])
            return outcome.decision

        new = f"{osaka.names.table}-restored-2026-12-04"
        serving = RESTORED if env is EnvName.PRODUCTION else osaka.names.table
        tokyo_table = names.resource_names(ENVIRONMENTS[env]).table
        for action in (
            "ImportTable",
            "UpdateTable",
            "UpdateContinuousBackups",
            "TagResource",
            "DescribeTable",
        ):
            assert decide(f"dynamodb:{action}", new) is Decision.ALLOW, (env, action)
        assert decide("dynamodb:RestoreTableToPointInTime", serving) is Decision.ALLOW
        assert decide("dynamodb:PutItem", serving) is Decision.ALLOW  # restore-data --table
        assert decide("dynamodb:DeleteItem", serving) is Decision.EXPLICIT_DENY
        assert decide("dynamodb:ImportTable", new, TOKYO) is not Decision.ALLOW
        assert decide("dynamodb:ImportTable", f"{tokyo_table}-restored-x") is not Decision.ALLOW
        for table in (new, serving, osaka.names.table):
            assert decide("dynamodb:DeleteTable", table) is not Decision.ALLOW


def test_mp_avl_01_coming_back_tokyo_restores_from_the_osaka_backup_bucket(
    stacks: dict[EnvName, SynthesizedStack],
    osaka_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    """The return to Tokyo (docs/dr-runbook.md): the Tokyo operations role reads the Osaka
    workload's backup bucket (its exports for ImportTable, its copies) and copies a copy WITH its
    verdicts into the Tokyo data bucket, by the Tokyo role's policy, the Tokyo data bucket's and
    the Osaka backup bucket's policies together."""
    key = "submissions/c/a/l/u"
    for env, tokyo in stacks.items():
        osaka = osaka_stacks[env]
        t, o = Template(tokyo.template), Template(osaka.template, region=OSAKA)
        role = f"{tokyo.names.access_role_prefix}-operations"
        ops = t.role_arn(role)
        osaka_backups = o.bucket_statements(osaka.names.backup_bucket)
        assert osaka_backups, "the Osaka backup bucket has its own policy"
        statements = (
            t.identity_statements(role)
            + t.bucket_statements(tokyo.names.data_bucket)
            + osaka_backups
        )
        export = (
            f"arn:aws:s3:::{osaka.names.backup_bucket}/dynamodb/{RESTORED}/2026-12-10/"
            "AWSDynamoDB/01765300000000-abcd/data/part.json.gz"
        )
        for tags in ({"av-status": "CLEAN"}, {"av-status": "INFECTED"}):
            call = copy_object(
                ops,
                (osaka.names.backup_bucket, f"data/2026-12-10/objects/{key}"),
                (tokyo.names.data_bucket, key),
                source_tags=tags,
            )
            call.append(Request(ops, "s3:GetObject", export))
            outcomes = evaluate_all(statements, call)
            assert allowed(outcomes), (env, [str(o) for o in outcomes])


def test_mp_avl_01_deploy_in_osaka_touches_nothing_in_tokyo(osaka_assembly: Path) -> None:
    """`make deploy ENV=production WORKLOAD_REGION=ap-northeast-3` (dry run)."""
    import io

    out = io.StringIO()
    commands: list[list[str]] = []
    deploy(
        PRODUCTION,
        dry_run=True,
        assembly=osaka_assembly,
        place=WorkloadPlace(OSAKA),
        out=out,
        runner=commands.append,
    )
    order = out.getvalue().split("Stack order: ", 1)[1].splitlines()[0]
    assert TOKYO not in order
    assert order.endswith("ManabiPlus-Production-Workload-osaka (ap-northeast-3)")
    assert "ManabiPlus-Production-Edge (us-east-1)" in order
    assert WorkloadPlace(OSAKA, True, RESTORED, "production").context() == [
        "-c",
        f"servingTable.production-osaka={RESTORED}",
        "-c",
        f"workloadRegion={OSAKA}",
        "-c",
        "claimAliases=true",
    ]
    tokyo = WorkloadPlace(serving_table="t", env="staging").context()
    assert tokyo == ["-c", "servingTable.staging=t"]
