"""The handler paths and names the CDK app deploys resolve to the scanner package's code."""

from __future__ import annotations

import importlib

import pytest

from manabi_infra import names
from manabi_infra.constructs.virus_scan import GUARDDUTY_RESULT_DETAIL_TYPE, RECONCILER_HANDLER
from manabi_scanner import guardduty


@pytest.mark.parametrize(
    "path",
    [
        names.SCANNER_HANDLER,
        names.UPDATER_HANDLER,
        names.GUARDDUTY_VERDICT_HANDLER,
        RECONCILER_HANDLER,
    ],
)
def test_mp_av_01_every_deployed_handler_exists(path: str) -> None:
    """MP-AV-01/04: the image commands and the GuardDuty function's handler are real code."""
    module, _, function = path.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))


def test_guardduty_names_equal_the_infrastructure_names() -> None:
    """The verdict function ships without manabi_infra: its copies must not drift."""
    assert guardduty.GUARDDUTY_VERDICT_SOURCE == names.GUARDDUTY_VERDICT_SOURCE
    assert guardduty.SUBMISSIONS_PREFIX == names.SUBMISSIONS_PREFIX
    assert guardduty.ENV_TABLE_NAME == names.ENV_TABLE_NAME
    assert guardduty.ENV_DATA_BUCKET == names.ENV_DATA_BUCKET
    assert guardduty.SCAN_RESULT_DETAIL_TYPE == GUARDDUTY_RESULT_DETAIL_TYPE


def test_environment_names_of_the_api_and_the_reconciler_equal_the_infrastructure_names() -> None:
    """The Lambda assets ship without manabi_infra: their copies of the names must not drift."""
    from manabi_api import wiring
    from manabi_scanner import reconciler

    assert wiring.ENV_TABLE_NAME == names.ENV_TABLE_NAME
    assert wiring.ENV_DATA_BUCKET == names.ENV_DATA_BUCKET
    assert wiring.ENV_ALLOWED_ORIGIN == names.ENV_ALLOWED_ORIGIN
    assert wiring.ENV_USER_POOL_ID == names.ENV_USER_POOL_ID
    assert wiring.ENV_STAGE == names.ENV_STAGE
    assert wiring.ENV_SCAN_QUEUE_URL == reconciler.ENV_SCAN_QUEUE_URL == names.ENV_SCAN_QUEUE_URL
    assert reconciler.ENV_DATA_BUCKET == names.ENV_DATA_BUCKET
