"""GL-SEC-04: a limit enforced by our own code — upload tickets per learner per clock hour,
refused with a 429 problem document and a Retry-After that says when the next hour starts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_api.api.application import create_api
from manabi_api.kernel.instants import hour_of
from manabi_api.settings import ApiSettings
from manabi_contract import environment as env
from manabi_contract.environment import ConfigurationError
from manabi_contract.problems import PROBLEM_JSON, TYPE_BASE
from manabi_contract.storage import DEFAULT_UPLOADS_PER_HOUR
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import LEARNER, TEACHER, rest_event

FILE = {"fileName": "レポート.pdf", "contentType": "application/pdf", "sizeBytes": 2048}


class SettableClock:
    def __init__(self, now: str) -> None:
        self.now = now

    def now_iso(self) -> str:
        return self.now


def _answer(api: Any, method: str, path: str, claims: Any, body: Any) -> dict[str, Any]:
    return dict(api.resolve(rest_event(method, path, claims=claims, body=body), None))


@pytest.fixture
def clock() -> SettableClock:
    return SettableClock("2026-12-04T13:45:30.000Z")


@pytest.fixture
def uploads(clock: SettableClock) -> Any:
    """A learner enrolled in a published course with an open assignment; calling the result
    asks for one upload ticket and returns the whole answer."""
    services = fake_services(InMemoryLearningStore(), clock=clock)
    api = create_api(services, allowed_origin=None)

    def call(method: str, path: str, claims: Any, body: Any) -> Any:
        answer = _answer(api, method, path, claims, body)
        return json.loads(answer["body"] or "null")

    cid = call("POST", "/courses", TEACHER, {"title": "C"})["courseId"]
    call("POST", f"/courses/{cid}/lessons", TEACHER, {"title": "L", "body": "b"})
    call("POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
    body = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    aid = call("POST", f"/courses/{cid}/assignments", TEACHER, body)["assignmentId"]
    call("POST", f"/courses/{cid}/enrolment", LEARNER, None)
    path = f"/courses/{cid}/assignments/{aid}/submission/uploads"
    return lambda: _answer(api, "POST", path, LEARNER, FILE)


def test_gl_sec_04_the_upload_past_the_hours_limit_is_a_429_with_retry_after(
    uploads: Any, clock: SettableClock
) -> None:
    """GL-SEC-04: 20 tickets in one hour pass; the 21st is refused with problem type
    upload-limit and Retry-After = the seconds until the next clock hour (14:00 UTC)."""
    statuses = [uploads()["statusCode"] for _ in range(DEFAULT_UPLOADS_PER_HOUR)]
    assert statuses == [201] * DEFAULT_UPLOADS_PER_HOUR
    refused = uploads()
    assert refused["statusCode"] == 429
    assert refused["multiValueHeaders"]["Content-Type"] == [PROBLEM_JSON]
    assert refused["multiValueHeaders"]["Retry-After"] == [str(14 * 60 + 30)]
    problem = json.loads(refused["body"])
    assert problem["type"] == TYPE_BASE + "upload-limit"
    assert "15 min" in problem["detail"]
    clock.now = "2026-12-04T14:00:00.000Z"
    assert uploads()["statusCode"] == 201


def test_gl_sec_04_the_limit_comes_from_the_environment(clock: SettableClock) -> None:
    """GL-SEC-04: UPLOADS_PER_HOUR sets the limit; a value that is not a positive integer stops
    the function's init with a message naming the variable."""
    base = {env.TABLE_NAME: "t", env.DATA_BUCKET: "b", env.USER_POOL_ID: "p"}
    assert ApiSettings.from_environment(base).uploads_per_hour == DEFAULT_UPLOADS_PER_HOUR
    assert ApiSettings.from_environment({**base, env.UPLOADS_PER_HOUR: "5"}).uploads_per_hour == 5
    for bad in ("0", "many"):
        with pytest.raises(ConfigurationError, match=env.UPLOADS_PER_HOUR):
            ApiSettings.from_environment({**base, env.UPLOADS_PER_HOUR: bad})


@pytest.mark.parametrize(
    ("instant", "key", "left"),
    [
        ("2026-12-04T13:45:30.000Z", "2026120413", 870),
        ("2026-12-04T13:00:00.000Z", "2026120413", 3600),
        ("2026-12-04T13:59:59.999Z", "2026120413", 1),
        ("2026-12-31T23:30:00.000Z", "2026123123", 1800),
        ("2026-12-05T08:10:00+09:00", "2026120423", 3000),
    ],
)
def test_gl_sec_04_hours_are_utc_clock_hours(instant: str, key: str, left: int) -> None:
    hour = hour_of(instant)
    assert (hour.key, hour.seconds_left) == (key, left)
    assert hour.ends_at_epoch % 3600 == 0
