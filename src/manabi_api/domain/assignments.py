"""Assignments, submissions and grading (APP-ASG-01, metadata side of APP-ASG-02/03).

The file itself travels by presigned POST straight to the data bucket and is scanned by the
scanner (manabi_scanner); here a submission records what was sent, its scan status and, once
clean, the teacher's grade and feedback. The emulator does not enforce presigned policies, so the
service checks the stored object's real size and type before it records the submission, and signs
downloads only for CLEAN objects (APP-ASG-02/03, MP-AV-02).
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from manabi_api.domain.access import can_manage, managed_course, visible_course
from manabi_api.domain.courses import CourseStatus, idempotent_id
from manabi_api.domain.errors import (
    Conflict,
    FieldIssue,
    Forbidden,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from manabi_api.domain.principal import Principal
from manabi_api.ports.courses import LearningStore, Page
from manabi_api.ports.files import TAG_STATUS, FileStore, ScanRequests
from manabi_api.ports.runtime import Clock, IdGenerator

# What a learner may upload (APP-ASG-02): documents, images, plain text and zip archives.
ALLOWED_CONTENT_TYPES = frozenset(
    {
        "application/pdf",
        "application/zip",
        "application/msword",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "image/png",
        "image/jpeg",
        "text/plain",
    }
)
MAX_UPLOAD_BYTES = 100 * 1024 * 1024  # the scanner's limit is the same (manabi_scanner.config)
UPLOAD_EXPIRY_SECONDS = 300
DOWNLOAD_EXPIRY_SECONDS = 300
SUBMISSION_PREFIX = "submissions/"


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
    object_key: str | None = None
    object_version: str | None = None


class UploadTicket(NamedTuple):
    upload_id: str
    key: str
    url: str
    fields: dict[str, str]
    expires_at: str
    max_bytes: int


class DownloadLink(NamedTuple):
    url: str
    expires_at: str


class SubmissionRef(NamedTuple):
    """Which submission an object of the data bucket belongs to (parsed from its key)."""

    course_id: str
    assignment_id: str
    learner_id: str
    upload_id: str


def submission_key(course_id: str, assignment_id: str, learner_id: str, upload_id: str) -> str:
    return f"{SUBMISSION_PREFIX}{course_id}/{assignment_id}/{learner_id}/{upload_id}"


def parse_submission_key(key: str) -> SubmissionRef | None:
    if not key.startswith(SUBMISSION_PREFIX):
        return None
    parts = key[len(SUBMISSION_PREFIX) :].split("/")
    if len(parts) != 4 or not all(parts):
        return None
    return SubmissionRef(*parts)


def _later(now: str, seconds: int) -> str:
    from datetime import datetime, timedelta

    moment = datetime.fromisoformat(now.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


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


def _check_file(file: FileMetadata) -> None:
    issues = []
    if file.content_type not in ALLOWED_CONTENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_CONTENT_TYPES))
        issues.append(FieldIssue("contentType", f"must be one of {allowed}", "enum"))
    if not 0 < file.size_bytes <= MAX_UPLOAD_BYTES:
        issues.append(FieldIssue("sizeBytes", f"must be 1..{MAX_UPLOAD_BYTES}", "maximum"))
    if issues:
        raise InvalidInput("The file cannot be submitted.", issues)


def can_grade(submission: Submission) -> bool:
    return submission.status is SubmissionStatus.CLEAN


class AssignmentService:
    def __init__(
        self,
        store: LearningStore,
        clock: Clock,
        ids: IdGenerator,
        files: FileStore,
        scans: ScanRequests | None = None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._ids = ids
        self._files = files
        self._scans = scans

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

    def _open_for(
        self, learner: Principal, course_id: str, assignment_id: str
    ) -> Submission | None:
        snapshot = self._store.load(
            course_id, learner_id=learner.user_id, assignment_id=assignment_id
        )
        visible_course(learner, snapshot.course, course_id)
        if snapshot.enrolment is None:
            raise Forbidden("Enrol in the course first.")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        if not is_open(snapshot.assignment, self._clock.now_iso()):
            raise Conflict("The due date has passed; submissions are closed.")
        return snapshot.submission

    def start_upload(
        self, learner: Principal, course_id: str, assignment_id: str, file: FileMetadata
    ) -> UploadTicket:
        """A presigned POST for one file of this learner's submission: key bound to the
        submission, one content type, at most the declared size, five minutes (APP-ASG-02)."""
        _check_file(file)
        self._open_for(learner, course_id, assignment_id)
        upload_id = self._ids.new_id()
        key = submission_key(course_id, assignment_id, learner.user_id, upload_id)
        form = self._files.presign_upload(
            key, file.content_type, file.size_bytes, UPLOAD_EXPIRY_SECONDS
        )
        expires_at = _later(self._clock.now_iso(), UPLOAD_EXPIRY_SECONDS)
        return UploadTicket(upload_id, key, form.url, form.fields, expires_at, file.size_bytes)

    def submit(
        self,
        learner: Principal,
        course_id: str,
        assignment_id: str,
        file: FileMetadata,
        upload_id: str,
    ) -> Submission:
        """Record a (re)submission once its file is in the bucket: status PENDING until the
        scanner's verdict; allowed while the assignment is open. The stored object must have
        the declared size and type (the emulator does not enforce the POST policy). Tags on the
        object are not trusted here: only the scanner's verdict on the record opens a download.
        A resubmission clears the previous grade."""
        _check_file(file)
        previous = self._open_for(learner, course_id, assignment_id)
        key = submission_key(course_id, assignment_id, learner.user_id, upload_id)
        stored = self._files.inspect(key)
        if stored is None:
            raise Conflict("The file has not been uploaded (or the upload expired).")
        issues = []
        if stored.size_bytes != file.size_bytes:
            issues.append(FieldIssue("sizeBytes", "does not match the uploaded file", "upload"))
        if stored.content_type not in (None, file.content_type):
            issues.append(FieldIssue("contentType", "does not match the uploaded file", "upload"))
        if issues:
            raise InvalidInput("The uploaded file is not the one declared.", issues)
        now = self._clock.now_iso()
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
            object_key=key,
            object_version=stored.version_id,
        )
        self._store.save_submission(submission, None if previous is None else previous.version)
        if self._scans is not None and TAG_STATUS in stored.tags:
            # The scan beat this call: its verdict found no record to update and may have
            # stopped waiting for one. The scanner judges the version again (its tags are never
            # taken from here), and that verdict reaches the record saved above.
            self._scans.rescan(key, stored.version_id)
        return submission

    def download(
        self, principal: Principal, course_id: str, assignment_id: str, learner_id: str
    ) -> DownloadLink:
        """A short-lived GET of the exact version, only when the submission and the object's
        own verdict tag both say CLEAN (MP-AV-02, APP-ASG-03)."""
        submission = self.submission(principal, course_id, assignment_id, learner_id)
        if submission.status is not SubmissionStatus.CLEAN or submission.object_key is None:
            raise Conflict(f"Only clean files are downloaded (this one is {submission.status}).")
        stored = self._files.inspect(submission.object_key, submission.object_version)
        if stored is None or stored.tags.get(TAG_STATUS) != SubmissionStatus.CLEAN.value:
            raise Conflict("The file has no clean verdict.")
        url = self._files.presign_download(
            submission.object_key,
            submission.object_version,
            submission.file_name,
            DOWNLOAD_EXPIRY_SECONDS,
        )
        return DownloadLink(url, _later(self._clock.now_iso(), DOWNLOAD_EXPIRY_SECONDS))

    def record_verdict(self, key: str, status: SubmissionStatus) -> bool:
        """The scanner's hook: set the status of the submission whose file is `key`. False when
        the object is not (or not yet) a submission's current file, or the verdict is final."""
        ref = parse_submission_key(key)
        if ref is None:
            return False
        try:
            self._store.set_scan_status(
                ref.course_id, ref.assignment_id, ref.learner_id, status, object_key=key
            )
        except NotFound:
            return False
        return True

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
