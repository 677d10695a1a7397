"""MP-AV-01/04 locally: S3 → the provisioned scan queue → the worker → the scanner handler, on
the newest definitions published to the local definitions bucket."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3
import pytest

from manabi_local.provisioning import LocalResources
from manabi_local.scanning import LocalScanner, ScanWorker, local_definitions_bucket, scan_queue_url
from manabi_local.template import Template
from manabi_scanner import handler
from manabi_scanner.definitions import S3DefinitionsStore
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


def test_mp_av_04_local_scanner_publishes_definitions_and_loads_the_newest_set(
    local_resources: LocalResources, workload_template: Template, tmp_path: Path
) -> None:
    """MP-AV-04 locally: the updater publishes the generated set (EICAR proven) to the local
    definitions bucket; the scanner loads the newest set and its verdicts record that version."""
    s3 = boto3.client("s3")
    bucket = local_definitions_bucket()
    if bucket not in local_resources.buckets.values():  # the template does not create it (yet)
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )
    scanner = LocalScanner(
        tmp_path, local_resources, scan_queue_url(workload_template, local_resources)
    )
    try:
        manifest = S3DefinitionsStore(s3, bucket).newest()
        assert manifest is not None
        assert manifest.eicar_detected_as.startswith("Manabi.Test.EICAR")
        assert scanner.update is not None
        assert scanner.update.version == manifest.version
        assert scanner.engine.db_version() == manifest.version
        assert scanner.engine.process is not None
        assert scanner.engine.process.db_dir == tmp_path / "definitions" / manifest.version
        # the same worker and handler, with a sink that does not need a submission record
        engine = scanner.engine
        handler.use_runtime(
            handler.Runtime(
                build_scanner(s3, engine, 1024 * 1024), NoSubmissions(), engine.refresh_if_due
            )
        )
        data = local_resources.api_environment["DATA_BUCKET"]
        s3.put_object(Bucket=data, Key="submissions/c/a/l/definitions-eicar", Body=EICAR)
        deadline = time.monotonic() + 30
        tags: dict[str, str] = {}
        while "av-status" not in tags and time.monotonic() < deadline:
            time.sleep(0.2)
            tag_set = s3.get_object_tagging(Bucket=data, Key="submissions/c/a/l/definitions-eicar")
            tags = {t["Key"]: t["Value"] for t in tag_set["TagSet"]}
        assert (tags["av-status"], tags["av-db-version"]) == ("INFECTED", manifest.version)
    finally:
        scanner.stop()
        handler._runtime = None
