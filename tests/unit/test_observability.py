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

from manabi_api.api.application import RestApi, create_api
from manabi_api.settings import ApiSettings
from manabi_contract.app_metrics import ENROLMENTS as ENROLMENTS_METRIC
from manabi_contract.app_metrics import LESSON_COMPLETIONS as LESSON_COMPLETIONS_METRIC
from manabi_contract.app_metrics import PROBLEM_RESPONSES as PROBLEM_RESPONSES_METRIC
from manabi_contract.environment import ConfigurationError
from manabi_contract.names import API_SERVICE, METRICS_NAMESPACE
from manabi_contract.observability import OUR_PACKAGES, route_package_logs
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import LEARNER, TEACHER, lambda_context, rest_event


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
    assert [r["message"] for r in records] == ["Unhandled error", "request"], records
    record = records[0]
    assert record["level"] == "ERROR"
    assert record["message"] == "Unhandled error"
    assert record["correlation_id"] == "apigw-request-1"
    assert record["function_request_id"] == "test-request"
    assert record["service"] == logger.service
    assert "the table is gone" in record["exception"]


def _requests(api: RestApi, logger: Logger, *calls: dict[str, Any]) -> list[dict[str, Any]]:
    @logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return api.resolve(event, context)

    for n, event in enumerate(calls):
        event["requestContext"]["requestId"] = f"apigw-{n}"
        handler(event, lambda_context())
    return [json.loads(line) for line in json_lines_of(logger).getvalue().splitlines()]


def json_lines_of(logger: Logger) -> io.StringIO:
    return logger.registered_handler.stream  # type: ignore[attr-defined,no-any-return]


SIGNED_IN_TEACHER = {**TEACHER, "name": "山田 花子", "email": "hanako@example.com"}
TOKEN = "eyJraWQiOiJzZWNyZXQtdG9rZW4ifQ.payload.signature"


def test_mp_mon_03_mp_log_01_one_request_line_for_a_200_a_4xx_and_a_500(
    json_lines: io.StringIO,
) -> None:
    """MP-MON-03, MP-LOG-01: every request is one INFO line with the route template, method,
    status, duration, the caller's sub and groups, and the correlation id; never the caller's
    e-mail, name or token, nor the body."""
    logger: Logger = json_lines.logger  # type: ignore[attr-defined]
    store = BrokenStore()
    api = create_api(fake_services(store), allowed_origin=None)
    auth = {"Authorization": f"Bearer {TOKEN}"}
    records = _requests(
        api,
        logger,
        rest_event("GET", "/health", headers=auth),
        rest_event("POST", "/courses", body={"title": ""}, claims=SIGNED_IN_TEACHER, headers=auth),
        rest_event("GET", "/courses/c-42", claims=SIGNED_IN_TEACHER, headers=auth),
        rest_event("GET", "/no/such/route", claims=LEARNER),
    )
    lines = [r for r in records if r["message"] == "request"]
    summary = [
        (r["method"], r["route"], r["status"], r.get("problem"), r.get("principal_id"), r["groups"])
        for r in lines
    ]
    assert summary == [
        ("GET", "/health", 200, None, None, []),
        ("POST", "/courses", 400, "invalid-input", "teacher-1", ["teachers"]),
        ("GET", "/courses/{courseId}", 500, "internal-error", "teacher-1", ["teachers"]),
        ("GET", "(no route)", 404, "not-found", "learner-1", ["learners"]),
    ]
    assert [r["correlation_id"] for r in lines] == ["apigw-0", "apigw-1", "apigw-2", "apigw-3"]
    assert all(r["level"] == "INFO" and r["duration_ms"] >= 0 for r in lines)
    assert all(r["function_request_id"] == "test-request" for r in lines)
    text = json_lines.getvalue()
    for secret in ("example.com", "山田", "hanako", TOKEN, "eyJ", "c-42"):
        assert secret not in text.replace("{courseId}", ""), secret


def _emf(captured: str) -> list[dict[str, Any]]:
    blobs = [json.loads(line) for line in captured.splitlines() if line.startswith("{")]
    return [b for b in blobs if "_aws" in b]


def test_mp_mon_03_problem_and_business_action_metrics_in_emf(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MP-MON-03: a `ProblemResponses` count per problem type (dimension `problem`, the slug),
    and one count per business action the domain carried out: a first enrolment counts, the
    repeated one (200, already enrolled) and a refused completion do not."""
    api = create_api(fake_services(InMemoryLearningStore()), allowed_origin=None)

    def call(method: str, path: str, claims: Any, body: Any = None) -> Any:
        response = api.resolve(rest_event(method, path, claims=claims, body=body), None)
        return json.loads(response["body"]) if response.get("body") else None

    course = call("POST", "/courses", TEACHER, {"title": "Python"})
    cid = course["courseId"]
    lesson = call("POST", f"/courses/{cid}/lessons", TEACHER, {"title": "第1回", "body": "x"})
    call("POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
    capsys.readouterr()
    call("PUT", f"/courses/{cid}/lessons/{lesson['lessonId']}/completion", LEARNER)  # 403
    call("POST", f"/courses/{cid}/enrolment", LEARNER)  # 201
    call("POST", f"/courses/{cid}/enrolment", LEARNER)  # 200, already enrolled
    call("PUT", f"/courses/{cid}/lessons/{lesson['lessonId']}/completion", LEARNER)
    call("GET", "/courses/missing", LEARNER)  # 404
    blobs = _emf(capsys.readouterr().out)
    seen = []
    for blob in blobs:
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == METRICS_NAMESPACE
        assert blob["service"] == API_SERVICE
        (definition,) = directive["Metrics"]
        name = definition["Name"]
        assert blob[name] == [1.0] or blob[name] == 1.0
        seen.append((name, blob.get("problem")))
    assert seen == [
        (PROBLEM_RESPONSES_METRIC, "forbidden"),
        (ENROLMENTS_METRIC, None),
        (LESSON_COMPLETIONS_METRIC, None),
        (PROBLEM_RESPONSES_METRIC, "not-found"),
    ]
    assert sorted(blobs[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0]) == [
        "problem",
        "service",
    ]


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
            "UPLOADS_PER_HOUR": "7",
            "MANABI_ENV": "local",
        }
    )
    assert settings == ApiSettings(
        "t", "d", "p", None, "https://example.jp", uploads_per_hour=7, local=True
    )


def test_mp_mon_03_the_api_handler_emits_emf_and_json_logs(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """MP-MON-03: the deployed entry point writes its metrics as CloudWatch EMF (the cold
    start and the 404's problem count, namespace ManabiPlus, dimension service) on stdout."""
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
    problem, emf = [r for r in records if "_aws" in r]  # the problem's, then the cold start's
    assert (problem["problem"], problem[PROBLEM_RESPONSES_METRIC]) == ("not-found", [1.0])
    (directive,) = emf["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ManabiPlus"
    assert [m["Name"] for m in directive["Metrics"]] == ["ColdStart"]
    assert emf["service"] == "manabi-api"
