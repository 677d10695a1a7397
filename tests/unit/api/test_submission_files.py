"""APP-ASG-02/03, MP-AV-02/03 on the API side: presigned upload, checked completion, clean-only
downloads and the scanner's verdict hook (the emulator enforces neither presigned policies nor
bucket policies, so the API does)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_api.api.application import create_api
from manabi_api.kernel.assignments import SubmissionStatus
from manabi_contract.storage import SubmissionRef, parse_submission_key
from manabi_contract.storage import submission_object_key as submission_key
from tests.fakes.memory_files import InMemoryFileStore, RecordedScanRequests
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import MemorySubmissionVerdicts, fake_services
from tests.support_events import LEARNER, TEACHER, rest_event

FILE = {"fileName": "レポート.pdf", "contentType": "application/pdf", "sizeBytes": 2048}


class World:
    def __init__(self, store: InMemoryLearningStore | None = None) -> None:
        self.store = store or InMemoryLearningStore()
        self.files = InMemoryFileStore()
        self.scans = RecordedScanRequests()
        self.services = fake_services(self.store, files=self.files, scans=self.scans)
        self.api = create_api(self.services, allowed_origin=None)
        self.verdicts = MemorySubmissionVerdicts(self.store)
        _, course = self.call("POST", "/courses", TEACHER, {"title": "C"})
        cid = course["courseId"]
        self.call("POST", f"/courses/{cid}/lessons", TEACHER, {"title": "L", "body": "b"})
        self.call("POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
        body = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
        _, assignment = self.call("POST", f"/courses/{cid}/assignments", TEACHER, body)
        self.call("POST", f"/courses/{cid}/enrolment", LEARNER, None)
        self.base = f"/courses/{cid}/assignments/{assignment['assignmentId']}"

    def call(self, method: str, path: str, claims: Any, body: Any) -> tuple[int, Any]:
        response = self.api.resolve(rest_event(method, path, claims=claims, body=body), None)
        return response["statusCode"], json.loads(response["body"] or "null")

    def ticket(self, file: dict[str, Any] = FILE) -> dict[str, Any]:
        status, ticket = self.call("POST", f"{self.base}/submission/uploads", LEARNER, file)
        assert status == 201, ticket
        return dict(ticket)

    def submitted(self) -> tuple[str, dict[str, Any]]:
        ticket = self.ticket()
        self.files.put(ticket["key"], FILE["sizeBytes"], FILE["contentType"])
        body = {**FILE, "uploadId": ticket["uploadId"]}
        status, submission = self.call("PUT", f"{self.base}/submission", LEARNER, body)
        assert (status, submission["status"]) == (200, "PENDING")
        return ticket["key"], submission

    def download(self, claims: dict[str, str] = TEACHER) -> tuple[int, Any]:
        return self.call("GET", f"{self.base}/submissions/learner-1/download", claims, None)


@pytest.fixture
def world() -> World:
    return World()


def test_app_asg_02_upload_ticket_binds_key_type_and_size(world: World) -> None:
    ticket = world.ticket()
    course_id, assignment_id = world.base.split("/")[2], world.base.split("/")[4]
    assert ticket["key"] == submission_key(
        course_id, assignment_id, "learner-1", ticket["uploadId"]
    )
    assert ticket["fields"]["Content-Type"] == "application/pdf"
    assert ticket["maxBytes"] == 2048
    assert ticket["expiresAt"] > "2026"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"contentType": "application/x-msdownload"}, "contentType"),
        ({"sizeBytes": 100 * 1024 * 1024 + 1}, "sizeBytes"),
    ],
)
def test_app_asg_02_type_and_size_limits(world: World, change: dict[str, Any], field: str) -> None:
    status, problem = world.call(
        "POST", f"{world.base}/submission/uploads", LEARNER, {**FILE, **change}
    )
    assert status == 400
    assert field in json.dumps(problem)


def test_app_asg_02_completion_checks_the_stored_object(world: World) -> None:
    ticket = world.ticket()
    body = {**FILE, "uploadId": ticket["uploadId"]}
    path = f"{world.base}/submission"
    assert world.call("PUT", path, LEARNER, body)[0] == 409  # nothing uploaded
    world.files.put(ticket["key"], 10 * 1024 * 1024, "application/x-msdownload")  # policy ignored
    status, problem = world.call("PUT", path, LEARNER, body)
    fields = {issue["field"] for issue in problem["errors"]}
    assert (status, fields) == (400, {"sizeBytes", "contentType"})
    assert world.call("GET", path, LEARNER, None)[0] == 404  # nothing half-written


def test_mp_av_02_a_forged_verdict_tag_on_upload_opens_nothing(world: World) -> None:
    ticket = world.ticket()
    world.files.put(ticket["key"], 2048, "application/pdf", {"av-status": "CLEAN"})
    body = {**FILE, "uploadId": ticket["uploadId"]}
    status, submission = world.call("PUT", f"{world.base}/submission", LEARNER, body)
    assert (status, submission["status"]) == (200, "PENDING")
    assert world.download()[0] == 409


def test_mp_av_01_a_completion_after_the_verdict_asks_the_scanner_again(world: World) -> None:
    """MP-AV-01: when the scan beat the completion call, its verdict found no record and may
    have stopped waiting; the API asks for the exact version to be judged again (it never takes
    the verdict from the tags itself)."""
    key, _ = world.submitted()
    assert world.scans.requested == []  # no verdict yet: the upload's own notification will do
    ticket = world.ticket()
    stored = world.files.put(ticket["key"], 2048, "application/pdf", {"av-status": "CLEAN"})
    body = {**FILE, "uploadId": ticket["uploadId"]}
    status, submission = world.call("PUT", f"{world.base}/submission", LEARNER, body)
    assert (status, submission["status"]) == (200, "PENDING")
    assert world.scans.requested == [(ticket["key"], stored.version_id)]
    assert key != ticket["key"]


def test_mp_av_02_only_clean_files_are_downloaded(world: World) -> None:
    key, _ = world.submitted()
    assert world.download()[0] == 409  # PENDING
    assert world.verdicts.record(key, SubmissionStatus.CLEAN)
    assert world.download()[0] == 409  # the record says CLEAN, the object has no verdict tag
    world.files.tag(key, {"av-status": "CLEAN"})
    status, link = world.download()
    assert status == 200
    assert "versionId=" in link["url"]
    assert world.download(LEARNER)[0] == 200  # the learner, for their own file


@pytest.mark.parametrize("verdict", [SubmissionStatus.INFECTED, SubmissionStatus.ERROR])
def test_mp_av_02_infected_and_error_files_stay_unreadable(
    world: World, verdict: SubmissionStatus
) -> None:
    key, _ = world.submitted()
    world.files.tag(key, {"av-status": "CLEAN"})  # even a wrong tag does not open it
    assert world.verdicts.record(key, verdict)
    assert world.download()[0] == 409


def test_mp_av_03_infected_verdict_is_final(world: World) -> None:
    key, _ = world.submitted()
    assert world.verdicts.record(key, SubmissionStatus.INFECTED)
    assert not world.verdicts.record(key, SubmissionStatus.CLEAN)
    _, mine = world.call("GET", f"{world.base}/submission", LEARNER, None)
    assert mine["status"] == "INFECTED"


def test_verdicts_of_stale_or_foreign_objects_are_ignored(world: World) -> None:
    old_key, _ = world.submitted()
    new_key, _ = world.submitted()  # resubmission: a new object
    verdicts = world.verdicts
    assert not verdicts.record(old_key, SubmissionStatus.CLEAN)
    assert not verdicts.record("elsewhere/x", SubmissionStatus.CLEAN)
    assert verdicts.record(new_key, SubmissionStatus.CLEAN)


def test_submission_keys_round_trip() -> None:
    key = submission_key("c1", "a1", "sub-1", "u1")
    assert parse_submission_key(key) == SubmissionRef("c1", "a1", "sub-1", "u1")
    for bad in (
        "submissions/c/a/l",
        "submissions/c/a/l/u/x",
        "submissions/c//l/u",
        "other/c/a/l/u",
    ):
        assert parse_submission_key(bad) is None


def test_gl_rel_01_an_upload_that_is_not_the_file_declared_is_discarded(world: World) -> None:
    """GL-REL-01: the emulator keeps what S3's POST policy refuses; the API deletes that exact
    version and tells the learner, so no orphan stays in the bucket."""
    ticket = world.ticket()
    world.files.put(ticket["key"], 10 * FILE["sizeBytes"], FILE["contentType"])
    body = {**FILE, "uploadId": ticket["uploadId"]}
    status, problem = world.call("PUT", f"{world.base}/submission", LEARNER, body)
    assert status == 400
    assert [e["field"] for e in problem["errors"]] == ["sizeBytes"]
    assert "discarded" in problem["detail"]
    assert world.files.inspect(ticket["key"]) is None


@pytest.mark.parametrize(
    "name", ["\u0000.pdf", "\u202ecod.exe\u202d.pdf", "CON", "nul.txt", "a.", "a/b.pdf"]
)
def test_gl_rel_01_file_names_people_would_misread_are_refused(world: World, name: str) -> None:
    """GL-REL-01: no control or bidirectional characters, no device names, one path segment."""
    status, problem = world.call(
        "POST", f"{world.base}/submission/uploads", LEARNER, {**FILE, "fileName": name}
    )
    assert status == 400
    assert [e["field"] for e in problem["errors"]] == ["fileName"]


class VerdictBetweenReadAndWrite(InMemoryLearningStore):
    """The scanner records the previous file's verdict after the completion read it."""

    def __init__(self) -> None:
        super().__init__()
        self.race = False

    def save_submission(self, submission: Any, expected_version: int | None) -> None:
        if self.race and expected_version is not None:
            self.race = False
            self.set_scan_status(
                submission.course_id, submission.assignment_id, submission.learner_id,
                SubmissionStatus.CLEAN,
            )  # fmt: skip
        super().save_submission(submission, expected_version)


def test_gl_rel_01_a_resubmission_racing_the_previous_verdict_is_recorded() -> None:
    """GL-REL-01: the only other writer of a submission is the scanner's verdict; a
    resubmission that meets it reads again once instead of answering 409."""
    store = VerdictBetweenReadAndWrite()
    world = World(store)
    world.submitted()
    store.race = True
    _, second = world.submitted()
    assert (second["attempt"], second["status"]) == (2, "PENDING")
    assert not store.race  # the verdict did land in between
