"""Assignments, submissions and what a submitted file is (APP-ASG-01..03)."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

from manabi_api.kernel.instants import normalise_instant


class SubmissionStatus(StrEnum):
    """PENDING until scanned, then the scanner's verdict (manabi_contract.verdicts.AvStatus)."""

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


class AssignmentChanges(NamedTuple):
    version: int
    title: str | None = None
    instructions: str | None = None
    due_at: str | None = None


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


class FileMetadata(NamedTuple):
    file_name: str
    content_type: str
    size_bytes: int


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


def is_open(assignment: Assignment, now: str) -> bool:
    """Submissions and resubmissions are accepted up to and including the due instant."""
    return normalise_instant(now) <= normalise_instant(assignment.due_at)


def can_grade(submission: Submission) -> bool:
    return submission.status is SubmissionStatus.CLEAN
