"""Submissions of an assignment: upload, (re)submit, download, grade (APP-ASG-02, APP-ASG-03)."""

from __future__ import annotations

from typing import Any

from manabi_api.api.access import LEARNING, SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND
from manabi_api.api.routers.assignments import ASSIGNMENT
from manabi_api.api.routers.enrolment import person_json
from manabi_api.api.routing import Reply, Request, ResourceRouter, page_json
from manabi_api.domain.submissions import SubmissionService
from manabi_api.kernel.assignments import FileMetadata, Submission, UploadTicket
from manabi_api.kernel.people import Person
from manabi_contract.app_metrics import GRADES, SUBMISSIONS

# The same resource as the assignments' in the OpenAPI document (tag `assignments`).
router: ResourceRouter[SubmissionService] = ResourceRouter("assignments")
MY_SUBMISSION = f"{ASSIGNMENT}/submission"  # the caller's own
UPLOADS = f"{MY_SUBMISSION}/uploads"
LEARNER_SUBMISSION = ASSIGNMENT + "/submissions/{learnerId}"
DOWNLOAD = f"{LEARNER_SUBMISSION}/download"
GRADE = f"{LEARNER_SUBMISSION}/grade"


def submission_json(s: Submission) -> dict[str, object]:
    return {
        "courseId": s.course_id,
        "assignmentId": s.assignment_id,
        "learnerId": s.learner_id,
        "fileName": s.file_name,
        "contentType": s.content_type,
        "sizeBytes": s.size_bytes,
        "status": s.status.value,
        "attempt": s.attempt,
        "submittedAt": s.submitted_at,
        "grade": s.grade,
        "feedback": s.feedback,
        "gradedAt": s.graded_at,
        "version": s.version,
    }


def named_submission_json(row: tuple[Submission, Person]) -> dict[str, object]:
    return {**submission_json(row[0]), **person_json(row[1])}


def upload_json(t: UploadTicket) -> dict[str, object]:
    return {
        "uploadId": t.upload_id,
        "key": t.key,
        "url": t.url,
        "fields": t.fields,
        "expiresAt": t.expires_at,
        "maxBytes": t.max_bytes,
    }


def _file(body: Any) -> FileMetadata:
    return FileMetadata(body["fileName"], body["contentType"], body["sizeBytes"])


@router.post(
    UPLOADS, "startUpload", LEARNING, {201: "UploadTicket", **CHANGING}, body="UploadRequest"
)
def start_upload(request: Request, submissions: SubmissionService) -> Reply:
    """A presigned POST for the file of a (re)submission (type, size, 5 minutes); each counts
    towards the learner's uploads of the clock hour (UTC; 20 unless configured): past them, 429
    upload-limit with Retry-After until the next hour"""
    file = _file(request.body)
    ticket = submissions.start_upload(
        request.caller, request.course_id, request.assignment_id, file
    )
    return Reply(201, upload_json(ticket))


@router.put(
    MY_SUBMISSION, "submit", LEARNING, {200: "Submission", **CHANGING}, body="SubmissionCreate"
)
def submit(request: Request, submissions: SubmissionService) -> Reply:
    """Record the caller's (re)submission once its file is uploaded; status PENDING until scanned;
    until the due date"""
    file, upload_id = _file(request.body), request.body["uploadId"]
    submission = submissions.submit(
        request.caller, request.course_id, request.assignment_id, file, upload_id
    )
    return Reply(200, submission_json(submission), action=SUBMISSIONS)


@router.get(DOWNLOAD, "downloadSubmission", SIGNED_IN, {200: "DownloadLink", **CHANGING})
def download_submission(request: Request, submissions: SubmissionService) -> Reply:
    """A short-lived download link of a CLEAN submission (that learner, or the teacher)"""
    link = submissions.download(
        request.caller, request.course_id, request.assignment_id, request.learner_id
    )
    return Reply(200, {"url": link.url, "expiresAt": link.expires_at})


@router.get(MY_SUBMISSION, "getMySubmission", LEARNING, {200: "Submission", **FOUND})
def my_submission(request: Request, submissions: SubmissionService) -> Reply:
    """The caller's submission, status, grade and feedback"""
    caller = request.caller
    submission = submissions.get(caller, request.course_id, request.assignment_id, caller.user_id)
    return Reply(200, submission_json(submission))


@router.get_page(
    f"{ASSIGNMENT}/submissions", "listSubmissions", TEACHING, {200: "SubmissionPage", **FOUND}
)
def list_submissions(request: Request, submissions: SubmissionService) -> Reply:
    """Every learner's submission (the course's teacher)"""
    page = submissions.list(request.caller, request.course_id, request.assignment_id, *request.page)
    return Reply(200, page_json(page, named_submission_json))


@router.get(LEARNER_SUBMISSION, "getSubmission", SIGNED_IN, {200: "Submission", **FOUND})
def get_submission(request: Request, submissions: SubmissionService) -> Reply:
    """One learner's submission with their name and e-mail (that learner, or the teacher)"""
    named = submissions.get_named(
        request.caller, request.course_id, request.assignment_id, request.learner_id
    )
    return Reply(200, named_submission_json(named))


@router.put(GRADE, "gradeSubmission", TEACHING, {200: "Submission", **CHANGING}, body="Grade")
def grade(request: Request, submissions: SubmissionService) -> Reply:
    """Grade a clean submission (0–100) with feedback"""
    body = request.body
    submission = submissions.grade(
        request.caller,
        request.course_id,
        request.assignment_id,
        request.learner_id,
        body["grade"],
        body["feedback"],
        body["version"],
    )
    return Reply(200, submission_json(submission), action=GRADES)
