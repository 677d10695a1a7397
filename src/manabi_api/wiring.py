"""The composition root of the API function: settings in, real adapters built, API out."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.adapters.dynamodb_courses import DynamoDbCourseRepository
from manabi_api.adapters.s3_files import S3FileStore
from manabi_api.adapters.sqs_scans import SqsScanRequests
from manabi_api.adapters.system import RandomIds, SystemClock
from manabi_api.api.application import RestApi, create_api
from manabi_api.domain.services import build_services
from manabi_api.settings import ApiSettings

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


def create_api_from_environment(environ: Mapping[str, str] = os.environ) -> RestApi:
    """The API on the table, bucket, user pool and queue the function's environment names."""
    import boto3  # only the composition root and adapters touch boto3

    settings = ApiSettings.from_environment(environ)
    store = DynamoDbCourseRepository(boto3.client("dynamodb"), settings.table_name)
    # The other clients are created on their first request (cold start: the routes that need
    # none of them do not pay for loading their service models).
    users = CognitoUserDirectory(lambda: _client("cognito-idp"), settings.user_pool_id)
    files = S3FileStore(_s3_client, settings.data_bucket)
    scans = None
    if settings.scan_queue_url:
        scans = SqsScanRequests(
            lambda: _client("sqs"), settings.scan_queue_url, settings.data_bucket
        )
    services = build_services(store, users, files, scans, SystemClock(), RandomIds())
    return create_api(services, settings.allowed_origin, accept_emulator_tokens=settings.local)


def _client(service: str) -> Any:
    import boto3

    return boto3.client(service)  # type: ignore[call-overload]


def _s3_client() -> S3Client:
    """Signature V4 (presigned POST policies and KMS-encrypted objects need it)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", config=Config(signature_version="s3v4"))
