"""APP-SEC-01: every route × every kind of caller → the exact status code.

The routes are enumerated from the app itself (`api.routes`): a new route without a row here
fails `test_app_sec_01_every_route_has_a_row`. Each case runs on a fresh world:
- teacher-1 owns the published course C (lesson L, assignment A) and the draft course D;
- learner-1 ("own") is enrolled in C and has a clean submission (file uploaded, tagged
  CLEAN) for A; learner-2 ("another's")
  is not enrolled and acts on learner-1's records where a path names a learner;
- teacher-2 owns nothing here; admin-1 administers; the directory holds learner@example.com.
"""

from __future__ import annotations

from typing import Any

import pytest

from manabi_api.api.application import create_api
from manabi_api.kernel.assignments import SubmissionStatus
from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser
from tests.fakes.memory_files import InMemoryFileStore
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.memory_users import InMemoryUserDirectory
from tests.fakes.services import fake_services
from tests.support_events import ADMIN, LEARNER, ROUTE_QUERIES, TEACHER, rest_event

UPLOADED = "submissions/C/A/learner-1/U1"
OTHER_LEARNER = {"sub": "learner-2", "email": "l2@example.com", "cognito:groups": "learners"}
OTHER_TEACHER = {"sub": "teacher-2", "email": "t2@example.com", "cognito:groups": "teachers"}
CALLERS: dict[str, dict[str, str] | None] = {
    "anonymous": None,
    "learner_own": LEARNER,
    "learner_other": OTHER_LEARNER,
    "teacher_own": TEACHER,
    "teacher_other": OTHER_TEACHER,
    "admin": ADMIN,
}

# operationId → expected status for: anonymous, learner own/another's, teacher own/another's, admin
MATRIX: dict[str, tuple[int, int, int, int, int, int]] = {
    "getHealth": (200, 200, 200, 200, 200, 200),
    "listCourses": (401, 200, 200, 200, 200, 200),
    "createCourse": (401, 403, 403, 201, 201, 201),
    "getCourse": (401, 200, 200, 200, 200, 200),
    "updateCourse": (401, 403, 403, 200, 403, 200),
    "publishCourse": (401, 403, 403, 200, 404, 200),  # on the draft D: hidden from others
    "archiveCourse": (401, 403, 403, 200, 403, 200),
    "listLessons": (401, 200, 200, 200, 200, 200),
    "createLesson": (401, 403, 403, 201, 403, 201),
    "getLesson": (401, 200, 403, 200, 403, 200),
    "updateLesson": (401, 403, 403, 200, 403, 200),
    "reorderLessons": (401, 403, 403, 200, 403, 200),
    "enrol": (401, 200, 201, 403, 403, 403),
    "listMyEnrolments": (401, 200, 200, 200, 200, 200),
    "listCourseEnrolments": (401, 403, 403, 200, 403, 200),
    "completeLesson": (401, 200, 403, 403, 403, 403),
    "getMyProgress": (401, 200, 403, 403, 403, 403),
    "createAssignment": (401, 403, 403, 201, 403, 201),
    "listAssignments": (401, 200, 403, 200, 403, 200),
    "getAssignment": (401, 200, 403, 200, 403, 200),
    "startUpload": (401, 201, 403, 403, 403, 403),
    "submit": (401, 200, 403, 403, 403, 403),
    "downloadSubmission": (401, 200, 403, 200, 403, 200),
    "getMySubmission": (401, 200, 404, 403, 403, 403),  # another learner has none of their own
    "listSubmissions": (401, 403, 403, 200, 403, 200),
    "getSubmission": (401, 200, 403, 200, 403, 200),
    "gradeSubmission": (401, 403, 403, 200, 403, 200),
    "updateMyProfile": (401, 200, 200, 200, 200, 200),
    "deleteLesson": (401, 403, 403, 200, 403, 200),
    "updateAssignment": (401, 403, 403, 200, 403, 200),
    "deleteAssignment": (401, 403, 403, 204, 403, 204),
    "exportGrades": (401, 403, 403, 200, 403, 200),
    "listUsers": (401, 403, 403, 403, 403, 200),
    "setUserGroup": (401, 403, 403, 403, 403, 200),
    "disableUser": (401, 403, 403, 403, 403, 200),
    "enableUser": (401, 403, 403, 403, 403, 200),
}

BODIES: dict[str, dict[str, Any]] = {
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


class World:
    def __init__(self) -> None:
        self.store = InMemoryLearningStore()
        self.files = InMemoryFileStore()
        self.files.put(UPLOADED, 3, "text/plain")
        self.files.put(UPLOADED.replace("U1", "U2"), 3, "text/plain")  # a resubmission's file
        directory = InMemoryUserDirectory(
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
        ids = iter(["C", "L", "A", "D", *[f"new-{n}" for n in range(10)]])

        class Ids:
            def new_id(self) -> str:
                return next(ids)

        self.api = create_api(
            fake_services(self.store, ids=Ids(), users=directory, files=self.files),
            allowed_origin=None,
        )
        self.call("POST", "/courses", TEACHER, {"title": "C"})
        self.call("POST", "/courses/C/lessons", TEACHER, {"title": "L", "body": "本文"})
        self.call("POST", "/courses/C/assignments", TEACHER, BODIES["createAssignment"])
        self.call("POST", "/courses/C/publish", TEACHER, {"version": 1})
        self.call("POST", "/courses", TEACHER, {"title": "D"})
        self.call("POST", "/courses/C/enrolment", LEARNER, None)
        submission = {**BODIES["submit"], "uploadId": "U1"}
        self.call("PUT", "/courses/C/assignments/A/submission", LEARNER, submission)
        self.store.set_scan_status("C", "A", "learner-1", SubmissionStatus.CLEAN)
        self.files.tag(UPLOADED, {"av-status": "CLEAN"})

    def call(
        self,
        method: str,
        path: str,
        claims: dict[str, str] | None,
        body: Any,
        query: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, list[str]]]:
        event = rest_event(method, path, claims=claims, body=body, query=query)
        response = self.api.resolve(event, None)
        return response["statusCode"], response["multiValueHeaders"]


def _routes() -> list[tuple[str, str, str]]:
    return [(s.operation_id, s.method, s.path) for s in World().api.routes]


def test_app_sec_01_every_route_has_a_row() -> None:
    operations = {op for op, _, _ in _routes()}
    assert operations == set(MATRIX), (
        f"missing rows: {sorted(operations - set(MATRIX))}; "
        f"stale rows: {sorted(set(MATRIX) - operations)}"
    )


@pytest.mark.parametrize(("operation", "method", "path"), _routes())
@pytest.mark.parametrize("caller", list(CALLERS))
def test_app_sec_01_route_by_caller(operation: str, method: str, path: str, caller: str) -> None:
    world = World()
    values = {
        "courseId": "D" if operation == "publishCourse" else "C",
        "lessonId": "L",
        "assignmentId": "A",
        "learnerId": "learner-1",
        "username": "learner@example.com",
    }
    concrete = path.format(**values)
    query = ROUTE_QUERIES.get(operation)
    status, headers = world.call(method, concrete, CALLERS[caller], BODIES.get(operation), query)
    expected = MATRIX[operation][list(CALLERS).index(caller)]
    assert status == expected, f"{method} {concrete} as {caller}"
    if status >= 400:
        assert headers["Content-Type"] == ["application/problem+json"]
