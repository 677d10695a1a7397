"""The cloud's PostConfirmation trigger, run in-process by the local Cognito front.

moto never calls Cognito triggers (decisions.md), so the front calls this one after
ConfirmSignUp: the same inline source the CDK construct deploys, compiled here with our client.
"""

from __future__ import annotations

import ast
import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient

Trigger = Callable[[dict[str, Any], Any], Any]


def post_confirmation_source() -> str:
    """The trigger's inline source, read from manabi_infra.constructs.auth without importing it
    (importing would start the CDK's jsii runtime in the local run)."""
    spec = importlib.util.find_spec("manabi_infra.constructs.auth")
    if spec is None or spec.origin is None:
        raise RuntimeError("manabi_infra.constructs.auth not found")
    tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.Assign)
            and len(node.targets) == 1
            and isinstance(node.targets[0], ast.Name)
            and node.targets[0].id == "POST_CONFIRMATION_SOURCE"
        ):
            value = ast.literal_eval(node.value)
            if isinstance(value, str):
                return value
    raise RuntimeError("POST_CONFIRMATION_SOURCE not found in manabi_infra.constructs.auth")


def load_post_confirmation(cognito: CognitoIdentityProviderClient) -> Trigger:
    """The trigger handler, compiled from the same source the cloud runs, using our client."""
    namespace: dict[str, Any] = {"__name__": "post_confirmation"}
    exec(compile(post_confirmation_source(), "index.py", "exec"), namespace)  # noqa: S102
    namespace["_client"] = cognito
    handler: Trigger = namespace["handler"]
    return handler
