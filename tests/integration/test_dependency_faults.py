"""GL-REL-01: a throttled, unavailable or stalled dependency (DynamoDB, S3, Cognito, SQS) gets
429 or 503 problem details with Retry-After, within the function's 3 s timeout, through the real
adapters and the real API; nothing is half-written. The dependency under test answers from a
stand-in endpoint (tests/support_faults.py); the others are the emulator."""

from __future__ import annotations

import json
import time
import uuid
from typing import Any

import pytest

from manabi_api.api.application import RestApi
from manabi_api.wiring import create_api_from_environment
from manabi_local.provisioning import LocalResources
from tests.support_events import ADMIN, LEARNER, TEACHER, lambda_context, rest_event
from tests.support_faults import SLOW, THROTTLED, UNAVAILABLE, fault_server

pytestmark = pytest.mark.integration

FUNCTION_TIMEOUT_SECONDS = 3.0  # the API function's timeout (MP-LMD-02)
EXPECTED_STATUS = {THROTTLED: 429, UNAVAILABLE: 503, SLOW: 503}


def api_with(
    resources: LocalResources, monkeypatch: pytest.MonkeyPatch, faulty: dict[str, str]
) -> RestApi:
    """The API from its environment, the services in `faulty` at their stand-in endpoints."""
    for service, endpoint in faulty.items():
        monkeypatch.setenv(f"AWS_ENDPOINT_URL_{service}", endpoint)
    return create_api_from_environment({**resources.api_environment, "MANABI_ENV": "local"})


def call(api: RestApi, method: str, path: str, claims: Any, body: Any = None) -> dict[str, Any]:
    event = rest_event(method, path, claims=claims, body=body)
    return api.resolve(event, lambda_context())


def assert_dependency_problem(response: dict[str, Any], mode: str, elapsed: float) -> None:
    assert response["statusCode"] == EXPECTED_STATUS[mode], response
    headers = response["multiValueHeaders"]
    assert headers["Content-Type"] == ["application/problem+json"]
    assert int(headers["Retry-After"][0]) >= 1
    problem = json.loads(response["body"])
    assert problem["status"] == EXPECTED_STATUS[mode]
    assert elapsed < FUNCTION_TIMEOUT_SECONDS  # answered, never hung past the timeout


@pytest.mark.parametrize("mode", [THROTTLED, UNAVAILABLE, SLOW])
def test_gl_rel_01_table_faults(
    local_resources: LocalResources, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """GL-REL-01: DynamoDB throttled (ProvisionedThroughputExceeded) → 429; unavailable or
    slower than the read timeout → 503; and the create that met the fault wrote nothing."""
    with fault_server(mode) as dynamodb:
        faulty = api_with(local_resources, monkeypatch, {"DYNAMODB": dynamodb.endpoint})
        started = time.monotonic()
        response = call(faulty, "GET", f"/courses/{uuid.uuid4().hex}", TEACHER)
        assert_dependency_problem(response, mode, time.monotonic() - started)
        assert dynamodb.requests == 1  # one attempt: the client retries after Retry-After
        key = {"Idempotency-Key": uuid.uuid4().hex}
        event = rest_event("POST", "/courses", claims=TEACHER, body={"title": "T"}, headers=key)
        created = faulty.resolve(event, lambda_context())
        assert created["statusCode"] == EXPECTED_STATUS[mode]
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB")
    healthy = create_api_from_environment(local_resources.api_environment)
    retried = healthy.resolve(event, lambda_context())  # the client's retry, same key
    assert retried["statusCode"] == 201  # nothing of the failed attempt was in its way


@pytest.mark.parametrize("mode", [THROTTLED, UNAVAILABLE, SLOW])
def test_gl_rel_01_user_pool_faults(
    local_resources: LocalResources, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """GL-REL-01: Cognito throttled (TooManyRequests) → 429; unavailable or slow → 503."""
    with fault_server(mode) as cognito:
        faulty = api_with(
            local_resources, monkeypatch, {"COGNITO_IDENTITY_PROVIDER": cognito.endpoint}
        )
        started = time.monotonic()
        response = call(faulty, "GET", "/admin/users", ADMIN)
        assert_dependency_problem(response, mode, time.monotonic() - started)


def _submittable(api: RestApi) -> tuple[str, dict[str, Any]]:
    """A published course with an assignment the learner is enrolled in: its base path and an
    upload ticket's completion body."""
    course = json.loads(call(api, "POST", "/courses", TEACHER, {"title": "F"})["body"])
    cid = course["courseId"]
    call(api, "POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
    body = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    assignment = json.loads(call(api, "POST", f"/courses/{cid}/assignments", TEACHER, body)["body"])
    call(api, "POST", f"/courses/{cid}/enrolment", LEARNER)
    base = f"/courses/{cid}/assignments/{assignment['assignmentId']}"
    file = {"fileName": "a.pdf", "contentType": "application/pdf", "sizeBytes": 10}
    ticket = json.loads(call(api, "POST", f"{base}/submission/uploads", LEARNER, file)["body"])
    return base, {**file, "uploadId": ticket["uploadId"]}


@pytest.mark.parametrize("mode", [THROTTLED, UNAVAILABLE, SLOW])
def test_gl_rel_01_data_bucket_faults(
    local_resources: LocalResources, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """GL-REL-01: S3 throttled (SlowDown) or unavailable or slow while a submission is completed
    → 503 (a HeadObject error carries no code, so S3's SlowDown shows as its status 503); the
    submission is not recorded."""
    base, completion = _submittable(create_api_from_environment(local_resources.api_environment))
    with fault_server(mode) as s3:
        faulty = api_with(local_resources, monkeypatch, {"S3": s3.endpoint})
        started = time.monotonic()
        response = call(faulty, "PUT", f"{base}/submission", LEARNER, completion)
        elapsed = time.monotonic() - started
        assert_dependency_problem(response, UNAVAILABLE if mode == THROTTLED else mode, elapsed)
        assert call(faulty, "GET", f"{base}/submission", LEARNER)["statusCode"] == 404


@pytest.mark.parametrize("mode", [THROTTLED, UNAVAILABLE, SLOW])
def test_gl_rel_01_health_names_the_queue_that_cannot_serve(
    local_resources: LocalResources, monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """GL-REL-01: /health asks every dependency; the scan queue throttled or unavailable →
    503 naming it, the others ok."""
    with fault_server(mode) as sqs:
        faulty = api_with(local_resources, monkeypatch, {"SQS": sqs.endpoint})
        started = time.monotonic()
        response = call(faulty, "GET", "/health", None)
        assert time.monotonic() - started < FUNCTION_TIMEOUT_SECONDS
    assert response["statusCode"] == 503
    assert int(response["multiValueHeaders"]["Retry-After"][0]) >= 1
    report = json.loads(response["body"])
    expected = "throttled" if mode == THROTTLED else "unavailable"
    assert report == {
        "status": "unavailable",
        "dependencies": {
            "table": "ok",
            "dataBucket": "ok",
            "userPool": "ok",
            "scanQueue": expected,
        },
    }


def test_gl_rel_01_health_is_ok_when_every_dependency_answers(
    local_resources: LocalResources,
) -> None:
    response = call(
        create_api_from_environment(local_resources.api_environment), "GET", "/health", None
    )
    assert response["statusCode"] == 200
    assert json.loads(response["body"])["dependencies"] == {
        "table": "ok",
        "dataBucket": "ok",
        "userPool": "ok",
        "scanQueue": "ok",
    }
