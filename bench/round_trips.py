"""DynamoDB round trips per request, for every route of the API (MP-DDB-01).

Runs the real DynamoDB adapter against moto in-process and counts the calls through botocore's
event hooks (`before-call.dynamodb.*`). A transaction is one round trip. The budget: every route
at most 2, and no Scan at all.

    uv run python bench/round_trips.py
"""

from __future__ import annotations

import json
import os
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support_events import ADMIN, LEARNER, ROUTE_QUERIES, TEACHER, rest_event  # noqa: E402

BUDGET = 2
TABLE = "bench-round-trips"
BODIES: dict[str, Any] = {
    "createCourse": {"title": "新コース"},
    "updateCourse": {"title": "改題", "version": 2},
    "publishCourse": {"version": 1},
    "archiveCourse": {"version": 2},
    "createLesson": {"title": "追加", "body": "本文"},
    "updateLesson": {"body": "改訂", "version": 1},
    "reorderLessons": {"lessonIds": ["L"], "version": 1},
    "createAssignment": {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"},
    "startUpload": {"fileName": "a.txt", "contentType": "text/plain", "sizeBytes": 3},
    "submit": {"fileName": "a.txt", "contentType": "text/plain", "sizeBytes": 3, "uploadId": "U2"},
    "gradeSubmission": {"grade": 70, "feedback": "OK", "version": 2},
    "setUserGroup": {"group": "teachers"},
    "updateMyProfile": {"name": "山田 花子"},
    "updateAssignment": {"title": "改題", "version": 1},
}
LEARNER_ROUTES = {
    "enrol",
    "completeLesson",
    "getMyProgress",
    "startUpload",
    "submit",
    "getMySubmission",
    "listAssignments",  # the learner's view reads their own submissions too (mySubmission)
}


@dataclass
class Measurement:
    operation: str
    method: str
    path: str
    status: int
    calls: Counter[str] = field(default_factory=Counter)

    @property
    def round_trips(self) -> int:
        return sum(self.calls.values())


class SequenceIds:
    """Ids in a given order, then numbered ones."""

    def __init__(self, first: list[str]) -> None:
        self._ids = iter([*first, *[f"n{n}" for n in range(20)]])

    def new_id(self) -> str:
        return next(self._ids)


@contextmanager
def _emulated() -> Iterator[Any]:
    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update(
        AWS_DEFAULT_REGION="ap-northeast-1",
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",  # noqa: S106 - dummy credentials of the emulator
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    try:
        with mock_aws():
            yield _table()
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _table() -> Any:
    import boto3

    client = boto3.client("dynamodb", region_name="ap-northeast-1")
    client.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return client


def measure() -> list[Measurement]:
    from tests.fakes.memory_files import InMemoryFileStore
    from tests.fakes.memory_users import InMemoryUserDirectory
    from tests.fakes.services import fake_services

    from manabi_api.adapters.dynamodb import DynamoDbLearningStore
    from manabi_api.api.application import create_api
    from manabi_api.kernel.principal import Group
    from manabi_api.kernel.users import DirectoryUser
    from manabi_contract.verdicts import AvStatus
    from manabi_scanner.submissions import DynamoDbSubmissionVerdicts

    results: list[Measurement] = []
    with _emulated() as client:
        calls: Counter[str] = Counter()

        def count(model: Any, **_: Any) -> None:
            calls[model.name] += 1

        client.meta.events.register("before-call.dynamodb", count)
        store = DynamoDbLearningStore(client, TABLE)
        verdicts = DynamoDbSubmissionVerdicts(client, TABLE)
        users = InMemoryUserDirectory(
            [
                DirectoryUser(
                    "learner@example.com",
                    "learner-1",
                    "learner@example.com",
                    True,
                    "CONFIRMED",
                    frozenset({Group.LEARNERS}),
                    "2026-04-01T00:00:00Z",
                )
            ]
        )
        routes = create_api(fake_services(store, users=users), None).routes
        for spec in routes:
            # a fresh course world per route, with its own ids
            prefix = spec.operation_id
            ids = SequenceIds([f"{prefix}-C", "L", "A", f"{prefix}-D"])
            files = InMemoryFileStore()  # the data bucket is not DynamoDB: not counted
            for upload in ("U1", "U2"):
                files.put(f"submissions/{prefix}-C/A/learner-1/{upload}", 3, "text/plain")
            api = create_api(fake_services(store, ids=ids, users=users, files=files), None)

            def call(
                method: str, path: str, claims: Any, body: Any, api: Any = api, query: Any = None
            ) -> int:
                event = rest_event(method, path, claims=claims, body=body, query=query)
                return int(api.resolve(event, None)["statusCode"])

            c = f"{prefix}-C"
            call("POST", "/courses", TEACHER, {"title": "C"})
            call("POST", f"/courses/{c}/lessons", TEACHER, {"title": "L", "body": "本文"})
            call("POST", f"/courses/{c}/assignments", TEACHER, BODIES["createAssignment"])
            call("POST", f"/courses/{c}/publish", TEACHER, {"version": 1})
            call("POST", "/courses", TEACHER, {"title": "D"})
            call("POST", f"/courses/{c}/enrolment", LEARNER, None)
            first = {**BODIES["submit"], "uploadId": "U1"}
            call("PUT", f"/courses/{c}/assignments/A/submission", LEARNER, first)
            uploaded = f"submissions/{c}/A/learner-1/U1"
            assert verdicts.record(uploaded, AvStatus.CLEAN)  # as the scanner records it
            files.tag(uploaded, {"av-status": "CLEAN"})

            if spec.operation_id == "enrol":
                caller: Any = {**LEARNER, "sub": "learner-new"}
            elif spec.operation_id in LEARNER_ROUTES:
                caller = LEARNER
            elif spec.path.startswith("/admin"):
                caller = ADMIN
            elif spec.operation_id == "listMyEnrolments":
                caller = LEARNER
            else:
                caller = TEACHER
            path = spec.path.format(
                courseId=f"{prefix}-D" if spec.operation_id == "publishCourse" else c,
                lessonId="L",
                assignmentId="A",
                learnerId="learner-1",
                username="learner@example.com",
            )
            calls.clear()
            query = ROUTE_QUERIES.get(spec.operation_id)
            status = call(spec.method, path, caller, BODIES.get(spec.operation_id), query=query)
            results.append(
                Measurement(spec.operation_id, spec.method, spec.path, status, Counter(calls))
            )
    return results


def main() -> int:
    results = measure()
    print("DynamoDB round trips per request (moto in-process, counted by botocore event hooks)")
    worst = 0
    scans = 0
    for m in results:
        worst = max(worst, m.round_trips)
        scans += m.calls["Scan"]
        operations = ", ".join(f"{name}×{n}" for name, n in sorted(m.calls.items())) or "-"
        print(f"  {m.method:<6} {m.path:<62} {m.status}  {m.round_trips}  {operations}")
    print(f"  worst: {worst} round trips (budget <= {BUDGET}); Scan calls: {scans}")
    print(json.dumps({"worst": worst, "scans": scans}))
    return 0 if worst <= BUDGET and scans == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
