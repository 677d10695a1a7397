"""MP-AV-01/04 locally: S3 → the provisioned scan queue → the worker → the scanner handler, on
the newest definitions published to the local definitions bucket."""

from __future__ import annotations

import json
import os
import signal
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest

from manabi_local.provisioning import LocalResources
from manabi_local.scanning import (
    SCAN_WORKERS,
    LocalScanner,
    ScanWorker,
    local_definitions_bucket,
    scan_queue_url,
)
from manabi_local.template import Template
from manabi_scanner import handler
from manabi_scanner.clamd import ClamdTimeouts
from manabi_scanner.definitions import S3DefinitionsStore
from manabi_scanner.engine import EICAR, ClamdEngine, ClamdProcess
from manabi_scanner.handler import Handler
from manabi_scanner.scan import handle_batch, targets
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
        # the same workers and handler, with a sink that does not need a submission record
        for worker, engine in zip(scanner.workers, scanner.engines, strict=True):
            assert engine.db_version() == manifest.version
            worker.handler = handler.runtime_handler(
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


class Receipts:
    """A worker's handler that notes the keys it was handed before handling them."""

    def __init__(self, handle: Handler) -> None:
        self.handle = handle
        self.keys: list[str] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        for record in event["Records"]:
            self.keys += [target.key for target in targets(record["body"])]
        return self.handle(event, context)


def _definitions_bucket(resources: LocalResources) -> None:
    s3 = boto3.client("s3")
    bucket = local_definitions_bucket()
    if bucket not in resources.buckets.values():  # the template does not create it (yet)
        s3.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
        )


def _event(bucket: str, key: str) -> str:
    record = {
        "eventName": "ObjectCreated:Put",
        "s3": {"bucket": {"name": bucket}, "object": {"key": quote_plus(key)}},
    }
    return json.dumps({"Records": [record]})


def test_gl_rel_01_one_worker_stuck_on_a_frozen_clamd_does_not_hold_other_uploads(
    local_resources: LocalResources, tmp_path: Path
) -> None:
    """GL-REL-01, MP-AV-02 locally: each worker has its own clamd. With one clamd frozen
    (SIGSTOP) and its worker stuck on an upload, another upload gets its verdict from the other
    worker meanwhile; the stuck one gets its verdict after the frozen clamd's deadline, restart
    and retry."""
    _definitions_bucket(local_resources)
    s3, sqs = boto3.client("s3"), boto3.client("sqs")
    queue = sqs.create_queue(QueueName=f"scan-faults-{uuid.uuid4().hex[:12]}")["QueueUrl"]
    data = local_resources.api_environment["DATA_BUCKET"]
    deadline_seconds = 2.0
    scanner = LocalScanner(
        tmp_path, local_resources, queue, clamd_timeouts=ClamdTimeouts(deadline_seconds, 0.5)
    )
    try:
        assert len(scanner.workers) == SCAN_WORKERS == 2
        pids = {engine.process.process.pid for engine in scanner.engines if engine.process}
        assert len(pids) == 2  # a clamd each
        receipts = []
        for worker, engine in zip(scanner.workers, scanner.engines, strict=True):
            runtime = handler.Runtime(
                build_scanner(s3, engine, 1024 * 1024),
                NoSubmissions(),
                engine.refresh_if_due,
                worker,
            )
            receipts.append(Receipts(handler.runtime_handler(runtime)))
            worker.handler = receipts[-1]
        stuck_engine = scanner.engines[0]
        assert stuck_engine.process is not None
        os.kill(stuck_engine.process.process.pid, signal.SIGSTOP)

        def verdict(key: str) -> str | None:
            tags = s3.get_object_tagging(Bucket=data, Key=key)["TagSet"]
            return next((t["Value"] for t in tags if t["Key"] == "av-status"), None)

        def upload(key: str, body: bytes) -> None:
            s3.put_object(Bucket=data, Key=key, Body=body)  # outside submissions/: no event
            sqs.send_message(QueueUrl=queue, MessageBody=_event(data, key))

        def received(key: str) -> int:
            """The worker that received `key` (failing after 10 s)."""
            until = time.monotonic() + 10
            while time.monotonic() < until:
                for index, receipt in enumerate(receipts):
                    if key in receipt.keys:
                        return index
                time.sleep(0.05)
            raise AssertionError(f"no worker received {key}")

        stuck = None
        for attempt in range(20):  # until the frozen clamd's worker holds an upload
            key = f"faults/local/{uuid.uuid4().hex}/a{attempt}"
            upload(key, b"hello " * 1000)
            if received(key) == 0:
                stuck = key
                break
        assert stuck is not None, "the frozen clamd's worker never received an upload"
        other = f"faults/local/{uuid.uuid4().hex}/eicar"
        upload(other, EICAR)
        assert received(other) == 1
        until = time.monotonic() + 10
        while verdict(other) is None and time.monotonic() < until:
            time.sleep(0.05)
        assert verdict(other) == "INFECTED"  # the other worker's verdict …
        assert verdict(stuck) is None  # … while the first upload is still stuck
        until = time.monotonic() + 30
        while verdict(stuck) is None and time.monotonic() < until:
            time.sleep(0.2)
        assert verdict(stuck) == "CLEAN"  # after the deadline, the restart and the retry
        assert stuck_engine.restarts == 1
    finally:
        scanner.stop()
        sqs.delete_queue(QueueUrl=queue)
