"""GL-SEC-01/02: the account security baseline on the synthesized templates of both
environments in every region it deploys to (Tokyo, Osaka, us-east-1).

Nothing of it runs in moto (Security Hub standards, GuardDuty features, Macie jobs and
Inspector enablement are not emulated): the templates are the proof.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from manabi_infra import names
from manabi_infra.baseline.finding_alerts import GUARDDUTY_MIN_SEVERITY
from manabi_infra.baseline.pii_identifiers import IDENTIFIERS
from manabi_infra.baseline.services import DETECTOR_FEATURES, STANDARDS
from manabi_infra.config import OSAKA, TOKYO, US_EAST_1, EnvName
from tests.infra.conftest import SynthesizedStack

SINGLETONS = (
    "AWS::GuardDuty::Detector",
    "AWS::SecurityHub::Hub",
    "AWS::Config::ConfigurationRecorder",
    "AWS::Config::DeliveryChannel",
    "AWS::Macie::Session",
    "Custom::InspectorEnablement",
    "AWS::SecurityHub::FindingAggregator",
)


def region_of(stack: SynthesizedStack) -> str:
    return next(
        r for r in names.BASELINE_REGIONS if stack.stack_id.endswith(names.BASELINE_REGIONS[r])
    )


def test_gl_sec_01_security_hub_standards_without_defaults(baseline: SynthesizedStack) -> None:
    region = region_of(baseline)
    _, hub = baseline.only("AWS::SecurityHub::Hub")
    assert hub["Properties"]["EnableDefaultStandards"] is False
    arns = {
        r["Properties"]["StandardsArn"]
        for r in baseline.of_type("AWS::SecurityHub::Standard").values()
    }
    assert arns == {
        f"arn:aws:securityhub:{region}::standards/aws-foundational-security-best-practices/v/1.0.0",
        f"arn:aws:securityhub:{region}::standards/cis-aws-foundations-benchmark/v/3.0.0",
    }
    assert len(STANDARDS) == 2


def test_gl_sec_01_findings_aggregate_in_tokyo(baseline: SynthesizedStack) -> None:
    aggregators = baseline.of_type("AWS::SecurityHub::FindingAggregator")
    if region_of(baseline) != TOKYO:
        assert aggregators == {}
        return
    (aggregator,) = aggregators.values()
    assert aggregator["Properties"]["RegionLinkingMode"] == "SPECIFIED_REGIONS"
    assert set(aggregator["Properties"]["Regions"]) == {OSAKA, US_EAST_1}


def test_gl_sec_01_config_records_global_types_once(baseline: SynthesizedStack) -> None:
    _, recorder = baseline.only("AWS::Config::ConfigurationRecorder")
    group = recorder["Properties"]["RecordingGroup"]
    assert group["AllSupported"] is True
    assert group["IncludeGlobalResourceTypes"] is (region_of(baseline) == TOKYO)
    _, channel = baseline.only("AWS::Config::DeliveryChannel")
    bucket_name = names.baseline_bucket(baseline.config, "config", region_of(baseline))
    lid, _ = baseline.named("AWS::S3::Bucket", "BucketName", bucket_name)
    assert channel["Properties"]["S3BucketName"] == {"Ref": lid}


def test_gl_sec_01_guardduty_features_and_encrypted_export(baseline: SynthesizedStack) -> None:
    detector_id, detector = baseline.only("AWS::GuardDuty::Detector")
    props = detector["Properties"]
    assert "DataSources" not in props  # cannot be set next to Features
    assert {f["Name"]: f["Status"] for f in props["Features"]} == DETECTOR_FEATURES
    assert (
        DETECTOR_FEATURES["S3_DATA_EVENTS"] == DETECTOR_FEATURES["LAMBDA_NETWORK_LOGS"] == "ENABLED"
    )
    _, destination = baseline.only("AWS::GuardDuty::PublishingDestination")
    dest = destination["Properties"]
    assert dest["DetectorId"] == {"Fn::GetAtt": [detector_id, "Id"]}
    bucket_id = dest["DestinationProperties"]["DestinationArn"]["Fn::GetAtt"][0]
    key_id = dest["DestinationProperties"]["KmsKeyArn"]["Fn::GetAtt"][0]
    # The bucket policy lets GuardDuty write, from this account's detector only, and refuses
    # objects under another key.
    policy = next(
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in baseline.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    )
    by_sid = {s.get("Sid"): s for s in policy}
    assert by_sid["GuardDutyWrite"]["Principal"] == {"Service": "guardduty.amazonaws.com"}
    assert "aws:SourceArn" in by_sid["GuardDutyWrite"]["Condition"]["StringEquals"]
    assert by_sid["DenyOtherKeys"]["Effect"] == "Deny"
    key = baseline.resources[key_id]["Properties"]
    assert key["EnableKeyRotation"] is True
    grant = next(
        s for s in key["KeyPolicy"]["Statement"] if s.get("Sid") == "GuardDutyEncryptsFindings"
    )
    assert grant["Action"] == "kms:GenerateDataKey"
    assert grant["Condition"]["StringEquals"]["aws:SourceAccount"] == {"Ref": "AWS::AccountId"}


def test_gl_sec_01_inspector_scans_lambda_and_its_code(baseline: SynthesizedStack) -> None:
    _, inspector = baseline.only("Custom::InspectorEnablement")
    create = json.loads(
        "".join(
            p if isinstance(p, str) else "ACCOUNT"
            for p in inspector["Properties"]["Create"]["Fn::Join"][1]
        )
    )
    assert create["service"] == "Inspector2"
    assert create["action"] == "enable"
    assert create["parameters"]["resourceTypes"] == ["LAMBDA", "LAMBDA_CODE"]
    assert "Delete" in inspector["Properties"]


def test_gl_sec_01_access_analyzer(baseline: SynthesizedStack) -> None:
    _, analyzer = baseline.only("AWS::AccessAnalyzer::Analyzer")
    assert analyzer["Properties"]["Type"] == "ACCOUNT"


def test_gl_sec_01_macie_identifiers_and_job_in_tokyo(baseline: SynthesizedStack) -> None:
    identifiers = baseline.of_type("AWS::Macie::CustomDataIdentifier")
    if region_of(baseline) != TOKYO:
        assert identifiers == {}
        assert baseline.of_type("AWS::Macie::Session") == {}
        return
    baseline.only("AWS::Macie::Session")
    by_name = {r["Properties"]["Name"]: r["Properties"] for r in identifiers.values()}
    assert len(by_name) == len(IDENTIFIERS)
    for identifier in IDENTIFIERS:
        props = by_name[f"{baseline.config.prefix}-{identifier.name}"]
        assert props["Regex"] == identifier.regex
        assert props.get("Keywords", []) == list(identifier.keywords)
        assert props["MaximumMatchDistance"] == identifier.maximum_match_distance
    _, job = baseline.only("Custom::MacieClassificationJob")
    create = json.dumps(job["Properties"]["Create"])
    assert "createClassificationJob" in create
    assert "SCHEDULED" in create
    assert baseline.names.data_bucket in create
    for lid in identifiers:
        assert lid in create  # every custom identifier runs in the job


def test_gl_sec_01_one_baseline_per_account_and_region(
    baseline_stacks: dict[tuple[EnvName, str], SynthesizedStack],
    stacks: dict[EnvName, SynthesizedStack],
    edge_stacks: dict[EnvName, SynthesizedStack],
    dr_stacks: dict[EnvName, SynthesizedStack],
) -> None:
    """A deploy twice is safe: every account singleton appears in exactly one stack of its
    account and region, and in none of the workload stacks."""
    seen: Counter[tuple[str, str, str]] = Counter()
    for (_env, region), stack in baseline_stacks.items():
        for singleton in SINGLETONS:
            for _ in stack.of_type(singleton):
                seen[(stack.config.account, region, singleton)] += 1
    assert seen
    assert max(seen.values()) == 1, seen
    for group in (stacks, edge_stacks, dr_stacks):
        for stack in group.values():
            for singleton in SINGLETONS:
                assert stack.of_type(singleton) == {}, (stack.stack_id, singleton)
    # Every account and region of the system has its baseline.
    accounts = {s.config.account for s in stacks.values()}
    assert {(a, r) for a, r, _ in seen} == {
        (a, r) for a in accounts for r in names.BASELINE_REGIONS
    }


def _rule(stack: SynthesizedStack, source: str) -> dict[str, object] | None:
    for rule in stack.of_type("AWS::Events::Rule").values():
        if rule["Properties"]["EventPattern"]["source"] == [source]:
            return rule["Properties"]  # type: ignore[no-any-return]
    return None


def test_gl_sec_02_guardduty_findings_of_severity_7_notify(baseline: SynthesizedStack) -> None:
    rule = _rule(baseline, "aws.guardduty")
    assert rule is not None
    assert rule["EventPattern"]["detail"] == {
        "severity": [{"numeric": [">=", GUARDDUTY_MIN_SEVERITY]}]
    }  # type: ignore[index]
    (target,) = rule["Targets"]  # type: ignore[misc]
    topic_id = target["Arn"]["Ref"]
    assert baseline.resources[topic_id]["Properties"]["TopicName"] == names.baseline_alerts_topic(
        baseline.config
    )
    template = target["InputTransformer"]["InputTemplate"]
    for part in ("Title:", "Resource:", "Account:", "Region:", "console.aws.amazon.com/guardduty"):
        assert part in template


def test_gl_sec_02_security_hub_critical_high_notify_from_tokyo(baseline: SynthesizedStack) -> None:
    rule = _rule(baseline, "aws.securityhub")
    if region_of(baseline) != TOKYO:
        assert rule is None  # the aggregator brings these findings to Tokyo: notify once
        return
    assert rule is not None
    findings = rule["EventPattern"]["detail"]["findings"]  # type: ignore[index]
    assert findings == {
        "Severity": {"Label": ["CRITICAL", "HIGH"]},
        "Workflow": {"Status": ["NEW"]},
        "RecordState": ["ACTIVE"],
    }
    template = rule["Targets"][0]["InputTransformer"]["InputTemplate"]  # type: ignore[index]
    for part in (
        "Title:",
        "Resource:",
        "Account:",
        "Region:",
        "console.aws.amazon.com/securityhub",
    ):
        assert part in template


def test_gl_sec_02_topic_key_lets_eventbridge_publish(baseline: SynthesizedStack) -> None:
    _, topic = baseline.named(
        "AWS::SNS::Topic", "TopicName", names.baseline_alerts_topic(baseline.config)
    )
    key_id = topic["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    statements = baseline.resources[key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Principal") == {"Service": "events.amazonaws.com"} for s in statements)
    subscriptions = baseline.of_type("AWS::SNS::Subscription").values()
    assert {s["Properties"]["Endpoint"] for s in subscriptions} == {baseline.config.alert_email}


@pytest.mark.parametrize("env", list(EnvName), ids=str)
def test_gl_sec_01_baseline_deploys_before_the_workload(
    env: EnvName, stacks: dict[EnvName, SynthesizedStack], cloud_assembly: Path
) -> None:
    """`cdk deploy --all` order: every baseline stack is a dependency of the workload stacks."""
    manifest = json.loads((cloud_assembly / "manifest.json").read_text())
    config = stacks[env].config
    for stack_id in (
        names.edge_stack_id(config),
        names.dr_stack_id(config),
        names.workload_stack_id(config),
    ):
        deps = set(manifest["artifacts"][stack_id].get("dependencies", []))
        assert set(names.baseline_stack_ids(config)) <= deps, stack_id
