"""The composition root of the API function: settings in, real adapters built, API out."""

from __future__ import annotations

import os
from collections.abc import Mapping

from botocore.config import Config

from manabi_api.adapters.aws_clients import aws_client
from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.adapters.dynamodb import DynamoDbLearningStore
from manabi_api.adapters.s3_files import S3FileStore
from manabi_api.adapters.sqs_scans import SqsScanRequests
from manabi_api.adapters.system import RandomIds, SystemClock
from manabi_api.api.application import RestApi, create_api
from manabi_api.domain.services import build_services
from manabi_api.settings import ApiSettings

# Signature V4: presigned POST policies and KMS-encrypted objects need it.
S3_CONFIG = Config(signature_version="s3v4")


def create_api_from_environment(environ: Mapping[str, str] = os.environ) -> RestApi:
    """The API on the table, bucket, user pool and queue the function's environment names."""
    settings = ApiSettings.from_environment(environ)
    store = DynamoDbLearningStore(aws_client("dynamodb"), settings.table_name)
    # The other clients are created on their first request (cold start: the routes that need
    # none of them do not pay for loading their service models).
    users = CognitoUserDirectory(lambda: aws_client("cognito-idp"), settings.user_pool_id)
    files = S3FileStore(lambda: aws_client("s3", S3_CONFIG), settings.data_bucket)
    scans = None
    if settings.scan_queue_url:
        queue, bucket = settings.scan_queue_url, settings.data_bucket
        scans = SqsScanRequests(lambda: aws_client("sqs"), queue, bucket)
    services = build_services(
        store, users, files, scans, SystemClock(), RandomIds(), settings.uploads_per_hour
    )
    return create_api(services, settings.allowed_origin, accept_emulator_tokens=settings.local)
