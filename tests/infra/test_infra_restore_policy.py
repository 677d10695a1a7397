"""MP-RST-01, MP-AVL-01, MP-AV-02/03: who may restore, and write verdict tags into the data
and backup buckets.

The synthesized bucket and role policies of both environments are evaluated with a small IAM
model (tests/infra/policy_model.py): the operations role restores a backup copy WITH its verdict
tags into the data bucket only when the copy's source is the backup bucket (in Tokyo also the
Osaka workload's backup bucket, for the way back from a DR); nobody else but the scanner tags an
upload; only the daily backup function tags the backup bucket's copies; the operations role makes
every call of `restore-table` on new `<table>-restored-*` tables of its own region and account,
and deletes no table.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from manabi_infra import names
from manabi_infra.config import OSAKA, osaka_workload

from .conftest import SynthesizedStack
from .policy_model import (
    Decision,
    Outcome,
    Request,
    Statement,
    Template,
    allowed,
    copy_object,
    evaluate_all,
    put_object,
    put_object_tagging,
)

pytestmark = pytest.mark.infra

CLEAN = {"av-status": "CLEAN", "av-signature": "none", "av-timestamp": "2026-12-03T00:00:00Z"}
INFECTED = {"av-status": "INFECTED", "av-signature": "Eicar-Test-Signature"}
KEY = "submissions/course-1/assignment-1/learner-1/report.pdf"


class Policies:
    """The role and bucket policies of one workload template."""

    def __init__(self, stack: SynthesizedStack) -> None:
        self.names = stack.names
        self.template = Template(stack.template)
        self.data = stack.names.data_bucket
        self.backup = stack.names.backup_bucket
        self.operations = f"{stack.names.access_role_prefix}-operations"
        self.config = stack.config
        self.region = stack.config.workload_region
        self.account = stack.config.account
        self.osaka_backup = names.resource_names(osaka_workload(stack.config)).backup_bucket

    def arn(self, role: str) -> str:
        return self.template.role_arn(role)

    def decide(self, role: str, requests: Sequence[Request]) -> list[Outcome]:
        statements: list[Statement] = self.template.identity_statements(role)
        for bucket in {r.resource.split(":::", 1)[1].split("/", 1)[0] for r in requests}:
            statements += self.template.bucket_statements(bucket)
        return evaluate_all(statements, requests)

    def table(self, name: str, *, region: str | None = None) -> str:
        return f"arn:aws:dynamodb:{region or self.region}:{self.account}:table/{name}"

    def operations_may(self, action: str, resource: str, **context: str) -> Outcome:
        """One non-S3 call of the operations role, by its identity policies alone."""
        request = Request(self.arn(self.operations), action, resource, context)
        (outcome,) = evaluate_all(self.template.identity_statements(self.operations), [request])
        return outcome


@pytest.fixture(scope="module")
def policies(stack: SynthesizedStack) -> Policies:
    return Policies(stack)


def _explain(outcomes: list[Outcome]) -> str:
    return "; ".join(str(o) for o in outcomes)


def test_mp_rst_01_operations_role_restores_a_backup_copy_with_its_verdicts(
    policies: Policies,
) -> None:
    """restore-data's CopyObject (TaggingDirective=COPY) from the backup bucket is allowed,
    for a clean, an infected and a version-addressed copy, and with the SDK's or a leading
    slash's copy source."""
    p = policies
    ops = p.arn(p.operations)
    backup_copy = (p.backup, f"data/2026-12-03/objects/{KEY}")
    for tags, extra in (
        (CLEAN, {}),
        (INFECTED, {}),
        (CLEAN, {"source_version": "3sL4kqtJlcpXroDTDmJ.rmSpXd3dIbrHY"}),
        (CLEAN, {"leading_slash": True}),
    ):
        call = copy_object(ops, backup_copy, (p.data, KEY), source_tags=tags, **extra)  # type: ignore[arg-type]
        outcomes = p.decide(p.operations, call)
        assert allowed(outcomes), _explain(outcomes)


def test_mp_rst_01_operations_role_cannot_write_verdicts_from_elsewhere(
    policies: Policies,
) -> None:
    """The exemption is the backup bucket's copies only: the operations role's own tagged
    upload, its tagging of an object and its copies from anywhere else are denied."""
    p = policies
    ops = p.arn(p.operations)
    attempts = {
        "PutObject with av-* tags": put_object(ops, p.data, KEY, CLEAN),
        "PutObjectTagging CLEAN": put_object_tagging(ops, p.data, KEY, CLEAN),
        "PutObjectVersionTagging CLEAN": put_object_tagging(ops, p.data, KEY, CLEAN, version=True),
        "copy a clean object within the data bucket": copy_object(
            ops, (p.data, "submissions/other.pdf"), (p.data, KEY), source_tags=CLEAN
        ),
        "copy with CLEAN tags from within the data bucket": copy_object(
            ops, (p.data, KEY), (p.data, KEY), source_tags={}, replace_tags=CLEAN
        ),
        "copy from a look-alike bucket": copy_object(
            ops, (f"{p.backup}-evil", KEY), (p.data, KEY), source_tags=CLEAN
        ),
    }
    for what, call in attempts.items():
        outcomes = p.decide(p.operations, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
        assert any(o.statements and o.decision == "ExplicitDeny" for o in outcomes), what


def test_mp_av_03_api_role_can_neither_tag_nor_upload_verdicts(policies: Policies) -> None:
    p = policies
    api = p.arn(p.names.api_role)
    for what, call in {
        "PutObjectTagging CLEAN": put_object_tagging(api, p.data, KEY, CLEAN),
        "PutObject with av-* tags": put_object(api, p.data, KEY, CLEAN),
        "copy a clean object's tags onto another key": copy_object(
            api, (p.data, "submissions/other.pdf"), (p.data, KEY), source_tags=CLEAN
        ),
        "copy from the backup bucket": copy_object(
            api, (p.backup, f"data/2026-12-03/objects/{KEY}"), (p.data, KEY), source_tags=CLEAN
        ),
    }.items():
        outcomes = p.decide(p.names.api_role, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
    # and its plain upload (presigned PUT without tags) still works
    outcomes = p.decide(p.names.api_role, put_object(api, p.data, KEY))
    assert allowed(outcomes), _explain(outcomes)


def test_mp_av_03_scanner_tags_but_never_retags_an_infected_object(policies: Policies) -> None:
    p = policies
    scanner = p.arn(p.names.scan_role)
    verdict = put_object_tagging(scanner, p.data, KEY, CLEAN, version=True)
    outcomes = p.decide(p.names.scan_role, verdict)
    assert allowed(outcomes), _explain(outcomes)
    retag = put_object_tagging(scanner, p.data, KEY, CLEAN, existing=INFECTED, version=True)
    assert not allowed(p.decide(p.names.scan_role, retag))


def test_mp_rst_01_only_the_backup_function_tags_the_backup_copies(policies: Policies) -> None:
    """The verdicts a restore copies back are the ones the daily backup wrote."""
    p = policies
    backup_role = p.names.backup_function_role
    copy_key = f"data/2026-12-03/objects/{KEY}"
    backup = copy_object(
        p.arn(backup_role),
        (p.data, KEY),
        (p.backup, copy_key),
        source_tags=CLEAN,
        replace_tags=CLEAN,
    )
    outcomes = p.decide(backup_role, backup)
    assert allowed(outcomes), _explain(outcomes)
    ops = p.arn(p.operations)
    for what, call in {
        "PutObjectTagging": put_object_tagging(ops, p.backup, copy_key, CLEAN),
        "PutObject with tags": put_object(ops, p.backup, copy_key, CLEAN),
        "copy with CLEAN tags": copy_object(
            ops, (p.data, KEY), (p.backup, copy_key), source_tags={}, replace_tags=CLEAN
        ),
    }.items():
        outcomes = p.decide(p.operations, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"


DAY = "2026-12-03"


def test_mp_rst_01_the_operations_role_can_restore_a_table_but_not_delete_one(
    policies: Policies,
) -> None:
    """Every call of `restore-table` (from an export and by PITR), `switch-table` and
    `restore-data --table` (manabi_ops/adapters.py AwsTables) is allowed on the new
    `<table>-restored-<day>` of the workload's region and account; deleting a table or a backup,
    writing another table, another region's and the live table's items are not."""
    p = policies
    source = p.names.table
    target = f"{source}-restored-{DAY}"
    new, old = p.table(target), p.table(source)
    partition_region = f"{p.region}:{p.account}"
    scaling = {
        "application-autoscaling:service-namespace": "dynamodb",
        "application-autoscaling:scalable-dimension": "dynamodb:table:ReadCapacityUnits",
    }
    export = f"dynamodb/{source}/{DAY}/AWSDynamoDB/01764720000000-abcd1234/data/part.json.gz"
    calls: list[tuple[str, str, dict[str, str]]] = [
        # _refuse_existing, wait_active, _arn (tag_resource), switch-table
        ("dynamodb:DescribeTable", new, {}),
        ("dynamodb:DescribeContinuousBackups", new, {}),
        # --from-export
        ("dynamodb:ImportTable", new, {}),
        ("dynamodb:DescribeImport", f"{new}/import/01764720000000-5678efgh", {}),
        *(
            (
                f"logs:{action}",
                f"arn:aws:logs:{partition_region}:log-group:/aws-dynamodb/imports",
                {},
            )
            for action in ("CreateLogGroup", "DescribeLogGroups", "PutRetentionPolicy")
        ),
        (
            "logs:PutLogEvents",
            f"arn:aws:logs:{partition_region}:log-group:/aws-dynamodb/imports:log-stream:x",
            {},
        ),
        # --latest / --to-time: PITR reads the source, writes the target
        ("dynamodb:RestoreTableToPointInTime", old, {}),
        *(
            (f"dynamodb:{action}", new, {})
            for action in (
                "PutItem",
                "UpdateItem",
                "DeleteItem",
                "GetItem",
                "Query",
                "Scan",
                "BatchWriteItem",
            )
        ),
        # harden
        ("dynamodb:UpdateContinuousBackups", new, {}),
        ("dynamodb:UpdateTable", new, {}),
        ("dynamodb:TagResource", new, {}),
        (
            "application-autoscaling:RegisterScalableTarget",
            f"arn:aws:application-autoscaling:{partition_region}:scalable-target/*",
            scaling,
        ),
        (
            "application-autoscaling:PutScalingPolicy",
            f"arn:aws:application-autoscaling:{partition_region}:scalable-target/*",
            {
                **scaling,
                "application-autoscaling:scalable-dimension": "dynamodb:table:WriteCapacityUnits",
            },
        ),
        (
            "cloudwatch:PutMetricAlarm",
            f"arn:aws:cloudwatch:{partition_region}:alarm:TargetTracking-table/{target}-AlarmHigh-1",
            {},
        ),
        (
            "iam:CreateServiceLinkedRole",
            f"arn:aws:iam::{p.account}:role/aws-service-role/dynamodb.application-autoscaling."
            "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            {"iam:AWSServiceName": "dynamodb.application-autoscaling.amazonaws.com"},
        ),
        # the count against the source (--latest), restore-data --table on the live table
        ("dynamodb:Scan", old, {}),
        ("dynamodb:PutItem", old, {}),
    ]
    for action, resource, context in calls:
        outcome = p.operations_may(action, resource, **context)
        assert outcome.decision is Decision.ALLOW, str(outcome)
    # ImportTable reads the export from the backup bucket (and in Tokyo from the Osaka one)
    ops = p.arn(p.operations)
    for bucket in (p.backup, p.osaka_backup):
        for request in (
            Request(ops, "s3:ListBucket", f"arn:aws:s3:::{bucket}", {"s3:prefix": export}),
            Request(ops, "s3:GetObject", f"arn:aws:s3:::{bucket}/{export}"),
        ):
            outcomes = p.decide(p.operations, [request])
            assert allowed(outcomes), _explain(outcomes)

    other_env = "prod" if p.names.table.startswith("stag-") else "stag"
    denied: list[tuple[str, str, dict[str, str]]] = [
        *(("dynamodb:DeleteTable", arn, {}) for arn in (new, old, p.table("*"))),
        ("dynamodb:DeleteBackup", f"{old}/backup/01764720000000-abcd", {}),
        ("dynamodb:ImportTable", old, {}),
        ("dynamodb:ImportTable", p.table(f"{source}-copy"), {}),
        ("dynamodb:ImportTable", p.table(f"{other_env}-manabiplus-table-restored-{DAY}"), {}),
        ("dynamodb:ImportTable", p.table(target, region=OSAKA), {}),  # not this workload's region
        ("dynamodb:RestoreTableToPointInTime", p.table(f"{other_env}-manabiplus-table"), {}),
        # the live table keeps its protection and its items
        ("dynamodb:UpdateTable", old, {}),
        ("dynamodb:UpdateContinuousBackups", old, {}),
        ("dynamodb:DeleteItem", old, {}),
        ("dynamodb:UpdateItem", old, {}),
        ("dynamodb:BatchWriteItem", old, {}),
        (
            "application-autoscaling:RegisterScalableTarget",
            f"arn:aws:application-autoscaling:{partition_region}:scalable-target/*",
            {**scaling, "application-autoscaling:service-namespace": "ecs"},
        ),
        (
            "cloudwatch:DeleteAlarms",
            f"arn:aws:cloudwatch:{partition_region}:alarm:TargetTracking-table/{source}-AlarmHigh-1",
            {},
        ),
        (
            "iam:CreateServiceLinkedRole",
            f"arn:aws:iam::{p.account}:role/aws-service-role/dynamodb.application-autoscaling."
            "amazonaws.com/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable",
            {"iam:AWSServiceName": "ecs.application-autoscaling.amazonaws.com"},
        ),
    ]
    for action, resource, context in denied:
        outcome = p.operations_may(action, resource, **context)
        assert outcome.decision is not Decision.ALLOW, str(outcome)
    # the items of the table the functions serve from are denied explicitly
    assert p.operations_may("dynamodb:DeleteItem", old).decision is Decision.EXPLICIT_DENY


def test_mp_rst_01_the_operations_role_has_no_table_deletion_and_no_star(
    policies: Policies,
) -> None:
    """No statement of the operations role allows a table or backup deletion, even by a
    wildcard action, and none allows anything on `*`."""
    for statement in policies.template.identity_statements(policies.operations):
        if statement["Effect"] != "Allow":
            continue
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        resources = (
            statement["Resource"]
            if isinstance(statement["Resource"], list)
            else [statement["Resource"]]
        )
        assert "*" not in resources, statement
        for action in ("dynamodb:DeleteTable", "dynamodb:DeleteBackup", "s3:DeleteBucket"):
            assert not any(
                a.lower() == action.lower() or a in ("*", "dynamodb:*") for a in actions
            ), (action, statement)


def test_mp_avl_01_tokyo_accepts_restores_from_the_osaka_backup_bucket(
    policies: Policies,
) -> None:
    """Coming back from Osaka (docs/dr-runbook.md): restore-data copies the Osaka workload's
    backup copies WITH their verdicts into the Tokyo data bucket; a plain or tagged upload and a
    copy from any other bucket (the Osaka data bucket, a look-alike) stay denied."""
    p = policies
    ops = p.arn(p.operations)
    osaka_copy = (p.osaka_backup, f"data/{DAY}/objects/{KEY}")
    for tags, extra in ((CLEAN, {}), (INFECTED, {}), (CLEAN, {"leading_slash": True})):
        call = copy_object(ops, osaka_copy, (p.data, KEY), source_tags=tags, **extra)  # type: ignore[arg-type]
        outcomes = p.decide(p.operations, call)
        assert allowed(outcomes), _explain(outcomes)
    osaka_data = names.resource_names(osaka_workload(p.config)).data_bucket
    for what, call in {
        "plain PutObject": put_object(ops, p.data, KEY),
        "PutObject with av-* tags": put_object(ops, p.data, KEY, CLEAN),
        "copy from the Osaka data bucket": copy_object(
            ops, (osaka_data, KEY), (p.data, KEY), source_tags=CLEAN
        ),
        "copy from a look-alike of the Osaka backup bucket": copy_object(
            ops, (f"{p.osaka_backup}-evil", KEY), (p.data, KEY), source_tags=CLEAN
        ),
    }.items():
        outcomes = p.decide(p.operations, call)
        assert not allowed(outcomes), f"{what}: {_explain(outcomes)}"
