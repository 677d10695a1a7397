"""MP-LMD-01..03, MP-LOG-03, MP-IAM-02: the API Lambda function."""

from __future__ import annotations

from typing import Any

import pytest
from aws_cdk.assertions import Match

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra.config import LOG_RETENTION_DAYS
from manabi_infra.constructs.api import USER_POOL_ACTIONS

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra


def _function(stack: SynthesizedStack) -> tuple[str, Resource]:
    return stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)


def _ref_of(
    stack: SynthesizedStack, cfn_type: str, name_property: str, name: str
) -> dict[str, Any]:
    logical_id, _ = stack.named(cfn_type, name_property, name)
    return {"Ref": logical_id}


def test_mp_lmd_01_runtime_handler_name_code_and_role(stack: SynthesizedStack) -> None:
    _, function = _function(stack)
    props = function["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Handler"] == contract.API_HANDLER == "manabi_api.handler.lambda_handler"
    assert props["FunctionName"] == f"{stack.config.prefix}-manabiplus-api"
    assert set(props["Code"]) == {"S3Bucket", "S3Key"}  # an S3 asset
    role_id, role = stack.named("AWS::IAM::Role", "RoleName", stack.names.api_role)
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    assert role["Properties"]["AssumeRolePolicyDocument"]["Statement"][0]["Principal"] == {
        "Service": "lambda.amazonaws.com"
    }


def test_mp_lmd_01_environment_variables_match_the_contract(stack: SynthesizedStack) -> None:
    _, function = _function(stack)
    variables = function["Properties"]["Environment"]["Variables"]
    n = stack.names
    assert variables == {
        env.TABLE_NAME: _ref_of(stack, "AWS::DynamoDB::Table", "TableName", n.table),
        env.DATA_BUCKET: _ref_of(stack, "AWS::S3::Bucket", "BucketName", n.data_bucket),
        env.USER_POOL_ID: _ref_of(stack, "AWS::Cognito::UserPool", "UserPoolName", n.user_pool),
        env.ALLOWED_ORIGIN: stack.config.web_origin,
        env.STAGE: stack.config.name.value,
        env.UPLOADS_PER_HOUR: str(stack.config.uploads_per_learner_per_hour),  # GL-SEC-04
        env.POWERTOOLS_SERVICE_NAME: contract.API_SERVICE,
        env.POWERTOOLS_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        env.POWERTOOLS_LOG_LEVEL: stack.config.log_level,
        # the ClamAV scan queue: a completion after the verdict asks for a scan again
        env.SCAN_QUEUE_URL: _ref_of(stack, "AWS::SQS::Queue", "QueueName", n.scan_queue),
    }


def test_mp_lmd_02_memory_128_mb_timeout_3_s(stack: SynthesizedStack) -> None:
    _, function = _function(stack)
    assert function["Properties"]["MemorySize"] == 128
    assert function["Properties"]["Timeout"] == 3


def test_mp_lmd_03_not_in_a_vpc(stack: SynthesizedStack) -> None:
    """MP-LMD-03 and MP-NET-01: the function runs outside any VPC."""
    _, function = _function(stack)
    assert "VpcConfig" not in function["Properties"]
    # MP-NET-01: no network resources at all.
    assert not [r for r in stack.resources.values() if r["Type"].startswith("AWS::EC2::")]


def test_mp_log_03_function_log_group_kept_1096_days(stack: SynthesizedStack) -> None:
    """MP-LOG-03 and MP-LOG-01: the function logs to a group of its own, kept 1096 days."""
    _, function = _function(stack)
    log_group_id, log_group = stack.named(
        "AWS::Logs::LogGroup", "LogGroupName", stack.names.api_log_group
    )
    assert function["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": log_group_id}
    assert log_group["Properties"]["RetentionInDays"] == LOG_RETENTION_DAYS == 1096


def test_mp_iam_02_function_role_least_privilege(stack: SynthesizedStack) -> None:
    role_id, role = stack.named("AWS::IAM::Role", "RoleName", stack.names.api_role)
    assert "ManagedPolicyArns" not in role["Properties"]
    policies = [
        p
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    ]
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    for statement in statements:
        actions = (
            statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        )
        assert all("*" not in a for a in actions), statement
        if statement["Resource"] == "*":
            # X-Ray accepts no resource-level permissions.
            assert all(a.startswith("xray:") for a in actions), statement
    granted = {
        a
        for s in statements
        for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert {"dynamodb:GetItem", "dynamodb:Query", "dynamodb:PutItem", "s3:GetObject"} <= granted
    assert "dynamodb:Scan" not in granted  # no Scan in request paths (MP-DDB-01)
    assert not {a for a in granted if a.startswith(("iam:", "s3:PutObjectTagging"))}
    # Cognito: exactly the admin routes' calls, on this environment's pool only (APP-ADM-01).
    pool_id, _ = stack.named("AWS::Cognito::UserPool", "UserPoolName", stack.names.user_pool)
    (cognito,) = [s for s in statements if str(s["Action"]).find("cognito-idp:") >= 0]
    assert sorted(cognito["Action"]) == sorted(USER_POOL_ACTIONS)
    assert cognito["Resource"] == {"Fn::GetAtt": [pool_id, "Arn"]}


def test_mp_apigw_02_api_gateway_may_invoke_the_function(stack: SynthesizedStack) -> None:
    function_id, _ = _function(stack)
    stack.assertions.has_resource_properties(
        "AWS::Lambda::Permission",
        {
            "Action": "lambda:InvokeFunction",
            "Principal": "apigateway.amazonaws.com",
            "FunctionName": {"Fn::GetAtt": [function_id, "Arn"]},
            "SourceArn": Match.any_value(),
        },
    )
