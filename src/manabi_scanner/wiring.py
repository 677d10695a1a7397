"""Compose the scanner: S3 client, clamd engine and the submissions' verdict hook."""

from __future__ import annotations

from typing import TYPE_CHECKING

from manabi_scanner.scan import Engine, Scanner, VerdictSink
from manabi_scanner.verdict import AvStatus

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from manabi_api.domain.assignments import AssignmentService


class SubmissionVerdicts:
    """The verdict hook of the API's domain (AssignmentService.record_verdict)."""

    def __init__(self, assignments: AssignmentService) -> None:
        self._assignments = assignments

    def record(self, key: str, status: AvStatus) -> bool:
        from manabi_api.domain.assignments import SubmissionStatus

        return self._assignments.record_verdict(key, SubmissionStatus(status.value))


def now_iso() -> str:
    from manabi_api.ports.runtime import SystemClock

    return SystemClock().now_iso()


def dynamodb_verdicts(table_name: str) -> VerdictSink:
    import boto3

    from manabi_api.adapters.dynamodb_courses import DynamoDbCourseRepository
    from manabi_api.wiring import build_services

    services = build_services(DynamoDbCourseRepository(boto3.client("dynamodb"), table_name))
    return SubmissionVerdicts(services.assignments)


def build_scanner(s3: S3Client, engine: Engine, max_bytes: int) -> Scanner:
    return Scanner(s3, engine, max_bytes, now_iso)
