"""listAssignments for a learner carries their own submission's state (mySubmission), so that the
course page and the learner's home show 未提出 / 検査中 / 評価済み without a request per row."""

from __future__ import annotations

from manabi_api.kernel.assignments import SubmissionStatus
from tests.support_events import TEACHER
from tests.unit.api.test_learning_product import HANAKO, TARO, Client


def test_app_asg_02_learners_see_their_own_submission_state_in_the_assignment_list() -> None:
    client = Client()
    cid = client.course()
    graded, infected, open_ = (client.assignment(cid, t) for t in ("課題1", "課題2", "課題3"))
    for learner in (HANAKO, TARO):
        client("POST", f"/courses/{cid}/enrolment", claims=learner)
    client.submit(cid, graded, HANAKO)
    client.store.set_scan_status(cid, graded, "learner-1", SubmissionStatus.CLEAN)
    path = f"/courses/{cid}/assignments/{graded}/submissions/learner-1/grade"
    grade = {"grade": 80, "feedback": "", "version": 2}
    assert client("PUT", path, body=grade, claims=TEACHER)[0] == 200
    client.submit(cid, infected, HANAKO)
    client.store.set_scan_status(cid, infected, "learner-1", SubmissionStatus.INFECTED)
    client.submit(cid, open_, TARO)  # another learner's: not Hanako's

    status, page = client("GET", f"/courses/{cid}/assignments", claims=HANAKO)
    assert status == 200
    mine = {a["assignmentId"]: a["mySubmission"] for a in page["items"]}
    assert mine == {
        graded: {"status": "CLEAN", "grade": 80},
        infected: {"status": "INFECTED", "grade": None},
        open_: None,
    }
    _, taro = client("GET", f"/courses/{cid}/assignments", claims=TARO)
    theirs = {a["assignmentId"]: a["mySubmission"] for a in taro["items"]}
    assert theirs == {graded: None, infected: None, open_: {"status": "PENDING", "grade": None}}


def test_app_asg_01_the_teacher_list_has_no_my_submission_and_pages_with_a_cursor() -> None:
    client = Client()
    cid = client.course()
    for n in range(3):
        client.assignment(cid, f"課題{n + 1}")
    status, first = client(
        "GET", f"/courses/{cid}/assignments", claims=TEACHER, query={"limit": "2"}
    )
    assert status == 200
    assert all("mySubmission" not in a for a in first["items"])
    assert len(first["items"]) == 2
    assert first["nextCursor"]
    query = {"limit": "2", "cursor": first["nextCursor"]}
    _, second = client("GET", f"/courses/{cid}/assignments", claims=TEACHER, query=query)
    titles = [a["title"] for a in first["items"] + second["items"]]  # each once, in id order
    assert sorted(titles) == ["課題1", "課題2", "課題3"]
    assert second["nextCursor"] is None
