"""MP-AV-01/02: objects without a verdict are queued again by the reconciler."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import boto3
import pytest

from manabi_scanner.reconciler import requeue, unscanned
from manabi_scanner.scan import targets

pytestmark = pytest.mark.integration


def test_mp_av_01_reconciler_requeues_objects_without_a_verdict(emulator: str) -> None:
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    bucket = f"reconcile-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(
        Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    queue = sqs.create_queue(QueueName=bucket)["QueueUrl"]
    s3.put_object(Bucket=bucket, Key="submissions/c/a/l/no verdict", Body=b"x")
    s3.put_object(
        Bucket=bucket, Key="submissions/c/a/l/scanned", Body=b"y", Tagging="av-status=CLEAN"
    )
    s3.put_object(Bucket=bucket, Key="elsewhere/x", Body=b"z")
    now = datetime.now(UTC) + timedelta(minutes=1)
    assert unscanned(s3, bucket, timedelta(minutes=15), now) == []  # still in the grace period
    found = unscanned(s3, bucket, timedelta(0), now)
    assert [v["Key"] for v in found] == ["submissions/c/a/l/no verdict"]
    assert requeue(sqs, queue, bucket, found) == 1
    (message,) = sqs.receive_message(QueueUrl=queue, WaitTimeSeconds=1)["Messages"]
    (target,) = targets(message["Body"])
    assert (target.bucket, target.key) == (bucket, "submissions/c/a/l/no verdict")
    assert target.version_id == found[0]["VersionId"]
    assert json.loads(message["Body"])["Records"][0]["eventName"].startswith("ObjectCreated")
