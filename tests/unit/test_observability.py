"""MP-MON-03: every function logs JSON through Powertools with the request and correlation ids,
our library modules' lines included, and each function's settings fail at init naming the
missing variable."""

from __future__ import annotations

import io
import json
import logging
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from aws_lambda_powertools import Logger
from aws_lambda_powertools.logging import correlation_paths

from manabi_api.api.application import create_api
from manabi_api.settings import ApiSettings
from manabi_contract.environment import ConfigurationError
from manabi_contract.observability import OUR_PACKAGES, route_package_logs
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import TEACHER, lambda_context, rest_event


class BrokenStore(InMemoryLearningStore):
    def get(self, course_id: str) -> Any:
        raise RuntimeError("the table is gone")


@pytest.fixture
def json_lines() -> Iterator[io.StringIO]:
    """A function logger writing to a buffer, our package loggers routed through it (as in
    an execution environment); the package loggers are restored afterwards."""
    saved = {
        name: (
            logging.getLogger(name).handlers[:],
            logging.getLogger(name).level,
            logging.getLogger(name).propagate,
        )
        for name in OUR_PACKAGES
    }
    buffer = io.StringIO()
    # A service of its own: Powertools keeps the first handler of a service's logger.
    service = f"manabi-test-{uuid.uuid4().hex[:8]}"
    logger = Logger(service=service, logger_handler=logging.StreamHandler(buffer))
    route_package_logs(logger)
    buffer.logger = logger  # type: ignore[attr-defined]
    yield buffer
    for name, (handlers, level, propagate) in saved.items():
        package = logging.getLogger(name)
        package.handlers, package.propagate = handlers, propagate
        package.setLevel(level)


def test_mp_mon_03_an_unhandled_error_is_logged_once_with_the_request_ids(
    json_lines: io.StringIO,
) -> None:
    """MP-MON-03: the API's unhandled error becomes one JSON line with the Lambda request id
    and the correlation id (API Gateway's request id), and a 500 problem for the client."""
    logger: Logger = json_lines.logger  # type: ignore[attr-defined]
    api = create_api(fake_services(BrokenStore()), allowed_origin=None)

    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return api.resolve(event, context)

    event = rest_event("GET", "/courses/c1", claims=TEACHER)
    event["requestContext"]["requestId"] = "apigw-request-1"
    response = handler(event, lambda_context())
    assert response["statusCode"] == 500
    assert json.loads(response["body"])["type"].endswith("/internal-error")
    records = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert len(records) == 1, records
    (record,) = records
    assert record["level"] == "ERROR"
    assert record["message"] == "Unhandled error"
    assert record["correlation_id"] == "apigw-request-1"
    assert record["function_request_id"] == "test-request"
    assert record["service"] == logger.service
    assert "the table is gone" in record["exception"]


def test_mp_mon_03_library_info_lines_are_kept_in_json(json_lines: io.StringIO) -> None:
    """MP-MON-03: an INFO line of the scanner's core (stdlib logger) reaches the function's
    JSON handler instead of being dropped by the runtime's WARNING-level root logger."""
    logging.getLogger("manabi_scanner.scan").info("verdict %s %s", "k", "CLEAN")
    (record,) = [json.loads(line) for line in json_lines.getvalue().splitlines()]
    assert (record["level"], record["message"]) == ("INFO", "verdict k CLEAN")


@pytest.mark.parametrize(
    ("environ", "named"),
    [
        ({}, "TABLE_NAME"),
        ({"TABLE_NAME": "t"}, "DATA_BUCKET"),
        ({"TABLE_NAME": "t", "DATA_BUCKET": "d", "USER_POOL_ID": ""}, "USER_POOL_ID"),
    ],
)
def test_the_api_stops_at_init_naming_a_missing_setting(
    environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=f"Environment variable {named} is not set"):
        ApiSettings.from_environment(environ)


def test_the_api_settings_read_every_variable() -> None:
    settings = ApiSettings.from_environment(
        {
            "TABLE_NAME": "t",
            "DATA_BUCKET": "d",
            "USER_POOL_ID": "p",
            "SCAN_QUEUE_URL": "",
            "ALLOWED_ORIGIN": "https://example.jp",
            "MANABI_ENV": "local",
        }
    )
    assert settings == ApiSettings("t", "d", "p", None, "https://example.jp", local=True)


def test_mp_mon_03_the_api_handler_emits_emf_and_json_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """MP-MON-03: the deployed entry point writes its metrics as CloudWatch EMF (the cold
    start, namespace ManabiPlus, dimension service) on stdout."""
    import importlib
    import sys

    for name, value in {
        "AWS_DEFAULT_REGION": "ap-northeast-1",
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "TABLE_NAME": "t",
        "DATA_BUCKET": "d",
        "USER_POOL_ID": "p",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delitem(sys.modules, "manabi_api.handler", raising=False)
    handler = importlib.import_module("manabi_api.handler")
    # a route that calls no dependency (nothing answers on this machine's AWS endpoints)
    response = handler.lambda_handler(rest_event("GET", "/no-such-route"), lambda_context())
    assert response["statusCode"] == 404
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    (emf,) = [r for r in records if "_aws" in r]
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ManabiPlus"
    assert [m["Name"] for m in directive["Metrics"]] == ["ColdStart"]
    assert emf["service"] == "manabi-api"
