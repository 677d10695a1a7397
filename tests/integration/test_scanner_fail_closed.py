"""MP-AV-01..03, APP-ASG-02/03: the fail-closed matrix, end to end on the emulator and clamd.

Each case uploads through the API's presigned POST, completes the submission, delivers the S3
event to the scanner handler as SQS would, and then asks the API for a download link: only the
clean file gets one (the emulator does not evaluate bucket policies, so the API is the gate
here). Every object can be deleted afterwards.
"""

from __future__ import annotations

import io
import json
import subprocess
import time
import uuid
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
import requests

from manabi_api.adapters.dynamodb import DynamoDbLearningStore
from manabi_api.adapters.s3_files import S3FileStore
from manabi_api.adapters.sqs_scans import SqsScanRequests
from manabi_api.api.application import create_api
from manabi_contract.verdicts import AvStatus
from manabi_local.provisioning import LocalResources
from manabi_scanner.clamd import ClamdClient, StreamResult
from manabi_scanner.engine import EICAR, ClamdEngine, ClamdProcess
from manabi_scanner.scan import (
    MAX_WAIT_RECEIVES,
    Engine,
    Scanner,
    WaitBackoff,
    handle_batch,
    targets,
)
from manabi_scanner.submissions import DynamoDbSubmissionVerdicts
from manabi_scanner.wiring import build_scanner
from tests.fakes.services import fake_services
from tests.integration.conftest import SCAN_LIMIT_BYTES
from tests.support_events import LEARNER, TEACHER, rest_event

pytestmark = pytest.mark.integration


def _zip(name: str, data: bytes, password: str | None = None, tmp: Path | None = None) -> bytes:
    if password is None:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            archive.writestr(name, data)
        return buffer.getvalue()
    assert tmp is not None
    (tmp / name).write_bytes(data)
    subprocess.run(["zip", "-q", "-P", password, "enc.zip", name], cwd=tmp, check=True)
    return (tmp / "enc.zip").read_bytes()


class World:
    def __init__(
        self, resources: LocalResources, engine: Engine, scan_queue: ScanQueue | None = None
    ) -> None:
        self.s3 = boto3.client("s3")
        self.bucket = resources.api_environment["DATA_BUCKET"]
        store = DynamoDbLearningStore(boto3.client("dynamodb"), resources.table_name)
        scans = None
        if scan_queue is not None:  # the API asks for scans again through this queue
            scans = SqsScanRequests(lambda: scan_queue.sqs, scan_queue.url, self.bucket)
        files = S3FileStore(lambda: self.s3, self.bucket)
        self.services = fake_services(store, files=files, scans=scans)
        self.api = create_api(self.services, allowed_origin=None)
        self.sink = DynamoDbSubmissionVerdicts(boto3.client("dynamodb"), resources.table_name)
        self.scanner: Scanner = build_scanner(self.s3, engine, SCAN_LIMIT_BYTES)
        # A learner of its own: the session's table counts every upload of the hour per learner
        # (GL-SEC-04), and the cases here are many files of a class, not one learner's burst.
        self.learner = {**LEARNER, "sub": f"learner-{uuid.uuid4().hex[:8]}"}
        _, course = self.call("POST", "/courses", TEACHER, {"title": f"AV {uuid.uuid4().hex}"})
        cid = course["courseId"]
        self.call("POST", f"/courses/{cid}/lessons", TEACHER, {"title": "L", "body": "b"})
        self.call("POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
        body = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
        _, assignment = self.call("POST", f"/courses/{cid}/assignments", TEACHER, body)
        self.call("POST", f"/courses/{cid}/enrolment", self.learner, None)
        self.base = f"/courses/{cid}/assignments/{assignment['assignmentId']}"

    def call(self, method: str, path: str, claims: Any, body: Any) -> tuple[int, Any]:
        response = self.api.resolve(rest_event(method, path, claims=claims, body=body), None)
        return response["statusCode"], json.loads(response["body"] or "null")

    def upload(self, data: bytes, content_type: str = "application/zip", **form: str) -> str:
        """Presigned POST (as the browser does), then completion: the object's key."""
        file = {"fileName": "提出物.zip", "contentType": content_type, "sizeBytes": len(data)}
        status, ticket = self.call("POST", f"{self.base}/submission/uploads", self.learner, file)
        assert status == 201, ticket
        fields = {**ticket["fields"], **form}
        posted = requests.post(
            ticket["url"], data=fields, files={"file": ("f", data, content_type)}, timeout=30
        )
        assert posted.status_code in {200, 204}, posted.text
        body = {**file, "uploadId": ticket["uploadId"]}
        status, submission = self.call("PUT", f"{self.base}/submission", self.learner, body)
        assert (status, submission["status"]) == (200, "PENDING"), submission
        return str(ticket["key"])

    def deliver(self, key: str) -> dict[str, Any]:
        """The S3 notification as SQS delivers it (URL-encoded key) to the scanner handler."""
        message = {"messageId": "m1", "body": self.event_body(key)}
        return handle_batch({"Records": [message]}, self.scanner, self.sink)

    def event_body(self, key: str) -> str:
        """The S3 notification of the object's current version (key URL-encoded, as S3 sends)."""
        head = self.s3.head_object(Bucket=self.bucket, Key=key)
        record = {
            "eventName": "ObjectCreated:Post",
            "s3": {
                "bucket": {"name": self.bucket},
                "object": {
                    "key": quote_plus(key),
                    "size": head["ContentLength"],
                    "versionId": head.get("VersionId"),
                },
            },
        }
        return json.dumps({"Records": [record]})

    def status(self) -> str:
        return str(self.call("GET", f"{self.base}/submission", self.learner, None)[1]["status"])

    def tags(self, key: str) -> dict[str, str]:
        tagging = self.s3.get_object_tagging(Bucket=self.bucket, Key=key)
        return {t["Key"]: t["Value"] for t in tagging["TagSet"]}

    def download(self) -> int:
        return self.call(
            "GET", f"{self.base}/submissions/{self.learner['sub']}/download", TEACHER, None
        )[0]

    def delete(self, key: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=key)
        with pytest.raises(self.s3.exceptions.ClientError):
            self.s3.head_object(Bucket=self.bucket, Key=key)


class CrashingEngine:
    """clamd dies after the first chunk: the stream breaks mid-scan."""

    def __init__(self, db_version: str) -> None:
        self._db_version = db_version

    def scan(self, chunks: Any) -> StreamResult:
        for _ in chunks:
            raise ConnectionResetError("clamd went away mid-scan")
        raise ConnectionResetError("clamd went away")

    def db_version(self) -> str:
        return self._db_version


@pytest.fixture
def world(local_resources: LocalResources, clamd: ClamdProcess) -> World:
    return World(local_resources, ClamdEngine(clamd.client, clamd.db_version))


CASES: dict[str, tuple[Callable[[Path], bytes], str, str]] = {
    # name: (file bytes, verdict, content type)
    "clean": (lambda _: b"PK-free plain notes\n" * 50, "CLEAN", "text/plain"),
    "eicar": (lambda _: EICAR, "INFECTED", "text/plain"),
    "eicar_in_zip": (lambda _: _zip("a.txt", EICAR), "INFECTED", "application/zip"),
    "eicar_in_larger_file": (
        lambda _: b"A" * 300_000 + EICAR + b"B" * 300_000,
        "INFECTED",
        "text/plain",
    ),
    "encrypted_zip": (
        lambda tmp: _zip("a.txt", b"secret homework", "pw", tmp),
        "ERROR",
        "application/zip",
    ),
    "oversize": (lambda _: b"x" * (SCAN_LIMIT_BYTES + 1), "ERROR", "text/plain"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_mp_av_02_fail_closed_matrix(world: World, case: str, tmp_path: Path) -> None:
    make, expected, content_type = CASES[case]
    key = world.upload(make(tmp_path), content_type)
    assert world.download() == 409  # PENDING: unreadable
    assert world.deliver(key) == {"batchItemFailures": []}
    tags = world.tags(key)
    assert tags["av-status"] == expected, tags
    assert tags["av-db-version"].startswith("local-")
    assert tags["av-scanned-at"]
    assert world.status() == expected
    assert world.download() == (200 if expected == "CLEAN" else 409)
    world.delete(key)


def test_mp_av_02_empty_file_is_refused_and_unreadable(world: World) -> None:
    file = {"fileName": "empty.txt", "contentType": "text/plain", "sizeBytes": 0}
    assert world.call("POST", f"{world.base}/submission/uploads", world.learner, file)[0] == 400
    assert world.download() == 404  # nothing was submitted


def test_mp_av_02_forged_av_status_on_upload(world: World) -> None:
    forged = (
        "<Tagging><TagSet><Tag><Key>av-status</Key><Value>CLEAN</Value></Tag></TagSet></Tagging>"
    )
    key = world.upload(EICAR, "text/plain", tagging=forged)
    assert world.download() == 409  # the record says PENDING whatever the tags say
    world.deliver(key)
    assert world.tags(key)["av-status"] == "INFECTED"  # the scanner replaced the forged tag
    assert world.download() == 409
    world.delete(key)


def test_mp_av_03_retag_attempt_on_infected(world: World) -> None:
    key = world.upload(EICAR, "text/plain")
    world.deliver(key)
    clean = [{"Key": "av-status", "Value": "CLEAN"}]
    world.s3.put_object_tagging(Bucket=world.bucket, Key=key, Tagging={"TagSet": clean})
    assert not world.sink.record(key, AvStatus.CLEAN)
    assert world.status() == "INFECTED"
    assert world.download() == 409
    world.delete(key)


def test_mp_av_02_scanner_crash_mid_scan(world: World) -> None:
    world.scanner = build_scanner(world.s3, CrashingEngine("local-x"), SCAN_LIMIT_BYTES)
    key = world.upload(b"C" * 200_000, "text/plain")
    result = world.deliver(key)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}  # delivered again later
    assert world.tags(key)["av-status"] == "ERROR"
    assert world.status() == "ERROR"
    assert world.download() == 409
    world.delete(key)


def test_mp_av_02_engine_unavailable(world: World, tmp_path: Path) -> None:
    gone = ClamdEngine(ClamdClient(str(tmp_path / "no-clamd.sock"), timeout=1), "local-x")
    world.scanner = build_scanner(world.s3, gone, SCAN_LIMIT_BYTES)
    key = world.upload(b"hello", "text/plain")
    assert world.deliver(key)["batchItemFailures"]
    assert world.tags(key)["av-status"] == "ERROR"
    assert world.download() == 409
    world.delete(key)


def test_mp_av_01_verdict_waits_for_the_completed_submission(world: World) -> None:
    """A scan that beats the learner's completion call is delivered again, not lost."""
    file = {"fileName": "n.txt", "contentType": "text/plain", "sizeBytes": 5}
    _, ticket = world.call("POST", f"{world.base}/submission/uploads", world.learner, file)
    world.s3.put_object(
        Bucket=world.bucket, Key=ticket["key"], Body=b"hello", ContentType="text/plain"
    )
    assert world.deliver(ticket["key"])["batchItemFailures"]  # no record owns the key yet
    body = {**file, "uploadId": ticket["uploadId"]}
    assert world.call("PUT", f"{world.base}/submission", world.learner, body)[0] == 200
    assert world.deliver(ticket["key"]) == {"batchItemFailures": []}
    assert world.status() == AvStatus.CLEAN.value
    assert world.download() == 200


class CountingEngine:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.scans = 0

    def scan(self, chunks: Any) -> StreamResult:
        self.scans += 1
        return self.engine.scan(chunks)

    def db_version(self) -> str:
        return self.engine.db_version()


class ScanQueue:
    """A queue of the emulator with the scan queue's 720 s visibility timeout; its messages as
    Lambda's event source hands them to the handler (eventSourceARN, receive count)."""

    def __init__(self) -> None:
        self.sqs: Any = boto3.client("sqs")
        name = f"scan-wait-{uuid.uuid4().hex[:12]}"
        attributes = {"VisibilityTimeout": "720"}
        self.url = self.sqs.create_queue(QueueName=name, Attributes=attributes)["QueueUrl"]
        found = self.sqs.get_queue_attributes(QueueUrl=self.url, AttributeNames=["QueueArn"])
        self.arn = found["Attributes"]["QueueArn"]

    def receive(self) -> list[dict[str, Any]]:
        messages = self.sqs.receive_message(
            QueueUrl=self.url, MaxNumberOfMessages=10, MessageSystemAttributeNames=["All"]
        ).get("Messages", [])
        return [
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "attributes": m.get("Attributes", {}),
                "eventSource": "aws:sqs",
                "eventSourceARN": self.arn,
            }
            for m in messages
        ]

    def receive_within(self, seconds: float) -> list[dict[str, Any]]:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if received := self.receive():
                return received
            time.sleep(0.2)
        return []

    def delete(self) -> None:
        self.sqs.delete_queue(QueueUrl=self.url)


def _not_completed_upload(world: World, data: bytes) -> tuple[str, dict[str, Any]]:
    """An object under a ticket's key whose submission the learner has not completed yet."""
    file = {"fileName": "n.txt", "contentType": "text/plain", "sizeBytes": len(data)}
    _, ticket = world.call("POST", f"{world.base}/submission/uploads", world.learner, file)
    world.s3.put_object(Bucket=world.bucket, Key=ticket["key"], Body=data, ContentType="text/plain")
    return str(ticket["key"]), {**file, "uploadId": ticket["uploadId"]}


def test_mp_av_01_a_waiting_verdict_comes_back_after_the_short_backoff(
    world: World, clamd: ClamdProcess
) -> None:
    """The scan beat the completion call: the message is visible again after the backoff (1 s
    here), not after the queue's 720 s; the retry records the verdict the scanner wrote."""
    engine = CountingEngine(ClamdEngine(clamd.client, clamd.db_version))
    world.scanner = build_scanner(world.s3, engine, SCAN_LIMIT_BYTES)
    backoff = WaitBackoff(first_seconds=1, max_seconds=1)
    queue = ScanQueue()
    try:
        key, completion = _not_completed_upload(world, b"hello")
        queue.sqs.send_message(QueueUrl=queue.url, MessageBody=world.event_body(key))
        (first,) = queue.receive_within(5)
        event = {"Records": [first]}
        result = handle_batch(event, world.scanner, world.sink, queue.sqs, backoff)
        assert result == {"batchItemFailures": [{"itemIdentifier": first["messageId"]}]}
        assert world.tags(key)["av-status"] == "CLEAN"
        assert queue.receive() == []  # invisible for the backoff
        started = time.monotonic()
        (again,) = queue.receive_within(10)
        assert time.monotonic() - started < 10  # the backoff, far from 720 s
        assert again["messageId"] == first["messageId"]
        assert again["attributes"]["ApproximateReceiveCount"] == "2"
        assert world.call("PUT", f"{world.base}/submission", world.learner, completion)[0] == 200
        event = {"Records": [again]}
        assert handle_batch(event, world.scanner, world.sink, queue.sqs, backoff) == {
            "batchItemFailures": []
        }
        assert world.status() == AvStatus.CLEAN.value
        assert engine.scans == 1  # the retry recorded the verdict it had written, no rescan
        world.delete(key)
    finally:
        queue.delete()


def test_mp_av_01_engine_errors_keep_the_queue_visibility_timeout(
    world: World, tmp_path: Path
) -> None:
    """clamd unreachable: the message is not hurried back (the queue's timeout holds)."""
    gone = ClamdEngine(ClamdClient(str(tmp_path / "no-clamd.sock"), timeout=1), "local-x")
    world.scanner = build_scanner(world.s3, gone, SCAN_LIMIT_BYTES)
    queue = ScanQueue()
    try:
        key, _ = _not_completed_upload(world, b"hello")
        queue.sqs.send_message(QueueUrl=queue.url, MessageBody=world.event_body(key))
        (first,) = queue.receive_within(5)
        backoff = WaitBackoff(first_seconds=1, max_seconds=1)
        result = handle_batch({"Records": [first]}, world.scanner, world.sink, queue.sqs, backoff)
        assert result["batchItemFailures"]
        assert world.tags(key)["av-status"] == "ERROR"
        assert queue.receive_within(2.5) == []  # still invisible well after the backoff
        world.delete(key)
    finally:
        queue.delete()


def test_mp_av_01_a_completion_after_the_scanner_stopped_waiting_gets_a_verdict(
    local_resources: LocalResources, clamd: ClamdProcess
) -> None:
    """The scan beat the completion call and its last delivery found no record, so the message
    is gone with the object tagged. The completion then asks for a new scan through the queue
    (the S3 event shape the scanner reads), and that verdict reaches the record."""
    queue = ScanQueue()
    world = World(local_resources, ClamdEngine(clamd.client, clamd.db_version), queue)
    file = {"fileName": "late.txt", "contentType": "text/plain", "sizeBytes": 5}
    _, ticket = world.call("POST", f"{world.base}/submission/uploads", world.learner, file)
    world.s3.put_object(
        Bucket=world.bucket, Key=ticket["key"], Body=b"hello", ContentType="text/plain"
    )
    last = {
        "messageId": "m-last",
        "body": world.event_body(ticket["key"]),
        "attributes": {"ApproximateReceiveCount": str(MAX_WAIT_RECEIVES)},
    }
    assert handle_batch({"Records": [last]}, world.scanner, world.sink) == {
        "batchItemFailures": []
    }  # the scanner stopped waiting: the message is done
    assert world.tags(ticket["key"])["av-status"] == "CLEAN"
    body = {**file, "uploadId": ticket["uploadId"]}
    assert world.call("PUT", f"{world.base}/submission", world.learner, body)[0] == 200
    assert world.status() == "PENDING"
    (request,) = queue.receive_within(5)
    (target,) = targets(request["body"])
    head = world.s3.head_object(Bucket=world.bucket, Key=ticket["key"])
    assert (target.key, target.version_id) == (ticket["key"], head["VersionId"])
    assert handle_batch({"Records": [request]}, world.scanner, world.sink) == {
        "batchItemFailures": []
    }
    assert world.status() == AvStatus.CLEAN.value
    assert world.download() == 200
