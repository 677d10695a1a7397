"""MP-AV-01 locally: S3 → the provisioned scan queue → the worker → the scanner handler."""

from __future__ import annotations

import time
from typing import Any

import boto3
import pytest

from manabi_local.provisioner import LocalResources
from manabi_local.scanning import ScanWorker, scan_queue_url
from manabi_local.template import Template
from manabi_scanner.engine import EICAR, ClamdEngine, ClamdProcess
from manabi_scanner.scan import handle_batch
from manabi_scanner.wiring import build_scanner

pytestmark = pytest.mark.integration


class NoSubmissions:
    def record(self, key: str, status: Any) -> bool:
        return True


def test_mp_av_01_uploads_reach_the_scanner_through_the_local_queue(
    local_resources: LocalResources, workload_template: Template, clamd: ClamdProcess
) -> None:
    s3 = boto3.client("s3")
    bucket = local_resources.api_environment["DATA_BUCKET"]
    scanner = build_scanner(s3, ClamdEngine(clamd.client, clamd.db_version), 1024 * 1024)
    queue = scan_queue_url(workload_template, local_resources)
    sqs = boto3.client("sqs")
    worker = ScanWorker(sqs, queue, lambda event, _: handle_batch(event, scanner, NoSubmissions()))
    keys = {"submissions/c/a/l 1/clean+x": b"hello", "submissions/c/a/l 1/eicar": EICAR}
    for key, body in keys.items():
        s3.put_object(Bucket=bucket, Key=key, Body=body)
    s3.put_object(Bucket=bucket, Key="elsewhere/not-scanned", Body=b"x")  # outside the prefix
    deadline = time.monotonic() + 30
    verdicts: dict[str, str] = {}
    while len(verdicts) < len(keys) and time.monotonic() < deadline:
        worker.poll_once(1)
        for key in keys:
            tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
            status = [t["Value"] for t in tags if t["Key"] == "av-status"]
            if status:
                verdicts[key] = status[0]
    assert verdicts == {
        "submissions/c/a/l 1/clean+x": "CLEAN",
        "submissions/c/a/l 1/eicar": "INFECTED",
    }
    assert s3.get_object_tagging(Bucket=bucket, Key="elsewhere/not-scanned")["TagSet"] == []
    assert worker.poll_once(0) == 0  # every message was deleted
