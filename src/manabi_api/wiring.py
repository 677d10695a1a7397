"""The composition root: the only module that reads configuration and builds adapters."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING

from manabi_api.api.framework import RestApi
from manabi_api.api.routes import Services, create_api
from manabi_api.domain.assignments import AssignmentService
from manabi_api.domain.courses import CourseService
from manabi_api.domain.enrolment import EnrolmentService
from manabi_api.domain.users import UserAdminService
from manabi_api.ports.courses import LearningStore
from manabi_api.ports.runtime import Clock, IdGenerator, RandomIds, SystemClock

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

    from manabi_api.ports.files import FileStore, ScanRequests
    from manabi_api.ports.users import UserDirectory

# Keep in step with manabi_infra.names (the Lambda asset does not ship the infra package).
ENV_TABLE_NAME = "TABLE_NAME"
ENV_DATA_BUCKET = "DATA_BUCKET"
# The ClamAV scan queue; unset with the GuardDuty backend, whose scans cannot be asked for again.
ENV_SCAN_QUEUE_URL = "SCAN_QUEUE_URL"
ENV_ALLOWED_ORIGIN = "ALLOWED_ORIGIN"
ENV_USER_POOL_ID = "USER_POOL_ID"
ENV_STAGE = "MANABI_ENV"
LOCAL_STAGE = "local"


class ConfigurationError(RuntimeError):
    pass


def build_services(
    courses: LearningStore,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
    users: UserDirectory | None = None,
    files: FileStore | None = None,
    scans: ScanRequests | None = None,
) -> Services:
    clock = clock or SystemClock()
    ids = ids or RandomIds()
    if users is None:
        from manabi_api.adapters.memory_users import InMemoryUserDirectory

        users = InMemoryUserDirectory()
    if files is None:
        from manabi_api.adapters.memory_files import InMemoryFileStore

        files = InMemoryFileStore()
    return Services(
        courses=CourseService(courses, clock, ids),
        enrolment=EnrolmentService(courses, clock),
        assignments=AssignmentService(courses, clock, ids, files, scans),
        users=UserAdminService(users),
    )


def create_api_from_environment(environ: Mapping[str, str] = os.environ) -> RestApi:
    """Wire the real adapters from the Lambda's environment variables."""
    import boto3  # only the composition root and adapters touch boto3

    from manabi_api.adapters.cognito_users import CognitoUserDirectory
    from manabi_api.adapters.dynamodb_courses import DynamoDbCourseRepository

    table = environ.get(ENV_TABLE_NAME)
    if not table:
        raise ConfigurationError(f"Environment variable {ENV_TABLE_NAME} is not set.")
    dynamodb = boto3.client("dynamodb")
    # The cognito-idp client is created on the first admin request (lazy: cold start).
    directory = CognitoUserDirectory(
        lambda: boto3.client("cognito-idp"), environ.get(ENV_USER_POOL_ID, "")
    )
    from manabi_api.adapters.s3_files import S3FileStore

    bucket = environ.get(ENV_DATA_BUCKET, "")
    files = S3FileStore(_s3_client, bucket)
    scans = None
    if queue_url := environ.get(ENV_SCAN_QUEUE_URL):
        from manabi_api.adapters.sqs_scans import SqsScanRequests

        scans = SqsScanRequests(lambda: boto3.client("sqs"), queue_url, bucket)
    services = build_services(
        DynamoDbCourseRepository(dynamodb, table), users=directory, files=files, scans=scans
    )
    # Only the one-machine mode accepts tokens signed with the emulator's public test key.
    local = environ.get(ENV_STAGE) == LOCAL_STAGE
    return create_api(services, environ.get(ENV_ALLOWED_ORIGIN), accept_emulator_tokens=local)


def _s3_client() -> S3Client:
    """Signature V4 (presigned POST policies and KMS-encrypted objects need it)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))


def create_api_for_documentation() -> RestApi:
    """The same routes on in-memory storage: for OpenAPI generation and tests."""
    from manabi_api.adapters.memory_courses import InMemoryCourseRepository

    return create_api(build_services(InMemoryCourseRepository()), allowed_origin=None)
