"""The reconciler (MP-AV-01/02): objects still without a verdict after N minutes are queued again.

Scheduled every few minutes. It lists the uploads' prefix, keeps objects older than the grace
period (and younger than the look-back window), and sends the scan queue the same S3 event a
fresh upload would (URL-encoded key, exact version), so a lost notification or a message that
went to the DLQ never leaves an object unscanned for long. Objects stay unreadable meanwhile.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import quote_plus

from manabi_contract.names import RECONCILER_SERVICE
from manabi_contract.observability import function_logger, function_tracer
from manabi_contract.storage import SUBMISSIONS_PREFIX
from manabi_contract.verdicts import TAG_STATUS
from manabi_scanner.config import ReconcilerConfig

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

logger = function_logger(RECONCILER_SERVICE)
tracer = function_tracer(RECONCILER_SERVICE, patch=("botocore",))  # S3 listing, SQS sends
LOOK_BACK = timedelta(days=7)
MAX_PER_RUN = 1000


def unscanned(
    s3: S3Client,
    bucket: str,
    grace: timedelta,
    now: datetime,
    prefix: str = SUBMISSIONS_PREFIX,
) -> list[dict[str, Any]]:
    """Current versions under `prefix`, older than `grace`, without an `av-status` tag."""
    found: list[dict[str, Any]] = []
    paginator = s3.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
        for version in page.get("Versions", []):
            modified = version["LastModified"]
            if not version.get("IsLatest") or not now - LOOK_BACK <= modified <= now - grace:
                continue
            extra: dict[str, Any] = {}
            if version.get("VersionId") not in (None, "null"):
                extra["VersionId"] = version["VersionId"]
            tags = s3.get_object_tagging(Bucket=bucket, Key=version["Key"], **extra)["TagSet"]
            if not any(t["Key"] == TAG_STATUS for t in tags):
                found.append(dict(version))
                if len(found) >= MAX_PER_RUN:
                    return found
    return found


def requeue(sqs: Any, queue_url: str, bucket: str, versions: list[dict[str, Any]]) -> int:
    for version in versions:
        record = {
            "eventSource": "manabi:reconciler",
            "eventName": "ObjectCreated:Reconciled",
            "s3": {
                "bucket": {"name": bucket},
                "object": {
                    "key": quote_plus(version["Key"]),
                    "size": version.get("Size"),
                    "versionId": version.get("VersionId"),
                },
            },
        }
        sqs.send_message(QueueUrl=queue_url, MessageBody=json.dumps({"Records": [record]}))
    return len(versions)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: object) -> dict[str, int]:
    import boto3

    config = ReconcilerConfig.from_environment()
    grace = timedelta(minutes=config.grace_minutes)
    versions = unscanned(boto3.client("s3"), config.data_bucket, grace, datetime.now(UTC))
    sqs = boto3.client("sqs")
    requeued = requeue(sqs, config.scan_queue_url, config.data_bucket, versions)
    logger.info("objects without a verdict queued again", extra={"requeued": requeued})
    return {"requeued": requeued}
