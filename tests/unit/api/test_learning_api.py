"""Courses, lessons, enrolment, progress, assignments and grading through the whole API layer,
on in-memory storage (APP-CRS-01..03, APP-ASG-01..03 metadata, APP-ERR-01)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_api.api.application import create_api
from manabi_api.kernel.assignments import SubmissionStatus
from tests.fakes.memory_files import InMemoryFileStore
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import ADMIN, LEARNER, TEACHER, rest_event

OTHER_LEARNER = {"sub": "learner-2", "email": "l2@example.com", "cognito:groups": "learners"}
OTHER_TEACHER = {"sub": "teacher-2", "email": "t2@example.com", "cognito:groups": "teachers"}


class Client:
    def __init__(self) -> None:
        self.store = InMemoryLearningStore()
        self.files = InMemoryFileStore()
        self.api = create_api(fake_services(self.store, files=self.files), allowed_origin=None)

    def upload(self, base: str, file: dict[str, Any], claims: dict[str, str]) -> dict[str, Any]:
        """Start an upload, put the file in the (fake) bucket: the body of the submit call."""
        status, ticket = self("POST", f"{base}/submission/uploads", body=file, claims=claims)
        assert status == 201, ticket
        self.files.put(ticket["key"], file["sizeBytes"], file["contentType"])
        return {**file, "uploadId": ticket["uploadId"]}

    def __call__(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        response = self.api.resolve(rest_event(method, path, **kwargs), None)
        body = json.loads(response["body"]) if response.get("body") else None
        if response["statusCode"] >= 400:
            assert response["multiValueHeaders"]["Content-Type"] == ["application/problem+json"]
        return response["statusCode"], body


@pytest.fixture
def client() -> Client:
    return Client()


def published_course(client: Client, lessons: int = 2) -> tuple[str, list[str]]:
    status, course = client("POST", "/courses", body={"title": "Python"}, claims=TEACHER)
    assert status == 201
    cid = course["courseId"]
    ids = []
    for n in range(lessons):
        status, lesson = client(
            "POST",
            f"/courses/{cid}/lessons",
            body={"title": f"第{n + 1}回", "body": "# 見出し"},
            claims=TEACHER,
        )
        assert status == 201, lesson
        ids.append(lesson["lessonId"])
    status, _ = client("POST", f"/courses/{cid}/publish", body={"version": 1}, claims=TEACHER)
    assert status == 200
    return cid, ids


def test_app_crs_01_teacher_edits_orders_publishes_and_archives(client: Client) -> None:
    status, course = client("POST", "/courses", body={"title": "Go"}, claims=TEACHER)
    cid = course["courseId"]
    status, edited = client(
        "PATCH", f"/courses/{cid}", body={"title": "Go 入門", "version": 1}, claims=TEACHER
    )
    assert (status, edited["title"], edited["version"]) == (200, "Go 入門", 2)
    # a second writer with the old version loses, and nothing changes
    status, problem = client(
        "PATCH", f"/courses/{cid}", body={"description": "x", "version": 1}, claims=TEACHER
    )
    assert (status, problem["type"].rsplit("/", 1)[1]) == (409, "stale-version")
    ids = []
    for title in ("A", "B", "C"):
        _, lesson = client(
            "POST",
            f"/courses/{cid}/lessons",
            body={"title": title, "body": "text"},
            claims=TEACHER,
        )
        ids.append(lesson["lessonId"])
    status, outline = client("GET", f"/courses/{cid}/lessons", claims=TEACHER)
    assert [x["title"] for x in outline["lessons"]] == ["A", "B", "C"]
    assert outline["version"] == 3
    new_order = [ids[2], ids[0], ids[1]]
    status, outline = client(
        "PUT",
        f"/courses/{cid}/lesson-order",
        body={"lessonIds": new_order, "version": 3},
        claims=TEACHER,
    )
    assert (status, outline) == (200, {"lessonIds": new_order, "version": 4})
    outline = client("GET", f"/courses/{cid}/lessons", claims=TEACHER)[1]
    assert [x["title"] for x in outline["lessons"]] == ["C", "A", "B"]
    assert [x["position"] for x in outline["lessons"]] == [1, 2, 3]
    # stale reorder and an order missing a lesson are refused
    assert (
        client(
            "PUT",
            f"/courses/{cid}/lesson-order",
            body={"lessonIds": ids, "version": 3},
            claims=TEACHER,
        )[0]
        == 409
    )
    status, problem = client(
        "PUT",
        f"/courses/{cid}/lesson-order",
        body={"lessonIds": ids[:2], "version": 4},
        claims=TEACHER,
    )
    assert (status, [e["field"] for e in problem["errors"]]) == (400, ["lessonIds"])
    status, lesson = client(
        "PATCH",
        f"/courses/{cid}/lessons/{ids[0]}",
        body={"body": "**太字**", "version": 1},
        claims=TEACHER,
    )
    assert (status, lesson["body"], lesson["version"]) == (200, "**太字**", 2)
    # lifecycle: draft → published → archived, and never back
    assert client("POST", f"/courses/{cid}/archive", body={"version": 2}, claims=TEACHER)[0] == 409
    status, c = client("POST", f"/courses/{cid}/publish", body={"version": 2}, claims=TEACHER)
    assert (status, c["status"]) == (200, "published")
    assert client("POST", f"/courses/{cid}/publish", body={"version": 3}, claims=TEACHER)[0] == 409
    status, c = client("POST", f"/courses/{cid}/archive", body={"version": 3}, claims=TEACHER)
    assert (status, c["status"]) == (200, "archived")
    assert (
        client("PATCH", f"/courses/{cid}", body={"title": "x", "version": 4}, claims=TEACHER)[0]
        == 409
    )


def test_app_crs_02_learner_enrols_reads_completes_and_sees_progress(client: Client) -> None:
    cid, ids = published_course(client)
    status, page = client("GET", "/courses", claims=LEARNER)
    assert [c["courseId"] for c in page["items"]] == [cid]
    # not enrolled: the outline is visible, lesson bodies are not
    assert client("GET", f"/courses/{cid}/lessons", claims=LEARNER)[0] == 200
    assert client("GET", f"/courses/{cid}/lessons/{ids[0]}", claims=LEARNER)[0] == 403
    status, enrolment = client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)
    assert (status, enrolment["completedLessonIds"]) == (201, [])
    assert client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)[0] == 200  # idempotent
    status, lesson = client("GET", f"/courses/{cid}/lessons/{ids[0]}", claims=LEARNER)
    assert (status, lesson["body"]) == (200, "# 見出し")
    status, progress = client("PUT", f"/courses/{cid}/lessons/{ids[1]}/completion", claims=LEARNER)
    assert (status, progress["percent"], progress["completedLessons"]) == (200, 50, 1)
    client("PUT", f"/courses/{cid}/lessons/{ids[1]}/completion", claims=LEARNER)  # twice: same
    status, progress = client("GET", f"/courses/{cid}/progress", claims=LEARNER)
    assert (progress["completedLessonIds"], progress["totalLessons"]) == ([ids[1]], 2)
    status, mine = client("GET", "/me/enrolments", claims=LEARNER)
    assert [e["courseId"] for e in mine["items"]] == [cid]
    assert client("GET", "/me/enrolments", claims=OTHER_LEARNER)[1]["items"] == []
    assert client("GET", f"/courses/{cid}/progress", claims=OTHER_LEARNER)[0] == 403


def test_app_crs_02_enrolment_only_in_published_courses(client: Client) -> None:
    _, course = client("POST", "/courses", body={"title": "draft"}, claims=TEACHER)
    assert client("POST", f"/courses/{course['courseId']}/enrolment", claims=LEARNER)[0] == 404
    cid, _ = published_course(client)
    client("POST", f"/courses/{cid}/archive", body={"version": 2}, claims=TEACHER)
    assert client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)[0] == 409


def test_app_crs_03_teacher_sees_enrolments_and_progress_of_own_course_only(
    client: Client,
) -> None:
    cid, ids = published_course(client)
    for learner in (LEARNER, OTHER_LEARNER):
        client("POST", f"/courses/{cid}/enrolment", claims=learner)
    client("PUT", f"/courses/{cid}/lessons/{ids[0]}/completion", claims=LEARNER)
    status, page = client("GET", f"/courses/{cid}/enrolments", claims=TEACHER)
    assert status == 200
    assert {(p["learnerId"], p["percent"]) for p in page["items"]} == {
        ("learner-1", 50),
        ("learner-2", 0),
    }
    assert client("GET", f"/courses/{cid}/enrolments", claims=OTHER_TEACHER)[0] == 403
    assert client("GET", f"/courses/{cid}/enrolments", claims=ADMIN)[0] == 200


def test_app_asg_01_03_assignment_submission_scan_and_grading(client: Client) -> None:
    """APP-ASG-01, APP-ASG-02 (metadata), APP-ASG-03: create, submit, scan verdict, grade."""
    cid, _ = published_course(client)
    status, assignment = client(
        "POST",
        f"/courses/{cid}/assignments",
        body={"title": "課題1", "instructions": "関数を書く", "dueAt": "2999-01-01T09:00:00+09:00"},
        claims=TEACHER,
    )
    assert (status, assignment["dueAt"]) == (201, "2999-01-01T00:00:00.000Z")
    aid = assignment["assignmentId"]
    base = f"/courses/{cid}/assignments/{aid}"
    file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 120}
    not_enrolled = client("POST", f"{base}/submission/uploads", body=file, claims=LEARNER)
    assert not_enrolled[0] == 403
    client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)
    first = client.upload(base, file, LEARNER)
    status, submission = client("PUT", f"{base}/submission", body=first, claims=LEARNER)
    assert (status, submission["status"], submission["attempt"]) == (200, "PENDING", 1)
    second = client.upload(base, file, LEARNER)
    status, submission = client("PUT", f"{base}/submission", body=second, claims=LEARNER)
    assert (submission["attempt"], submission["version"]) == (2, 2)
    # only clean submissions are graded
    grade = {"grade": 85, "feedback": "よくできました", "version": 2}
    assert (
        client("PUT", f"{base}/submissions/learner-1/grade", body=grade, claims=TEACHER)[0] == 409
    )
    client.store.set_scan_status(cid, aid, "learner-1", SubmissionStatus.CLEAN)
    status, problem = client(
        "PUT", f"{base}/submissions/learner-1/grade", body=grade, claims=TEACHER
    )
    assert (status, problem["type"].rsplit("/", 1)[1]) == (409, "stale-version")
    grade["version"] = 3
    assert (
        client("PUT", f"{base}/submissions/learner-1/grade", body=grade, claims=OTHER_TEACHER)[0]
        == 403
    )
    status, graded = client(
        "PUT", f"{base}/submissions/learner-1/grade", body=grade, claims=TEACHER
    )
    assert (status, graded["grade"], graded["feedback"]) == (200, 85, "よくできました")
    status, mine = client("GET", f"{base}/submission", claims=LEARNER)
    assert (status, mine["grade"]) == (200, 85)
    assert client("GET", f"{base}/submissions/learner-1", claims=OTHER_LEARNER)[0] == 403
    status, page = client("GET", f"{base}/submissions", claims=TEACHER)
    assert [s["learnerId"] for s in page["items"]] == ["learner-1"]


def test_app_asg_02_no_submission_after_the_due_date(client: Client) -> None:
    cid, _ = published_course(client)
    _, assignment = client(
        "POST",
        f"/courses/{cid}/assignments",
        body={"title": "締切済み", "instructions": "", "dueAt": "2000-01-01T00:00:00Z"},
        claims=TEACHER,
    )
    client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)
    file = {"fileName": "a.pdf", "contentType": "application/pdf", "sizeBytes": 10}
    base = f"/courses/{cid}/assignments/{assignment['assignmentId']}"
    for method, path, body in (
        ("POST", f"{base}/submission/uploads", file),
        ("PUT", f"{base}/submission", {**file, "uploadId": "u1"}),
    ):
        status, problem = client(method, path, body=body, claims=LEARNER)
        assert status == 409
        assert "due" in problem["detail"]


def test_idempotency_key_makes_creates_safe_to_retry(client: Client) -> None:
    headers = {"Idempotency-Key": "retry-1"}
    first = client("POST", "/courses", body={"title": "一度だけ"}, claims=TEACHER, headers=headers)
    again = client("POST", "/courses", body={"title": "一度だけ"}, claims=TEACHER, headers=headers)
    assert first == again
    assert len(client("GET", "/courses", claims=TEACHER)[1]["items"]) == 1
    cid = first[1]["courseId"]
    for _ in range(2):
        status, _ = client(
            "POST",
            f"/courses/{cid}/lessons",
            body={"title": "L", "body": ""},
            claims=TEACHER,
            headers=headers,
        )
        assert status == 201
    assert len(client("GET", f"/courses/{cid}/lessons", claims=TEACHER)[1]["lessons"]) == 1
    status, problem = client(
        "POST",
        "/courses",
        body={"title": "x"},
        claims=TEACHER,
        headers={"Idempotency-Key": "bad key!"},
    )
    assert (status, problem["errors"][0]["field"]) == (400, "Idempotency-Key")


@pytest.mark.parametrize(
    ("method", "suffix", "body", "fields"),
    [
        ("PATCH", "", {"version": "1"}, ["version"]),
        ("PATCH", "", {"version": True}, ["version"]),
        ("PATCH", "", {"title": "x" * 121, "version": 1}, ["title"]),
        ("PATCH", "", {"version": 1, "status": "published"}, ["status"]),
        ("POST", "/publish", {}, ["body"]),
        ("POST", "/lessons", {"title": "t", "body": "x" * 20_001}, ["body"]),
        ("POST", "/lessons", {"title": "t"}, ["body"]),
        ("PUT", "/lesson-order", {"lessonIds": "a", "version": 0}, ["lessonIds"]),
        (
            "POST",
            "/assignments",
            {"title": "t", "instructions": "", "dueAt": "tomorrow"},
            ["dueAt"],
        ),
        (
            "POST",
            "/assignments",
            {"title": "t", "instructions": "", "dueAt": "2026-01-01T00:00:00"},
            ["dueAt"],
        ),
    ],
)
def test_app_err_01_bad_bodies_name_the_field_and_write_nothing(
    client: Client, method: str, suffix: str, body: dict[str, Any], fields: list[str]
) -> None:
    status, course = client("POST", "/courses", body={"title": "c"}, claims=TEACHER)
    cid = course["courseId"]
    status, problem = client(method, f"/courses/{cid}{suffix}", body=body, claims=TEACHER)
    assert status == 400, problem
    assert sorted({e["field"] for e in problem["errors"]}) == fields
    assert client("GET", f"/courses/{cid}", claims=TEACHER)[1] == course
    assert client("GET", f"/courses/{cid}/lessons", claims=TEACHER)[1]["lessons"] == []


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"raw_body": '{"title": "\\ud800"}'}, "body"),  # escaped lone surrogate
        ({"raw_body": '{"title": "\ud800"}'}, "body"),  # raw lone surrogate
        ({"raw_body": "[" * 100_000}, "body"),  # nesting deeper than the parser takes
    ],
)
def test_app_err_01_undecodable_bodies_are_400(
    client: Client, kwargs: dict[str, str], field: str
) -> None:
    status, problem = client("POST", "/courses", claims=TEACHER, **kwargs)
    assert (status, problem["errors"][0]["field"]) == (400, field)
    assert client("GET", "/courses", claims=TEACHER)[1]["items"] == []


@pytest.mark.parametrize("course_id", ["a%23b", "x" * 129, "a b", "é"])
def test_app_err_01_malformed_path_identifiers_are_400(client: Client, course_id: str) -> None:
    status, problem = client("GET", f"/courses/{course_id}", claims=TEACHER)
    assert (status, problem["errors"][0]["field"]) == (400, "courseId")


def test_mp_api_01_path_parameters_are_checked_percent_decoded(client: Client) -> None:
    """API Gateway passes path parameters as sent: `%37…` is the same course as `7…`."""
    course_id, _ = published_course(client)
    encoded = "".join(f"%{ord(c):02X}" for c in course_id[:3]) + course_id[3:]
    status, course = client("GET", f"/courses/{encoded}", claims=TEACHER)
    assert (status, course["courseId"]) == (200, course_id)
