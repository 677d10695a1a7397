"""MP-AV-01..03 with the GuardDuty backend on the emulator: GuardDuty's scan results (delivered as
the scan queue delivers them) become av-* tags on the exact version of the versioned data bucket
and the submission's status, through the same verdict interface as the ClamAV scanner.
"""

from __future__ import annotations

import uuid
from typing import Any

import boto3
import pytest

from manabi_contract.verdicts import AvStatus
from manabi_local.provisioning import LocalResources
from manabi_scanner.clamd import StreamResult
from manabi_scanner.guardduty import GUARDDUTY_VERDICT_SOURCE, GuardDutyVerdicts, handle_batch
from manabi_scanner.wiring import now_iso
from tests.integration.test_scanner_fail_closed import World
from tests.unit.scanner.test_guardduty import documented_event, message

pytestmark = pytest.mark.integration


class Recorded:
    def __init__(self) -> None:
        self.calls: list[tuple[str, AvStatus]] = []

    def record(self, key: str, status: AvStatus) -> bool:
        self.calls.append((key, status))
        return True


class NoEngine:
    """GuardDuty scans: the World's ClamAV scanner is never used here."""

    def scan(self, chunks: Any) -> StreamResult:
        raise AssertionError("the GuardDuty backend does not scan")

    def db_version(self) -> str:
        return ""


class Bucket:
    def __init__(self, resources: LocalResources) -> None:
        self.s3 = boto3.client("s3")
        self.name = resources.api_environment["DATA_BUCKET"]
        self.sink = Recorded()
        self.verdicts = GuardDutyVerdicts(self.s3, self.sink, now_iso, self.name)

    def put(self, key: str, body: bytes) -> str:
        return str(self.s3.put_object(Bucket=self.name, Key=key, Body=body)["VersionId"])

    def deliver(self, key: str, version: str, result: str, scan_status: str = "COMPLETED") -> Any:
        threats = [{"name": "EICAR-Test-File (not a virus)"}] if result == "THREATS_FOUND" else None
        event = documented_event(
            result, scan_status, threats, bucketName=self.name, objectKey=key, versionId=version
        )
        return handle_batch({"Records": [message(event)]}, self.verdicts)

    def tags(self, key: str, version: str) -> dict[str, str]:
        tagging = self.s3.get_object_tagging(Bucket=self.name, Key=key, VersionId=version)
        return {t["Key"]: t["Value"] for t in tagging["TagSet"]}


@pytest.fixture
def bucket(local_resources: LocalResources) -> Bucket:
    return Bucket(local_resources)


def _key() -> str:
    return f"submissions/c-{uuid.uuid4().hex}/a1/learner-1/u1"


def test_mp_av_01_guardduty_verdict_lands_on_the_named_version_only(bucket: Bucket) -> None:
    key = _key()
    first = bucket.put(key, b"first")
    second = bucket.put(key, b"second")
    assert first != second  # the data bucket is versioned
    assert bucket.deliver(key, first, "NO_THREATS_FOUND") == {"batchItemFailures": []}
    tags = bucket.tags(key, first)
    assert tags["av-status"] == "CLEAN"
    assert tags["av-db-version"] == GUARDDUTY_VERDICT_SOURCE
    assert tags["av-scanned-at"] == "2024-02-28T01:01:01Z"  # the event's time
    assert bucket.tags(key, second) == {}  # the current version has no verdict yet
    bucket.deliver(key, second, "THREATS_FOUND")
    assert bucket.tags(key, second)["av-status"] == "INFECTED"
    assert bucket.tags(key, first)["av-status"] == "CLEAN"
    assert bucket.sink.calls == [(key, AvStatus.CLEAN), (key, AvStatus.INFECTED)]


def test_mp_av_03_infected_stays_infected_after_a_later_clean_result(bucket: Bucket) -> None:
    key = _key()
    version = bucket.put(key, b"x")
    bucket.deliver(key, version, "THREATS_FOUND")
    infected = bucket.tags(key, version)
    assert infected["av-status"] == "INFECTED"
    assert infected["av-signature"] == "EICAR-Test-File _not a virus_"
    assert bucket.deliver(key, version, "NO_THREATS_FOUND") == {"batchItemFailures": []}
    assert bucket.tags(key, version) == infected
    assert bucket.sink.calls == [(key, AvStatus.INFECTED), (key, AvStatus.INFECTED)]


@pytest.mark.parametrize(
    ("scan_status", "result"),
    [("FAILED", "FAILED"), ("SKIPPED", "UNSUPPORTED"), ("SKIPPED", "ACCESS_DENIED")],
)
def test_mp_av_02_guardduty_failures_are_errors(
    bucket: Bucket, scan_status: str, result: str
) -> None:
    key = _key()
    version = bucket.put(key, b"x")
    assert bucket.deliver(key, version, result, scan_status) == {"batchItemFailures": []}
    tags = bucket.tags(key, version)
    assert (tags["av-status"], tags["av-signature"]) == ("ERROR", f"{scan_status} {result}")
    assert bucket.sink.calls == [(key, AvStatus.ERROR)]


def test_a_result_for_a_deleted_version_is_nothing_to_do(bucket: Bucket) -> None:
    key = _key()
    version = bucket.put(key, b"x")
    bucket.s3.delete_object(Bucket=bucket.name, Key=key, VersionId=version)
    assert bucket.deliver(key, version, "NO_THREATS_FOUND") == {"batchItemFailures": []}
    assert bucket.sink.calls == []


@pytest.mark.parametrize(
    ("result", "expected"), [("NO_THREATS_FOUND", 200), ("THREATS_FOUND", 409)]
)
def test_mp_av_01_guardduty_verdict_reaches_the_submission(
    local_resources: LocalResources, result: str, expected: int
) -> None:
    """Upload through the API, GuardDuty's result → the record and the download gate."""
    world = World(local_resources, NoEngine())
    key = world.upload(b"homework\n", "text/plain")
    assert world.download() == 409  # PENDING
    version = world.s3.head_object(Bucket=world.bucket, Key=key)["VersionId"]
    verdicts = GuardDutyVerdicts(world.s3, world.sink, now_iso, world.bucket)
    event = documented_event(result, bucketName=world.bucket, objectKey=key, versionId=version)
    assert handle_batch({"Records": [message(event)]}, verdicts) == {"batchItemFailures": []}
    assert world.status() == ("CLEAN" if expected == 200 else "INFECTED")
    assert world.download() == expected
    world.delete(key)
