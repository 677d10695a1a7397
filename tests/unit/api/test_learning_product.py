"""The product as teachers and learners use it, through the whole API layer on in-memory storage:
learners by name (APP-CRS-03), current course data in every list (APP-CRS-04), deleting lessons
and assignments and editing assignments (APP-CRS-01, APP-ASG-01), a reused Idempotency-Key
(APP-ERR-01), the account's name (APP-ACC-01) and the grade export (APP-ASG-04)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from manabi_api.api.application import create_api
from manabi_api.kernel.assignments import SubmissionStatus
from tests.fakes.memory_files import InMemoryFileStore
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import TEACHER, rest_event

HANAKO = {
    "sub": "learner-1",
    "email": "hanako@example.com",
    "name": "山田 花子",
    "cognito:groups": "learners",
}
TARO = {
    "sub": "learner-2",
    "email": "taro@example.com",
    "name": "=1+1",
    "cognito:groups": "learners",
}
FILE = {"fileName": "レポート.txt", "contentType": "text/plain", "sizeBytes": 3}


class Client:
    def __init__(self) -> None:
        self.store = InMemoryLearningStore()
        self.files = InMemoryFileStore()
        self.api = create_api(fake_services(self.store, files=self.files), allowed_origin=None)

    def raw(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        return self.api.resolve(rest_event(method, path, **kwargs), None)  # type: ignore[no-any-return]

    def __call__(self, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
        response = self.raw(method, path, **kwargs)
        body = json.loads(response["body"]) if response.get("body") else None
        return response["statusCode"], body

    def course(self, lessons: int = 2) -> str:
        _, course = self("POST", "/courses", body={"title": "Python 入門"}, claims=TEACHER)
        cid = course["courseId"]
        for n in range(lessons):
            body = {"title": f"第{n + 1}回", "body": "本文"}
            self("POST", f"/courses/{cid}/lessons", body=body, claims=TEACHER)
        self("POST", f"/courses/{cid}/publish", body={"version": 1}, claims=TEACHER)
        return str(cid)

    def assignment(self, cid: str, title: str = "課題1") -> str:
        body = {"title": title, "instructions": "提出", "dueAt": "2999-01-01T00:00:00Z"}
        status, made = self("POST", f"/courses/{cid}/assignments", body=body, claims=TEACHER)
        assert status == 201, made
        return str(made["assignmentId"])

    def submit(self, cid: str, aid: str, claims: dict[str, str]) -> None:
        base = f"/courses/{cid}/assignments/{aid}/submission"
        _, ticket = self("POST", f"{base}/uploads", body=FILE, claims=claims)
        self.files.put(ticket["key"], FILE["sizeBytes"], FILE["contentType"])
        status, _ = self("PUT", base, body={**FILE, "uploadId": ticket["uploadId"]}, claims=claims)
        assert status == 200


def test_app_crs_03_teacher_sees_learners_by_their_current_name_and_email() -> None:
    client = Client()
    cid = client.course()
    aid = client.assignment(cid)
    client("POST", f"/courses/{cid}/enrolment", claims=HANAKO)
    client.submit(cid, aid, HANAKO)

    def names() -> list[Any]:
        _, progress = client("GET", f"/courses/{cid}/enrolments", claims=TEACHER)
        _, listed = client("GET", f"/courses/{cid}/assignments/{aid}/submissions", claims=TEACHER)
        _, one = client(
            "GET", f"/courses/{cid}/assignments/{aid}/submissions/learner-1", claims=TEACHER
        )
        rows = [*progress["items"], *listed["items"], one]
        return [(r["learnerName"], r["learnerEmail"]) for r in rows]

    assert names() == [("山田 花子", "hanako@example.com")] * 3
    status, profile = client("PUT", "/me/profile", body={"name": " 山田 華子 "}, claims=HANAKO)
    assert (status, profile["name"]) == (200, "山田 華子")
    assert names() == [("山田 華子", "hanako@example.com")] * 3
    # enrolling elsewhere with a token still carrying the old name keeps the new one
    other = client.course()
    client("POST", f"/courses/{other}/enrolment", claims=HANAKO)
    _, progress = client("GET", f"/courses/{other}/enrolments", claims=TEACHER)
    assert progress["items"][0]["learnerName"] == "山田 華子"


def test_app_acc_01_a_name_must_be_visible_text() -> None:
    client = Client()
    for bad in ("", "   ", "a\u202eb", "x" * 101):
        status, problem = client("PUT", "/me/profile", body={"name": bad}, claims=HANAKO)
        assert status == 400, bad
        assert problem["errors"][0]["field"] == "name"


def test_app_crs_04_a_renamed_or_archived_course_shows_so_in_every_list() -> None:
    """Every route that shows a course's title answers with the current one."""
    client = Client()
    cid = client.course()
    client("POST", f"/courses/{cid}/enrolment", claims=HANAKO)
    status, _ = client(
        "PATCH", f"/courses/{cid}", body={"title": "Python 実践", "version": 2}, claims=TEACHER
    )
    assert status == 200

    def titles() -> dict[str, Any]:
        _, mine = client("GET", "/me/enrolments", claims=HANAKO)
        _, catalogue = client("GET", "/courses", claims=HANAKO)
        _, owned = client("GET", "/courses", claims=TEACHER)
        _, one = client("GET", f"/courses/{cid}", claims=HANAKO)
        grades = client.raw("GET", f"/courses/{cid}/grades.csv", claims=TEACHER)
        return {
            "mine": [(e["courseTitle"], e["courseStatus"]) for e in mine["items"]],
            "catalogue": [c["title"] for c in catalogue["items"]],
            "owned": [c["title"] for c in owned["items"]],
            "course": one["title"],
            "export": grades["multiValueHeaders"]["Content-Disposition"][0],
        }

    seen = titles()
    assert seen["mine"] == [("Python 実践", "published")]
    assert seen["catalogue"] == seen["owned"] == ["Python 実践"]
    assert seen["course"] == "Python 実践"
    assert "Python%20%E5%AE%9F%E8%B7%B5" in seen["export"]
    client("POST", f"/courses/{cid}/archive", body={"version": 3}, claims=TEACHER)
    assert titles()["mine"] == [("Python 実践", "archived")]


def test_app_crs_02_my_enrolments_carry_progress_and_the_next_lesson() -> None:
    client = Client()
    cid = client.course(lessons=3)
    client("POST", f"/courses/{cid}/enrolment", claims=HANAKO)
    _, outline = client("GET", f"/courses/{cid}/lessons", claims=HANAKO)
    ids = [lesson["lessonId"] for lesson in outline["lessons"]]
    client("PUT", f"/courses/{cid}/lessons/{ids[0]}/completion", claims=HANAKO)
    _, mine = client("GET", "/me/enrolments", claims=HANAKO)
    (row,) = mine["items"]
    assert row["progress"]["percent"] == 33
    assert row["progress"]["completedLessons"] == 1
    assert row["nextLessonId"] == ids[1]


def _progress_after_deleting(lessons: int, completed: set[int], deleted: set[int]) -> None:
    client = Client()
    cid = client.course(lessons=lessons)
    client("POST", f"/courses/{cid}/enrolment", claims=HANAKO)
    _, outline = client("GET", f"/courses/{cid}/lessons", claims=TEACHER)
    ids = [lesson["lessonId"] for lesson in outline["lessons"]]
    version = outline["version"]
    for n in sorted(completed):
        client("PUT", f"/courses/{cid}/lessons/{ids[n]}/completion", claims=HANAKO)
    for n in sorted(deleted):
        status, order = client(
            "DELETE",
            f"/courses/{cid}/lessons/{ids[n]}",
            claims=TEACHER,
            query={"version": str(version)},
        )
        assert status == 200, order
        version = order["version"]
    kept = [n for n in range(lessons) if n not in deleted]
    done = [n for n in kept if n in completed]
    _, progress = client("GET", f"/courses/{cid}/progress", claims=HANAKO)
    assert progress["totalLessons"] == len(kept)
    assert progress["completedLessonIds"] == [ids[n] for n in done]
    assert progress["percent"] == (len(done) * 100 // len(kept) if kept else 0)
    _, teacher = client("GET", f"/courses/{cid}/enrolments", claims=TEACHER)
    assert teacher["items"][0]["percent"] == progress["percent"]


@settings(max_examples=25, deadline=None)
@given(
    st.integers(1, 5).flatmap(
        lambda n: st.tuples(
            st.just(n), st.sets(st.integers(0, n - 1)), st.sets(st.integers(0, n - 1))
        )
    )
)
def test_app_crs_03_progress_stays_right_after_lessons_are_deleted(
    case: tuple[int, set[int], set[int]],
) -> None:
    """Property: whatever was completed and whichever lessons go, progress counts the completed
    lessons that remain, over the lessons that remain."""
    _progress_after_deleting(*case)


def test_app_crs_01_deleting_a_lesson_needs_the_current_order_version() -> None:
    client = Client()
    cid = client.course(lessons=2)
    _, outline = client("GET", f"/courses/{cid}/lessons", claims=TEACHER)
    first = outline["lessons"][0]["lessonId"]
    status, problem = client("DELETE", f"/courses/{cid}/lessons/{first}", claims=TEACHER)
    assert status == 400
    assert problem["errors"][0]["field"] == "version"
    stale = {"version": str(outline["version"] - 1)}
    status, _ = client("DELETE", f"/courses/{cid}/lessons/{first}", claims=TEACHER, query=stale)
    assert status == 409
    status, _ = client("DELETE", f"/courses/{cid}/lessons/nope", claims=TEACHER, query=stale)
    assert status == 404


def test_app_asg_01_an_assignment_is_edited_and_deleted_at_its_version() -> None:
    client = Client()
    cid = client.course()
    aid = client.assignment(cid)
    path = f"/courses/{cid}/assignments/{aid}"
    change = {"title": "課題1(改)", "dueAt": "2999-02-01T09:00:00+09:00", "version": 1}
    status, edited = client("PATCH", path, body=change, claims=TEACHER)
    assert status == 200
    assert (edited["title"], edited["dueAt"], edited["instructions"], edited["version"]) == (
        "課題1(改)",
        "2999-02-01T00:00:00.000Z",
        "提出",
        2,
    )
    status, _ = client("PATCH", path, body=change, claims=TEACHER)
    assert status == 409
    status, _ = client("DELETE", path, claims=TEACHER, query={"version": "1"})
    assert status == 409
    deleted = client.raw("DELETE", path, claims=TEACHER, query={"version": "2"})
    assert (deleted["statusCode"], deleted["body"]) == (204, "")  # No Content: not even `null`
    assert client("GET", path, claims=TEACHER)[0] == 404
    _, listed = client("GET", f"/courses/{cid}/assignments", claims=TEACHER)
    assert listed["items"] == []


def test_app_err_01_a_reused_idempotency_key_with_another_body_is_422() -> None:
    client = Client()
    cid = client.course()
    key = {"Idempotency-Key": "create-1"}
    creates = [
        ("/courses", {"title": "A"}, {"title": "B"}),
        (f"/courses/{cid}/lessons", {"title": "L", "body": "x"}, {"title": "L", "body": "y"}),
        (
            f"/courses/{cid}/assignments",
            {"title": "A", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"},
            {"title": "A", "instructions": "", "dueAt": "2999-01-02T00:00:00Z"},
        ),
    ]
    for path, body, other in creates:
        first = client("POST", path, body=body, claims=TEACHER, headers=key)
        again = client("POST", path, body=body, claims=TEACHER, headers=key)
        assert first[0] == again[0] == 201
        assert first[1] == again[1]
        status, problem = client("POST", path, body=other, claims=TEACHER, headers=key)
        assert status == 422, path
        assert problem["type"].endswith("idempotency-key-reused")


def test_app_asg_04_grades_export_as_csv_excel_reads_in_japanese() -> None:
    client = Client()
    cid = client.course()
    first, second = client.assignment(cid, "課題1"), client.assignment(cid, "課題2")
    for learner in (HANAKO, TARO):
        client("POST", f"/courses/{cid}/enrolment", claims=learner)
    client.submit(cid, first, HANAKO)
    client.store.set_scan_status(cid, first, "learner-1", SubmissionStatus.CLEAN)
    grade = {"grade": 85, "feedback": "よくできました", "version": 2}
    path = f"/courses/{cid}/assignments/{first}/submissions/learner-1/grade"
    assert client("PUT", path, body=grade, claims=TEACHER)[0] == 200
    client.submit(cid, second, TARO)
    client.store.set_scan_status(cid, second, "learner-2", SubmissionStatus.INFECTED)

    response = client.raw("GET", f"/courses/{cid}/grades.csv", claims=TEACHER)
    assert response["statusCode"] == 200
    assert response["multiValueHeaders"]["Content-Type"] == ["text/csv; charset=utf-8"]
    data = response["body"].encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf")  # the BOM Excel looks for
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert rows[0] == [
        "氏名",
        "メールアドレス",
        "課題",
        "状態",
        "点数",
        "フィードバック",
        "提出日時",
    ]
    table = [r[:6] for r in rows[1:]]
    assert table == [
        ["山田 花子", "hanako@example.com", "課題1", "採点済み", "85", "よくできました"],
        ["山田 花子", "hanako@example.com", "課題2", "未提出", "", ""],
        ["'=1+1", "taro@example.com", "課題1", "未提出", "", ""],
        ["'=1+1", "taro@example.com", "課題2", "危険なファイル", "", ""],
    ]
    assert rows[1][6].startswith("20")
    assert "\r\n" in response["body"]
    assert client("GET", f"/courses/{cid}/grades.csv", claims=HANAKO)[0] == 403
