"""Access and service roles, network, encryption, logs (MP-IAM-01/02, MP-NET-01, MP-ENC-01,
MP-LOG-01..03, MP-APIGW-03)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS, OSAKA, TOKYO, US_EAST_1
from manabi_infra.constructs.access import CFN_ADMIN_POLICIES

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

ACCESS_ROLES = ("cfn-admin", "operations", "backup", "developer")


def _managed(role: Resource) -> set[str]:
    return {
        arn["Fn::Join"][1][-1].removeprefix(":iam::aws:policy/")
        for arn in role["Properties"].get("ManagedPolicyArns", [])
    }


def _statements(stack: SynthesizedStack, role_id: str) -> list[dict[str, Any]]:
    return [
        s
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]


def test_mp_iam_01_access_roles_assumed_from_the_management_account_with_mfa(
    stack: SynthesizedStack,
) -> None:
    prefix = stack.names.access_role_prefix
    for suffix in ACCESS_ROLES:
        _, role = stack.named("AWS::IAM::Role", "RoleName", f"{prefix}-{suffix}")
        (statement,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
        assert statement["Action"] == "sts:AssumeRole"
        assert statement["Principal"]["AWS"] == (
            f"arn:aws:iam::{stack.config.iam_management_account}:root"
        )
        assert statement["Condition"] == {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        assert role["Properties"]["MaxSessionDuration"] == 3600
    # No long-lived IAM users anywhere.
    assert not stack.of_type("AWS::IAM::User")
    assert not stack.of_type("AWS::IAM::AccessKey")


def test_mp_iam_01_permissions_as_in_design_6_1(stack: SynthesizedStack) -> None:
    prefix = stack.names.access_role_prefix
    roles = {s: stack.named("AWS::IAM::Role", "RoleName", f"{prefix}-{s}") for s in ACCESS_ROLES}
    assert _managed(roles["cfn-admin"][1]) == set(CFN_ADMIN_POLICIES)
    assert _managed(roles["developer"][1]) == {"AmazonCognitoPowerUser", "AmazonS3ReadOnlyAccess"}
    assert _managed(roles["operations"][1]) == {"CloudWatchLogsReadOnlyAccess"}
    assert _managed(roles["backup"][1]) == set()
    operations = _statements(stack, roles["operations"][0])
    assert any("s3:PutObject" in s["Action"] for s in operations)  # restore
    backup = _statements(stack, roles["backup"][0])
    actions = {
        a for s in backup for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert "s3:DeleteObject*" not in actions  # backup only adds
    developer = _statements(stack, roles["developer"][0])
    assert {"lambda:UpdateFunctionCode"} <= {a for s in developer for a in s["Action"]}


def test_mp_iam_02_service_roles_least_privilege(stack: SynthesizedStack) -> None:
    """API Gateway writes logs through the account CloudWatch role (the AWS policy made for it);
    replication reads the backup bucket and writes the DR bucket only; no role has `*:*`."""
    _, account = stack.only("AWS::ApiGateway::Account")
    role_id = account["Properties"]["CloudWatchRoleArn"]["Fn::GetAtt"][0]
    role = stack.resources[role_id]
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "apigateway.amazonaws.com"}
    assert _managed(role) == {"service-role/AmazonAPIGatewayPushToCloudWatchLogs"}
    for policy in stack.of_type("AWS::IAM::Policy").values():
        for statement in policy["Properties"]["PolicyDocument"]["Statement"]:
            actions = statement["Action"]
            actions = [actions] if isinstance(actions, str) else actions
            assert "*" not in actions
            assert not any(a.endswith(":*") for a in actions)
    if stack.config.replicate_backups:
        (replication_id,) = [
            lid
            for lid, r in stack.of_type("AWS::IAM::Role").items()
            if r["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"]
            == {"Service": "s3.amazonaws.com"}
        ]
        resources = [str(s["Resource"]) for s in _statements(stack, replication_id)]
        assert any(stack.names.dr_backup_bucket in r for r in resources)


def test_mp_net_01_no_network_resources_and_the_design_regions(
    every_stack: SynthesizedStack,
) -> None:
    assert not [
        r["Type"] for r in every_stack.resources.values() if r["Type"].startswith("AWS::EC2::")
    ]
    for function in every_stack.of_type("AWS::Lambda::Function").values():
        assert "VpcConfig" not in function["Properties"]


def test_mp_net_01_stacks_pinned_to_tokyo_us_east_1_and_osaka(cloud_assembly: Path) -> None:
    manifest = json.loads((cloud_assembly / "manifest.json").read_text())
    for config in ENVIRONMENTS.values():
        for stack_id, region in (
            (names.workload_stack_id(config), TOKYO),
            (names.edge_stack_id(config), US_EAST_1),
            (names.dr_stack_id(config), OSAKA),
        ):
            environment = manifest["artifacts"][stack_id]["environment"]
            assert environment == f"aws://{config.account}/{region}"


def test_mp_enc_01_encryption_at_rest_and_tls_in_transit(stack: SynthesizedStack) -> None:
    _, table = stack.only("AWS::DynamoDB::Table")
    # DynamoDB always encrypts at rest; SSEEnabled false selects the AWS-owned default key.
    assert table["Properties"].get("SSESpecification", {}).get("SSEEnabled") is not True or (
        "KMSMasterKeyId" in table["Properties"]["SSESpecification"]
    )
    for bucket in stack.of_type("AWS::S3::Bucket").values():
        (rule,) = bucket["Properties"]["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    for distribution in stack.of_type("AWS::CloudFront::Distribution").values():
        config = distribution["Properties"]["DistributionConfig"]
        assert config["ViewerCertificate"]["MinimumProtocolVersion"] == "TLSv1.2_2021"
        assert config["DefaultCacheBehavior"]["ViewerProtocolPolicy"] != "allow-all"
        for origin in config["Origins"]:
            if "CustomOriginConfig" in origin:
                assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]


def test_mp_log_01_one_log_group_per_service(
    stack: SynthesizedStack, edge_stacks: dict[Any, SynthesizedStack]
) -> None:
    resource_names = stack.names
    groups = {
        r["Properties"]["LogGroupName"]
        for s in (stack, edge_stacks[stack.config.name])
        for r in s.of_type("AWS::Logs::LogGroup").values()
    }
    assert groups == {
        resource_names.api_log_group,  # Lambda
        resource_names.scan_log_group,  # the virus scanner (MP-AV-01)
        resource_names.reconciler_log_group,  # its reconciler
        resource_names.updater_log_group,  # the virus-definitions updater (MP-AV-04)
        resource_names.backup_log_group,  # the daily backups (MP-BAK-02/03)
        resource_names.post_confirmation_log_group,  # Cognito PostConfirmation trigger
        resource_names.api_access_log_group,  # API Gateway access logs
        resource_names.query_log_group,  # Route 53 query logs (us-east-1)
        f"/aws/cloudtrail/{resource_names.trail}",  # the trail's CloudWatch Logs copy (GL-SEC-03)
        resource_names.origin_rotation_log_group,  # origin-secret rotation (GL-SEC-05)
        resource_names.site_publisher_log_group,  # CDK's SPA publisher (GL-DEP-01)
    }
    # API Gateway execution logs go to the group API Gateway names itself per stage, through
    # the account CloudWatch role (MP-APIGW-03).
    assert stack.of_type("AWS::ApiGateway::Account")


def test_mp_log_02_waf_cloudfront_and_s3_access_logs_in_s3(stack: SynthesizedStack) -> None:
    log_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.log_bucket)
    for distribution in stack.of_type("AWS::CloudFront::Distribution").values():
        logging = distribution["Properties"]["DistributionConfig"]["Logging"]
        assert logging["Bucket"] == {"Fn::GetAtt": [log_id, "RegionalDomainName"]}
    for name, bucket in (
        (r["Properties"]["BucketName"], r) for r in stack.of_type("AWS::S3::Bucket").values()
    ):
        if name not in {stack.names.log_bucket, stack.names.waf_log_bucket_api}:
            assert bucket["Properties"]["LoggingConfiguration"]["DestinationBucketName"] == {
                "Ref": log_id
            }, name
    assert stack.of_type("AWS::WAFv2::LoggingConfiguration")


def test_mp_log_03_every_log_group_kept_1096_days(every_stack: SynthesizedStack) -> None:
    for logical_id, group in every_stack.of_type("AWS::Logs::LogGroup").items():
        assert group["Properties"]["RetentionInDays"] == 1096, logical_id
        assert group["DeletionPolicy"] == "Retain", logical_id


def test_mp_apigw_03_execution_logs_info_without_bodies_and_account_role(
    stack: SynthesizedStack,
) -> None:
    _, stage = stack.only("AWS::ApiGateway::Stage")
    (settings,) = stage["Properties"]["MethodSettings"]
    assert settings["LoggingLevel"] == "INFO"
    assert settings["DataTraceEnabled"] is False
    assert settings["MetricsEnabled"] is stack.config.api_detailed_metrics
    assert stage["Properties"]["TracingEnabled"] is True
    assert "AccessLogSetting" in stage["Properties"]
    assert len(stack.of_type("AWS::ApiGateway::Account")) == 1


# The only calls of our functions that accept no resource-level permission (IAM reference).
UNSCOPED_ACTIONS = {"xray:PutTelemetryRecords", "xray:PutTraceSegments"}
UNSCOPED_ACTIONS |= {"secretsmanager:GetRandomPassword"}  # the origin secret's rotation
# CDK's BucketDeployment handler: aws-cdk-lib grants these on `*` and offers no scope (the
# acknowledgment is in manabi_infra.nag_reasons.site_publisher).
UNSCOPED_ACTIONS |= {"cloudfront:CreateInvalidation", "cloudfront:GetInvalidation"}


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_mp_iam_02_every_function_reaches_only_its_own_table_buckets_and_queues(
    stack: SynthesizedStack,
) -> None:
    """MP-IAM-02: every Lambda function's role (API, PostConfirmation, scanner, updater,
    reconciler, verdicts, backup, rotation…) names its resources: no `*` resource but the calls
    that accept none, every DynamoDB grant on this environment's table, every S3 grant on this
    environment's buckets (CDK's own SPA publisher also reads the bootstrap's asset bucket it
    copies web/dist from), every SQS grant on this stack's queues."""
    function_roles = {
        f["Properties"]["Role"]["Fn::GetAtt"][0]
        for f in stack.of_type("AWS::Lambda::Function").values()
        if "Fn::GetAtt" in f["Properties"]["Role"]
    }
    assert len(function_roles) >= 6
    table_id, _ = stack.only("AWS::DynamoDB::Table")
    bucket_ids = set(stack.of_type("AWS::S3::Bucket"))
    queue_ids = set(stack.of_type("AWS::SQS::Queue"))
    assets = f"cdk-hnb659fds-assets-{stack.config.account}-{stack.config.workload_region}"
    own_buckets = (stack.config.prefix + "-manabiplus-", "dr-manabiplus-", assets)
    checked = 0
    for role_id in function_roles:
        for statement in _statements(stack, role_id):
            if statement["Effect"] != "Allow":
                continue
            actions = set(_as_list(statement["Action"]))
            resources = [json.dumps(r) for r in _as_list(statement["Resource"])]
            if '"*"' in resources:
                assert actions <= UNSCOPED_ACTIONS, (role_id, statement)
                continue
            for resource in resources:
                if any(a.startswith("dynamodb:") for a in actions):
                    assert table_id in resource, (role_id, statement)
                if any(a.startswith("s3:") for a in actions):
                    assert any(b in resource for b in bucket_ids) or any(
                        p in resource for p in own_buckets
                    ), (role_id, statement)
                if any(a.startswith("sqs:") for a in actions):
                    assert any(q in resource for q in queue_ids), (role_id, statement)
                checked += 1
    assert checked > 10
