"""Cognito PostConfirmation trigger (`manabi_api.post_confirmation.lambda_handler`, MP-COG-08):
every confirmed self sign-up joins `learners` and counts once in `SignUps` (MP-MON-03); a
confirmed password reset leaves groups alone.

Shipped in the API's asset. The pool comes from the event, not the environment: the pool names
this function as its trigger, so the function cannot name the pool (a cycle in CloudFormation).
The local mode runs `join_group` after ConfirmSignUp, since the emulator never runs triggers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from manabi_api.adapters.aws_clients import aws_client
from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.kernel.principal import Group
from manabi_contract import environment as env
from manabi_contract.app_metrics import SIGN_UPS
from manabi_contract.names import GROUP_LEARNERS, POST_CONFIRMATION_SERVICE
from manabi_contract.observability import emit_metric, function_logger, function_tracer

CONFIRM_SIGN_UP = "PostConfirmation_ConfirmSignUp"
Directory = Callable[[str], CognitoUserDirectory]  # user pool id → its directory

logger = function_logger(POST_CONFIRMATION_SERVICE)
tracer = function_tracer(POST_CONFIRMATION_SERVICE)  # one Cognito call: nothing worth patching
GROUP = Group(env.optional(os.environ, env.GROUP_NAME) or GROUP_LEARNERS)
_client: Any = None


def join_group(event: dict[str, Any], directory: Directory, group: Group) -> dict[str, Any]:
    """The trigger's work; Cognito expects the event back."""
    if event.get("triggerSource") == CONFIRM_SIGN_UP:
        directory(event["userPoolId"]).add_to_group(event["userName"], group)
        logger.info("a confirmed sign-up joined its group", extra={"group": group.value})
        emit_metric(POST_CONFIRMATION_SERVICE, SIGN_UPS)
    return event


def _directory(user_pool_id: str) -> CognitoUserDirectory:
    global _client
    if _client is None:
        _client = aws_client("cognito-idp")
    return CognitoUserDirectory(lambda: _client, user_pool_id)


@logger.inject_lambda_context
@tracer.capture_lambda_handler(capture_response=False)  # the event holds the user's e-mail
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return join_group(event, _directory, GROUP)
