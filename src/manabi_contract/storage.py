"""Object keys of the buckets: the uploads' prefix and layout, the definitions' prefix.

The API presigns uploads under `submissions/`, S3 notifies the scan queue for that prefix, the
scanner and the reconciler only look there, and GuardDuty's protection plan covers only it.
"""

from __future__ import annotations

from typing import NamedTuple

SUBMISSIONS_PREFIX = "submissions/"
DEFINITIONS_PREFIX = "definitions/"  # virus definitions: `definitions/<version>/` (MP-AV-04)
# The largest file a learner may submit; the scanner's default limit is the same (MP-AV-02).
MAX_SUBMISSION_BYTES = 100 * 1024 * 1024
# Upload tickets a learner may ask for in one clock hour (UTC) unless the environment says
# otherwise: a class resubmitting its work fits; a client in a loop stops (GL-SEC-04).
DEFAULT_UPLOADS_PER_HOUR = 20


class SubmissionRef(NamedTuple):
    """Which submission an object of the data bucket belongs to (parsed from its key)."""

    course_id: str
    assignment_id: str
    learner_id: str
    upload_id: str


def submission_object_key(
    course_id: str, assignment_id: str, learner_id: str, upload_id: str
) -> str:
    return f"{SUBMISSIONS_PREFIX}{course_id}/{assignment_id}/{learner_id}/{upload_id}"


def parse_submission_key(key: str) -> SubmissionRef | None:
    """The submission of an uploaded object; None for any key outside the uploads' layout."""
    if not key.startswith(SUBMISSIONS_PREFIX):
        return None
    parts = key[len(SUBMISSIONS_PREFIX) :].split("/")
    if len(parts) != 4 or not all(parts):
        return None
    return SubmissionRef(*parts)
