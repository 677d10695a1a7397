"""MP-COG-01..08: the Cognito user pool, its groups and the SPA client."""

from __future__ import annotations

import pytest

from manabi_infra import names

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

MESSAGE = "検証コードは {####} です。"


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
    assert pool["Properties"]["EmailConfiguration"] == {"EmailSendingAccount": "COGNITO_DEFAULT"}


def test_mp_cog_07_self_sign_up(stack: SynthesizedStack) -> None:
    _, pool = _pool(stack)
    assert pool["Properties"]["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is False


def test_mp_cog_08_groups(stack: SynthesizedStack) -> None:
    pool_id, _ = _pool(stack)
    groups = stack.of_type("AWS::Cognito::UserPoolGroup").values()
    assert sorted(g["Properties"]["GroupName"] for g in groups) == sorted(names.GROUPS)
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
