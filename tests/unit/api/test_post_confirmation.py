"""MP-COG-08: the PostConfirmation trigger the CDK app deploys (manabi_api.post_confirmation)."""

from __future__ import annotations

from typing import Any

from manabi_api import post_confirmation
from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.kernel.principal import Group


def test_mp_cog_08_trigger_handler_adds_only_confirmed_sign_ups() -> None:
    """A confirmed sign-up joins learners (one AdminAddUserToGroup on the event's pool); a
    confirmed password reset changes no group; Cognito gets the event back."""
    calls: list[dict[str, str]] = []

    class FakeClient:
        def admin_add_user_to_group(self, **kwargs: str) -> None:
            calls.append(kwargs)

    def directory(pool: str) -> CognitoUserDirectory:
        return CognitoUserDirectory(FakeClient, pool)  # type: ignore[arg-type]

    event: dict[str, Any] = {
        "triggerSource": "PostConfirmation_ConfirmSignUp",
        "userPoolId": "p",
        "userName": "u",
    }
    assert post_confirmation.join_group(event, directory, Group.LEARNERS) is event
    reset = {**event, "triggerSource": "PostConfirmation_ConfirmForgotPassword"}
    post_confirmation.join_group(reset, directory, Group.LEARNERS)
    assert calls == [{"UserPoolId": "p", "Username": "u", "GroupName": "learners"}]
    assert post_confirmation.GROUP is Group.LEARNERS  # the default without GROUP_NAME
