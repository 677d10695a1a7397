"""The cloud's PostConfirmation trigger, run in-process by the local Cognito front.

moto never calls Cognito triggers (docs/decisions/0020), so the front calls this one after
ConfirmSignUp: the function the CDK construct deploys (manabi_api.post_confirmation), on the
emulator's client.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from manabi_api import post_confirmation
from manabi_api.adapters.cognito_users import CognitoUserDirectory

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

Trigger = Callable[[dict[str, Any], Any], Any]


def load_post_confirmation(cognito: CognitoIdentityProviderClient) -> Trigger:
    """The trigger's work on `cognito` (the handler's own client would be made from the
    environment; the front passes the one it already has)."""

    def directory(user_pool_id: str) -> CognitoUserDirectory:
        return CognitoUserDirectory(lambda: cognito, user_pool_id)

    def trigger(event: dict[str, Any], context: Any) -> Any:
        return post_confirmation.join_group(event, directory, post_confirmation.GROUP)

    return trigger
