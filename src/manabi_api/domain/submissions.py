"""Submissions and grading (APP-ASG-02, APP-ASG-03; the file side of MP-AV-02).

The file itself travels by presigned POST straight to the data bucket and is scanned by the
scanner (manabi_scanner), which records its verdict on the submission. Here a submission records
what was sent and, once clean, the teacher's grade and feedback. The emulator does not enforce
presigned policies, so the service checks the stored object's real size and type before it
records the submission, and signs downloads only for CLEAN objects.
"""

from __future__ import annotations

from manabi_api.domain.access import can_manage, managed_course, visible_course
from manabi_api.domain.learning import LearningService
from manabi_api.kernel.assignments import (
    DownloadLink,
    FileMetadata,
    Submission,
    SubmissionStatus,
    UploadTicket,
    can_grade,
    is_open,
)
from manabi_api.kernel.errors import (
    Conflict,
    FieldIssue,
    Forbidden,
    InvalidInput,
    NotFound,
    StaleVersion,
    UploadLimitReached,
)
from manabi_api.kernel.instants import hour_of, seconds_after
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import MAX_NAMED_PAGE, Person
from manabi_api.kernel.principal import Principal
from manabi_api.ports.files import FileStore, ScanRequests, StoredObject
from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock, IdGenerator
from manabi_contract.storage import (
    DEFAULT_UPLOADS_PER_HOUR,
    MAX_SUBMISSION_BYTES,
    submission_object_key,
)
from manabi_contract.verdicts import TAG_STATUS

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
UPLOAD_EXPIRY_SECONDS = 300
DOWNLOAD_EXPIRY_SECONDS = 300


def _check_file(file: FileMetadata) -> None:
    issues = []
    if file.content_type not in ALLOWED_CONTENT_TYPES:
        allowed = ", ".join(sorted(ALLOWED_CONTENT_TYPES))
        issues.append(FieldIssue("contentType", f"must be one of {allowed}", "enum"))
    if not 0 < file.size_bytes <= MAX_SUBMISSION_BYTES:
        issues.append(FieldIssue("sizeBytes", f"must be 1..{MAX_SUBMISSION_BYTES}", "maximum"))
    if issues:
        raise InvalidInput("The file cannot be submitted.", issues)


def _recorded(
    learner: Principal,
    course_id: str,
    assignment_id: str,
    file: FileMetadata,
    key: str,
    stored: StoredObject,
    previous: Submission | None,
    now: str,
) -> Submission:
    """The record of a (re)submission: PENDING, the next attempt and version, no grade."""
    return Submission(
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


class SubmissionService(LearningService):
    def __init__(
        self,
        store: LearningStore,
        clock: Clock,
        ids: IdGenerator,
        files: FileStore,
        scans: ScanRequests | None = None,
        uploads_per_hour: int = DEFAULT_UPLOADS_PER_HOUR,
    ) -> None:
        super().__init__(store, clock, ids)
        self._uploads_per_hour = uploads_per_hour
        self._files = files
        self._scans = scans  # None with the GuardDuty backend: its scans cannot be asked again

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
        submission, one content type, at most the declared size, five minutes (APP-ASG-02).
        Each ticket counts towards the learner's uploads of the clock hour (GL-SEC-04)."""
        _check_file(file)
        self._open_for(learner, course_id, assignment_id)
        self._count_upload(learner)
        upload_id = self._ids.new_id()
        key = submission_object_key(course_id, assignment_id, learner.user_id, upload_id)
        form = self._files.presign_upload(
            key, file.content_type, file.size_bytes, UPLOAD_EXPIRY_SECONDS
        )
        expires_at = seconds_after(self._clock.now_iso(), UPLOAD_EXPIRY_SECONDS)
        return UploadTicket(upload_id, key, form.url, form.fields, expires_at, file.size_bytes)

    def _count_upload(self, learner: Principal) -> None:
        hour = hour_of(self._clock.now_iso())
        limit = self._uploads_per_hour
        if not self._store.count_upload(learner.user_id, hour.key, limit, hour.ends_at_epoch):
            minutes = -(-hour.seconds_left // 60)
            raise UploadLimitReached(
                f"At most {limit} uploads an hour; the next hour starts in {minutes} min.",
                hour.seconds_left,
            )

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
        key = submission_object_key(course_id, assignment_id, learner.user_id, upload_id)
        for attempt in range(2):
            previous = self._open_for(learner, course_id, assignment_id)
            if previous is not None and previous.object_key == key:
                return previous  # a retry of this very completion: it is recorded already
            stored = self._uploaded(key, file)
            now = self._clock.now_iso()
            submission = _recorded(
                learner, course_id, assignment_id, file, key, stored, previous, now
            )
            try:
                self._store.save_submission(
                    submission, None if previous is None else previous.version
                )
                break
            except StaleVersion:
                # The only writer besides the learner is the scanner recording the previous
                # file's verdict between the read and the write above: read again, once.
                if attempt:
                    raise
        if self._scans is not None and TAG_STATUS in stored.tags:
            # The scan beat this call: its verdict found no record to update and may have
            # stopped waiting for one. The scanner judges the version again (its tags are never
            # taken from here), and that verdict reaches the record saved above.
            self._scans.rescan(key, stored.version_id)
        return submission

    def _uploaded(self, key: str, file: FileMetadata) -> StoredObject:
        """The uploaded object, if it is the file declared; one that is not is discarded (the
        emulator stores what S3's POST policy would refuse) and the learner told why."""
        stored = self._files.inspect(key)
        if stored is None:
            raise Conflict("The file has not been uploaded (or the upload expired).")
        issues = []
        if stored.size_bytes != file.size_bytes:
            issues.append(FieldIssue("sizeBytes", "does not match the uploaded file", "upload"))
        if stored.content_type not in (None, file.content_type):
            issues.append(FieldIssue("contentType", "does not match the uploaded file", "upload"))
        if issues:
            self._files.discard(key, stored.version_id)
            raise InvalidInput(
                "The uploaded file is not the one declared; it was discarded: upload it again.",
                issues,
            )
        return stored

    def download(
        self, principal: Principal, course_id: str, assignment_id: str, learner_id: str
    ) -> DownloadLink:
        """A short-lived GET of the exact version, only when the submission and the object's
        own verdict tag both say CLEAN (MP-AV-02, APP-ASG-03)."""
        submission = self.get(principal, course_id, assignment_id, learner_id)
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
        return DownloadLink(url, seconds_after(self._clock.now_iso(), DOWNLOAD_EXPIRY_SECONDS))

    def get(
        self, principal: Principal, course_id: str, assignment_id: str, learner_id: str
    ) -> Submission:
        """A learner reads their own submission; the course's teacher reads anyone's."""
        return self.get_named(principal, course_id, assignment_id, learner_id)[0]

    def get_named(
        self, principal: Principal, course_id: str, assignment_id: str, learner_id: str
    ) -> tuple[Submission, Person]:
        """`get`, with the learner's current name and e-mail (read in the same transaction)."""
        snapshot = self._store.load(
            course_id, learner_id=learner_id, assignment_id=assignment_id, people=(learner_id,)
        )
        course = visible_course(principal, snapshot.course, course_id)
        if learner_id != principal.user_id and not can_manage(principal, course):
            raise Forbidden("You may only read your own submissions.")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        if snapshot.submission is None:
            raise NotFound("Nothing has been submitted yet.")
        return snapshot.submission, snapshot.person(learner_id)

    def list(
        self,
        principal: Principal,
        course_id: str,
        assignment_id: str,
        limit: int,
        cursor: str | None,
    ) -> Page[tuple[Submission, Person]]:
        """Every learner's submission with their current name and e-mail: the page is read
        first, then the course, the assignment and the page's people in one transaction."""
        page = self._store.submissions(course_id, assignment_id, min(limit, MAX_NAMED_PAGE), cursor)
        learners = tuple(s.learner_id for s in page.items)
        snapshot = self._store.load(course_id, assignment_id=assignment_id, people=learners)
        managed_course(principal, snapshot.course, course_id)
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        rows = [(s, snapshot.person(s.learner_id)) for s in page.items]
        return Page(rows, page.next_cursor)

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
