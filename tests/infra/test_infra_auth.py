"""MP-COG-01..08: the Cognito user pool, its groups and the SPA client."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_lambda as lambda_

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra.config import PRODUCTION, STAGING, TOKYO, EnvironmentConfig, EnvName
from manabi_infra.constructs.auth import Auth
from manabi_infra.deployment import Deployment

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

MESSAGE = "検証コードは {####} です。"
EXAMPLE_SES_IDENTITY = "no-reply@manabiplus.example.jp"


def _auth_only(config: EnvironmentConfig, *, learners_trigger: bool = False) -> SynthesizedStack:
    """A stack holding only the Auth construct, for settings the workload stack does not use yet;
    the trigger's code is a stand-in asset (the workload stack passes the API's)."""
    app = App()
    stack = Stack(app, "AuthOnly", env=Environment(account=config.account, region=TOKYO))
    code = lambda_.Code.from_asset(str(Path(__file__).parent)) if learners_trigger else None
    Auth(
        stack,
        "Auth",
        deployment=Deployment(config),
        trigger_code=code,
    )
    template: dict[str, Any] = app.synth().get_stack_by_name("AuthOnly").template
    return SynthesizedStack(config, template)


@pytest.fixture(scope="module")
def with_trigger() -> SynthesizedStack:
    return _auth_only(STAGING, learners_trigger=True)


def _pool(stack: SynthesizedStack) -> tuple[str, Resource]:
    return stack.named("AWS::Cognito::UserPool", "UserPoolName", stack.names.user_pool)


def test_mp_cog_01_one_named_pool(stack: SynthesizedStack) -> None:
    pool_id, _ = _pool(stack)
    assert stack.only("AWS::Cognito::UserPool")[0] == pool_id
    assert stack.names.user_pool == f"{stack.config.prefix}-manabiplus-userpool"


def test_mp_cog_02_password_policy(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    policy = pool["Properties"]["Policies"]["PasswordPolicy"]
    assert policy["RequireNumbers"] is True
    assert policy["RequireSymbols"] is True
    assert policy["RequireUppercase"] is True
    assert policy["RequireLowercase"] is True
    assert policy["TemporaryPasswordValidityDays"] == 7


def test_mp_cog_03_email_required_and_auto_verified(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    props = pool["Properties"]
    assert {"Name": "email", "Required": True, "Mutable": True} in props["Schema"]
    assert props["AutoVerifiedAttributes"] == ["email"]


def test_mp_cog_04_aliases_and_case_insensitive(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    props = pool["Properties"]
    assert sorted(props["AliasAttributes"]) == ["email", "phone_number", "preferred_username"]
    assert "UsernameAttributes" not in props
    assert props["UsernameConfiguration"] == {"CaseSensitive": False}


def test_mp_cog_05_japanese_messages(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    props = pool["Properties"]
    assert props["EmailVerificationMessage"] == MESSAGE
    assert props["EmailVerificationSubject"] == "検証コード"
    assert props["SmsVerificationMessage"] == MESSAGE
    assert props["SmsAuthenticationMessage"] == MESSAGE


def test_mp_cog_06_cognito_default_email(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    if stack.config.ses_identity is None:
        assert pool["Properties"]["EmailConfiguration"] == {
            "EmailSendingAccount": "COGNITO_DEFAULT"
        }
    else:
        assert pool["Properties"]["EmailConfiguration"]["EmailSendingAccount"] == "DEVELOPER"


def test_mp_cog_06_staging_sends_with_cognito(staging: SynthesizedStack) -> None:
    assert staging.config.ses_identity is None
    _, pool = _pool(staging)
    assert pool["Properties"]["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_mp_cog_06_production_switches_to_ses_by_configuration() -> None:
    """Setting EnvironmentConfig.ses_identity is all it takes: SES in Tokyo, from that identity."""
    config = dataclasses.replace(PRODUCTION, ses_identity=EXAMPLE_SES_IDENTITY)
    _, pool = _pool(_auth_only(config))
    email = pool["Properties"]["EmailConfiguration"]
    assert email["EmailSendingAccount"] == "DEVELOPER"
    assert email["From"] == EXAMPLE_SES_IDENTITY
    assert email["SourceArn"]["Fn::Join"][1][-1] == (
        f":ses:{TOKYO}:{config.account}:identity/{EXAMPLE_SES_IDENTITY}"
    )


def test_mp_cog_07_self_sign_up(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False


def test_mp_cog_07_deletion_protection_in_production_only(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    expected = "ACTIVE" if stack.config.name is EnvName.PRODUCTION else "INACTIVE"
    assert pool["Properties"]["DeletionProtection"] == expected
    assert pool["DeletionPolicy"] == "Retain"


def test_mp_cog_08_groups(stack: SynthesizedStack) -> None:
    pool_id, _ = _pool(stack)
    groups = stack.of_type("AWS::Cognito::UserPoolGroup").values()
    assert sorted(g["Properties"]["GroupName"] for g in groups) == sorted(contract.GROUPS)
    assert all(g["Properties"]["UserPoolId"] == {"Ref": pool_id} for g in groups)


def test_app_auth_01_spa_client_without_secret(stack: SynthesizedStack) -> None:
    pool_id, _ = _pool(stack)
    _, client = stack.named(
        "AWS::Cognito::UserPoolClient", "ClientName", stack.names.user_pool_client
    )
    props = client["Properties"]
    assert props["UserPoolId"] == {"Ref": pool_id}
    assert props["GenerateSecret"] is False
    assert set(props["ExplicitAuthFlows"]) == {
        "ALLOW_USER_PASSWORD_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    }


def test_app_auth_01_token_lifetimes(stack: SynthesizedStack) -> None:
    """docs/auth.md: ID and access tokens 60 minutes, refresh token 30 days, no user existence."""
    _, client = stack.named(
        "AWS::Cognito::UserPoolClient", "ClientName", stack.names.user_pool_client
    )
    props = client["Properties"]
    assert props["IdTokenValidity"] == 60
    assert props["AccessTokenValidity"] == 60
    assert props["RefreshTokenValidity"] == 43200  # minutes: 30 days
    assert props["TokenValidityUnits"] == {
        "IdToken": "minutes",
        "AccessToken": "minutes",
        "RefreshToken": "minutes",
    }
    assert props["AuthSessionValidity"] == 3
    assert props["PreventUserExistenceErrors"] == "ENABLED"
    assert props["EnableTokenRevocation"] is True


def test_mp_cog_08_post_confirmation_trigger_adds_to_learners(
    with_trigger: SynthesizedStack,
) -> None:
    pool_id, pool = _pool(with_trigger)
    function_id, function = with_trigger.only("AWS::Lambda::Function")
    assert pool["Properties"]["LambdaConfig"] == {
        "PostConfirmation": {"Fn::GetAtt": [function_id, "Arn"]}
    }
    props = function["Properties"]
    assert props["Runtime"] == "python3.13"
    # the shipped handler (manabi_api.post_confirmation), from an asset: not inline code
    assert props["Handler"] == contract.POST_CONFIRMATION_HANDLER
    assert set(props["Code"]) == {"S3Bucket", "S3Key"}
    assert props["TracingConfig"] == {"Mode": "Active"}
    assert props["Environment"]["Variables"] == {
        "GROUP_NAME": contract.GROUP_LEARNERS,
        # MP-MON-03: every function of the workload gets its Powertools settings
        env.POWERTOOLS_SERVICE_NAME: contract.POST_CONFIRMATION_SERVICE,
        env.POWERTOOLS_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        env.POWERTOOLS_LOG_LEVEL: "INFO",
    }
    permission = with_trigger.only("AWS::Lambda::Permission")[1]["Properties"]
    assert permission["Principal"] == "cognito-idp.amazonaws.com"
    assert permission["SourceArn"] == {"Fn::GetAtt": [pool_id, "Arn"]}


def test_mp_cog_08_trigger_least_privilege_and_retained_logs(
    with_trigger: SynthesizedStack,
) -> None:
    _, function = with_trigger.only("AWS::Lambda::Function")
    log_group_id, log_group = with_trigger.only("AWS::Logs::LogGroup")
    assert function["Properties"]["LoggingConfig"]["LogGroup"] == {"Ref": log_group_id}
    assert log_group["Properties"]["RetentionInDays"] == 1096
    assert log_group["DeletionPolicy"] == "Retain"
    role_id, role = with_trigger.only("AWS::IAM::Role")
    assert "ManagedPolicyArns" not in role["Properties"]
    statements = [
        s
        for p in with_trigger.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    pool_id, _ = _pool(with_trigger)
    cognito = [s for s in statements if "cognito" in json.dumps(s["Action"])]
    assert cognito == [
        {
            "Action": "cognito-idp:AdminAddUserToGroup",
            "Effect": "Allow",
            "Resource": {"Fn::GetAtt": [pool_id, "Arn"]},
            "Sid": "AddToLearners",
        }
    ]
    others = [s for s in statements if s not in cognito]
    actions = [
        a for s in others for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    ]
    assert actions
    tracing = {"xray:PutTraceSegments", "xray:PutTelemetryRecords"}  # its X-Ray segments
    assert all(a.startswith("logs:") or a in tracing for a in actions), actions
    assert tracing <= set(actions)
