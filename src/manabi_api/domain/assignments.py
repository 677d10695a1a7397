"""Assignments, submissions and grading (APP-ASG-01, metadata side of APP-ASG-02/03).

The file itself travels by presigned upload and is scanned elsewhere; here a submission records
what was sent, its scan status and, once clean, the teacher's grade and feedback.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from manabi_api.domain.access import can_manage, managed_course, visible_course
from manabi_api.domain.courses import CourseStatus, idempotent_id
from manabi_api.domain.errors import Conflict, Forbidden, NotFound, StaleVersion
from manabi_api.domain.principal import Principal
from manabi_api.ports.courses import LearningStore, Page
from manabi_api.ports.runtime import Clock, IdGenerator


class SubmissionStatus(StrEnum):
    PENDING = "PENDING"  # 検査中
    CLEAN = "CLEAN"  # 安全
    INFECTED = "INFECTED"  # 危険
    ERROR = "ERROR"  # エラー


class Assignment(NamedTuple):
    course_id: str
    assignment_id: str
    title: str
    instructions: str
    due_at: str  # ISO 8601 UTC, e.g. 2026-12-01T15:00:00Z
    created_at: str
    updated_at: str
    version: int


class NewAssignment(NamedTuple):
    title: str
    instructions: str
    due_at: str


class Submission(NamedTuple):
    course_id: str
    assignment_id: str
    learner_id: str
    file_name: str
    content_type: str
    size_bytes: int
    status: SubmissionStatus
    attempt: int
    submitted_at: str
    version: int
    grade: int | None = None
    feedback: str | None = None
    graded_at: str | None = None


class FileMetadata(NamedTuple):
    file_name: str
    content_type: str
    size_bytes: int


def normalise_instant(text: str) -> str:
    """ISO 8601 with an offset → comparable UTC text `YYYY-MM-DDTHH:MM:SS(.fff)Z`."""
    from datetime import UTC, datetime

    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def is_open(assignment: Assignment, now: str) -> bool:
    """Submissions and resubmissions are accepted up to and including the due instant."""
    return normalise_instant(now) <= normalise_instant(assignment.due_at)


def can_grade(submission: Submission) -> bool:
    return submission.status is SubmissionStatus.CLEAN


class AssignmentService:
    def __init__(self, store: LearningStore, clock: Clock, ids: IdGenerator) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids

    def create(
        self,
        principal: Principal,
        course_id: str,
        new: NewAssignment,
        idempotency_key: str | None = None,
    ) -> Assignment:
        course = managed_course(principal, self._store.get(course_id), course_id)
        if course.status is CourseStatus.ARCHIVED:
            raise Conflict("An archived course cannot get new assignments.")
        now = self._clock.now_iso()
        assignment = Assignment(
            course_id,
            idempotent_id(self._ids, principal, f"assignment:{course_id}", idempotency_key),
            new.title.strip(),
            new.instructions,
            normalise_instant(new.due_at),
            now,
            now,
            1,
        )
        try:
            self._store.add_assignment(assignment)
        except Conflict:
            existing = self._store.load(course_id, assignment_id=assignment.assignment_id)
            if idempotency_key is None or existing.assignment is None:
                raise
            return existing.assignment
        return assignment

    def list(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> Page[Assignment]:
        snapshot = self._store.load(course_id, learner_id=principal.user_id)
        course = visible_course(principal, snapshot.course, course_id)
        if not can_manage(principal, course) and snapshot.enrolment is None:
            raise Forbidden("Enrol in the course to see its assignments.")
        return self._store.assignments(course_id, limit, cursor)

    def get(self, principal: Principal, course_id: str, assignment_id: str) -> Assignment:
        snapshot = self._store.load(
            course_id, learner_id=principal.user_id, assignment_id=assignment_id
        )
        course = visible_course(principal, snapshot.course, course_id)
        if not can_manage(principal, course) and snapshot.enrolment is None:
            raise Forbidden("Enrol in the course to see its assignments.")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        return snapshot.assignment

    def submit(
        self, learner: Principal, course_id: str, assignment_id: str, file: FileMetadata
    ) -> Submission:
        """Record a (re)submission: status PENDING until the scanner's verdict; allowed while
        the assignment is open. A resubmission clears the previous grade."""
        snapshot = self._store.load(
            course_id, learner_id=learner.user_id, assignment_id=assignment_id
        )
        visible_course(learner, snapshot.course, course_id)
        if snapshot.enrolment is None:
            raise Forbidden("Enrol in the course first.")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        now = self._clock.now_iso()
        if not is_open(snapshot.assignment, now):
            raise Conflict("The due date has passed; submissions are closed.")
        previous = snapshot.submission
        submission = Submission(
            course_id,
            assignment_id,
            learner.user_id,
            file.file_name,
            file.content_type,
            file.size_bytes,
            SubmissionStatus.PENDING,
            1 if previous is None else previous.attempt + 1,
            now,
            1 if previous is None else previous.version + 1,
        )
        self._store.save_submission(submission, None if previous is None else previous.version)
        return submission

    def submission(
        self, principal: Principal, course_id: str, assignment_id: str, learner_id: str
    ) -> Submission:
        """A learner reads their own submission; the course's teacher reads anyone's."""
        snapshot = self._store.load(course_id, learner_id=learner_id, assignment_id=assignment_id)
        course = visible_course(principal, snapshot.course, course_id)
        if learner_id != principal.user_id and not can_manage(principal, course):
            raise Forbidden("You may only read your own submissions.")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        if snapshot.submission is None:
            raise NotFound("Nothing has been submitted yet.")
        return snapshot.submission

    def submissions(
        self,
        principal: Principal,
        course_id: str,
        assignment_id: str,
        limit: int,
        cursor: str | None,
    ) -> Page[Submission]:
        snapshot = self._store.load(course_id, assignment_id=assignment_id)
        managed_course(principal, snapshot.course, course_id)
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        return self._store.submissions(course_id, assignment_id, limit, cursor)

    def grade(
        self,
        principal: Principal,
        course_id: str,
        assignment_id: str,
        learner_id: str,
        grade: int,
        feedback: str,
        version: int,
    ) -> Submission:
        snapshot = self._store.load(course_id, learner_id=learner_id, assignment_id=assignment_id)
        managed_course(principal, snapshot.course, course_id)
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        submission = snapshot.submission
        if submission is None:
            raise NotFound("Nothing has been submitted yet.")
        if submission.version != version:
            raise StaleVersion(f"The submission is at version {submission.version}, not {version}.")
        if not can_grade(submission):
            raise Conflict(f"Only clean submissions are graded (this one is {submission.status}).")
        graded = submission._replace(
            grade=grade,
            feedback=feedback,
            graded_at=self._clock.now_iso(),
            version=version + 1,
        )
        self._store.save_submission(graded, version)
        return graded
