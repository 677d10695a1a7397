"""Prepare the process like a Lambda execution environment and import the API handler.

The handler reads its configuration when its module is imported, so the environment has to be
complete before the import: the emulator endpoint and dummy credentials for boto3, then the
function's own variables from the template, with the two values that differ locally overridden.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Mapping
from typing import Any

from manabi_contract.environment import ALLOWED_ORIGIN, LOCAL_STAGE, STAGE, UPLOADS_PER_HOUR
from manabi_local.emulator import apply_client_environment
from manabi_local.provisioning import LocalResources

Handler = Callable[[dict[str, Any], Any], Any]


class HandlerImportError(Exception):
    """The handler module or function does not exist."""


def handler_environment(
    resources: LocalResources, web_origin: str, uploads_per_hour: int | None = None
) -> dict[str, str]:
    """The API function's variables from the template, as the local run needs them.

    ALLOWED_ORIGIN: the template allows the cloud website; the browser comes from the local SPA
    origin. MANABI_ENV: "local", so the API knows it may accept the emulator's signing key
    (docs/decisions/0020: moto signs every token with one published key). UPLOADS_PER_HOUR: the
    template's unless the run was told otherwise (`--uploads-per-hour`).
    """
    environment = dict(resources.api_environment)
    environment[ALLOWED_ORIGIN] = web_origin
    environment[STAGE] = LOCAL_STAGE
    if uploads_per_hour is not None:
        environment[UPLOADS_PER_HOUR] = str(uploads_per_hour)
    return environment


def prepare_environment(
    resources: LocalResources, web_origin: str, uploads_per_hour: int | None = None
) -> Mapping[str, str]:
    apply_client_environment(resources.endpoint)
    environment = handler_environment(resources, web_origin, uploads_per_hour)
    os.environ.update(environment)
    return environment


def load_handler(dotted: str) -> Handler:
    """Import "package.module.function" (manabi_contract.names.API_HANDLER by default)."""
    module_name, _, function_name = dotted.rpartition(".")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name and module_name.startswith(error.name):
            raise HandlerImportError(
                f"the API handler module {module_name} does not exist"
            ) from None
        raise
    handler = getattr(module, function_name, None)
    if not callable(handler):
        raise HandlerImportError(f"{module_name} has no function {function_name}")
    result: Handler = handler
    return result
