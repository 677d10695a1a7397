"""MP-AV-01..03 for the GuardDuty backend: result mapping, event parsing, tags, partial failures."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from manabi_contract.verdicts import AvStatus
from manabi_scanner import guardduty
from manabi_scanner.guardduty import (
    GUARDDUTY_VERDICT_SOURCE,
    GuardDutyVerdicts,
    classify_result,
    handle_batch,
    parse_result,
)
from manabi_scanner.scan import MAX_WAIT_RECEIVES
from tests.support_events import lambda_context

BUCKET = "manabi-staging-data"
KEY = "submissions/c1/a1/learner-1/u1"
NOW = "2026-11-22T00:00:00.000Z"


def documented_event(
    result: str = "NO_THREATS_FOUND",
    scan_status: str = "COMPLETED",
    threats: list[dict[str, str]] | None = None,
    **object_details: Any,
) -> dict[str, Any]:
    """The example of "Monitoring S3 object scans with Amazon EventBridge" (GuardDuty user
    guide, monitor-with-eventbridge-s3-malware-protection.html), with our bucket and key."""
    return {
        "version": "0",
        "id": "72c7d362-737a-6dce-fc78-9e27a0171419",
        "detail-type": "GuardDuty Malware Protection Object Scan Result",
        "source": "aws.guardduty",
        "account": "111122223333",
        "time": "2024-02-28T01:01:01Z",
        "region": "ap-northeast-1",
        "resources": [
            "arn:aws:guardduty:ap-northeast-1:111122223333:malware-protection-plan/EXAMPLE"
        ],
        "detail": {
            "schemaVersion": "1.0",
            "scanStatus": scan_status,
            "resourceType": "S3_OBJECT",
            "s3ObjectDetails": {
                "bucketName": BUCKET,
                "objectKey": KEY,
                "eTag": "ASIAI44QH8DHBEXAMPLE",
                "versionId": "d41d8cd98f00b204e9800998eEXAMPLE",
                "s3Throttled": False,
                **object_details,
            },
            "scanResultDetails": {"scanResultStatus": result, "threats": threats},
        },
    }


def message(event: dict[str, Any], message_id: str = "m1", receives: int = 1) -> dict[str, Any]:
    return {
        "messageId": message_id,
        "body": json.dumps(event),
        "attributes": {"ApproximateReceiveCount": str(receives)},
    }


def _error(code: str) -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": code}}, "GetObjectTagging")


class FakeS3:
    """Tags per (key, version); a missing version answers as S3 does."""

    def __init__(self, tags: dict[str, str] | None = None, error: str = "") -> None:
        self.tags: dict[tuple[str, str | None], dict[str, str]] = {
            (KEY, "d41d8cd98f00b204e9800998eEXAMPLE"): dict(tags or {}),
            (KEY, None): {},
        }
        self.error = error
        self.puts: list[tuple[str, str | None]] = []

    def get_object_tagging(self, Bucket: str, Key: str, VersionId: str | None = None) -> Any:
        if self.error:
            raise _error(self.error)
        return {"TagSet": [{"Key": k, "Value": v} for k, v in self.tags[(Key, VersionId)].items()]}

    def put_object_tagging(
        self, Bucket: str, Key: str, Tagging: Any, VersionId: str | None = None
    ) -> None:
        self.puts.append((Key, VersionId))
        self.tags[(Key, VersionId)] = {t["Key"]: t["Value"] for t in Tagging["TagSet"]}


class Sink:
    def __init__(self, recorded: bool = True) -> None:
        self.recorded = recorded
        self.calls: list[tuple[str, AvStatus]] = []

    def record(self, key: str, status: AvStatus) -> bool:
        self.calls.append((key, status))
        return self.recorded


def verdicts(s3: FakeS3, sink: Sink, bucket: str | None = BUCKET) -> GuardDutyVerdicts:
    return GuardDutyVerdicts(s3, sink, lambda: NOW, bucket)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("scan_status", "result", "expected"),
    [
        ("COMPLETED", "NO_THREATS_FOUND", AvStatus.CLEAN),
        ("COMPLETED", "THREATS_FOUND", AvStatus.INFECTED),
        ("SKIPPED", "UNSUPPORTED", AvStatus.ERROR),
        ("SKIPPED", "ACCESS_DENIED", AvStatus.ERROR),
        ("FAILED", "FAILED", AvStatus.ERROR),
        ("COMPLETED", "SOMETHING_NEW", AvStatus.ERROR),  # unknown → ERROR
        ("COMPLETED", "", AvStatus.ERROR),  # missing → ERROR
        ("FAILED", "NO_THREATS_FOUND", AvStatus.ERROR),  # not a completed scan
        ("", "NO_THREATS_FOUND", AvStatus.ERROR),
    ],
)
def test_mp_av_02_guardduty_results_map_fail_closed(
    scan_status: str, result: str, expected: AvStatus
) -> None:
    assert classify_result(scan_status, result) is expected
    parsed = parse_result(json.dumps(documented_event(result, scan_status)))
    assert parsed is not None
    assert parsed.status is expected


def test_mp_av_01_parses_the_documented_example_event() -> None:
    parsed = parse_result(json.dumps(documented_event()))
    assert parsed == guardduty.ScanResult(
        BUCKET,
        KEY,
        "d41d8cd98f00b204e9800998eEXAMPLE",
        AvStatus.CLEAN,
        "",
        "2024-02-28T01:01:01Z",
    )


def test_mp_av_01_object_keys_are_taken_as_they_are() -> None:
    """GuardDuty's objectKey is not URL-encoded (unlike S3 notifications): no unquoting."""
    event = documented_event(objectKey="submissions/c/a/l%2B1/u+x y")
    parsed = parse_result(json.dumps(event))
    assert parsed is not None
    assert parsed.key == "submissions/c/a/l%2B1/u+x y"


def test_mp_av_02_missing_result_details_are_errors() -> None:
    event = documented_event()
    del event["detail"]["scanResultDetails"]
    parsed = parse_result(json.dumps(event))
    assert parsed is not None
    assert (parsed.status, parsed.signature) == (AvStatus.ERROR, "COMPLETED no-result")


def test_mp_av_02_a_result_without_version_is_never_clean() -> None:
    s3, sink = FakeS3(), Sink()
    event = documented_event(versionId=None)
    assert handle_batch({"Records": [message(event)]}, verdicts(s3, sink)) == {
        "batchItemFailures": []
    }
    assert s3.puts == [(KEY, None)]
    assert s3.tags[(KEY, None)]["av-status"] == "ERROR"
    assert s3.tags[(KEY, None)]["av-signature"] == "COMPLETED NO_THREATS_FOUND no-version-id"


def test_other_events_are_not_results() -> None:
    assert parse_result(json.dumps({"source": "aws.s3", "detail-type": "Object Created"})) is None
    status_event = {**documented_event(), "detail-type": "GuardDuty Malware Protection Status"}
    assert parse_result(json.dumps(status_event)) is None


def test_mp_av_01_verdict_tags_on_the_exact_version_and_the_record() -> None:
    s3, sink = FakeS3({"av-status": "CLEAN", "forged": "x"}), Sink()
    threats = [{"name": "EICAR-Test-File (not a virus)"}, {"name": "Other;Threat"}]
    event = documented_event("THREATS_FOUND", threats=threats)
    assert handle_batch({"Records": [message(event)]}, verdicts(s3, sink)) == {
        "batchItemFailures": []
    }
    assert s3.puts == [(KEY, "d41d8cd98f00b204e9800998eEXAMPLE")]
    assert s3.tags[(KEY, "d41d8cd98f00b204e9800998eEXAMPLE")] == {  # the tag set is replaced
        "av-status": "INFECTED",
        "av-signature": "EICAR-Test-File _not a virus_ / Other_Threat",
        "av-db-version": GUARDDUTY_VERDICT_SOURCE,
        "av-scanned-at": "2024-02-28T01:01:01Z",
    }
    assert sink.calls == [(KEY, AvStatus.INFECTED)]


def test_mp_av_02_errors_carry_guardduty_status_and_a_bad_time_is_replaced() -> None:
    s3, sink = FakeS3(), Sink()
    event = documented_event("UNSUPPORTED", "SKIPPED")
    event["time"] = "not a time"
    handle_batch({"Records": [message(event)]}, verdicts(s3, sink))
    tags = s3.tags[(KEY, "d41d8cd98f00b204e9800998eEXAMPLE")]
    assert (tags["av-status"], tags["av-signature"]) == ("ERROR", "SKIPPED UNSUPPORTED")
    assert tags["av-scanned-at"] == NOW
    assert sink.calls == [(KEY, AvStatus.ERROR)]


def test_mp_av_03_infected_is_never_retagged() -> None:
    infected = {
        "av-status": "INFECTED",
        "av-signature": "Eicar",
        "av-db-version": "local-1",
        "av-scanned-at": "2026-01-01T00:00:00Z",
    }
    s3, sink = FakeS3(infected), Sink()
    handle_batch({"Records": [message(documented_event())]}, verdicts(s3, sink))
    assert s3.puts == []
    assert s3.tags[(KEY, "d41d8cd98f00b204e9800998eEXAMPLE")] == infected
    assert sink.calls == [(KEY, AvStatus.INFECTED)]


@pytest.mark.parametrize(
    ("bucket", "key"),
    [("someone-elses-bucket", KEY), (BUCKET, "definitions/x"), (BUCKET, "submissionsX/y")],
)
def test_results_for_other_buckets_and_prefixes_are_ignored(bucket: str, key: str) -> None:
    s3, sink = FakeS3(error="AccessDenied"), Sink()
    event = documented_event(bucketName=bucket, objectKey=key)
    assert handle_batch({"Records": [message(event)]}, verdicts(s3, sink)) == {
        "batchItemFailures": []
    }
    assert (s3.puts, sink.calls) == ([], [])


def test_any_bucket_when_none_is_configured() -> None:
    s3, sink = FakeS3(), Sink()
    handle_batch({"Records": [message(documented_event())]}, verdicts(s3, sink, bucket=None))
    assert sink.calls == [(KEY, AvStatus.CLEAN)]


def test_non_results_are_dropped_and_broken_bodies_fail() -> None:
    s3, sink = FakeS3(), Sink()
    batch = {
        "Records": [
            message({"source": "aws.s3", "detail-type": "Object Created"}, "other"),
            {"messageId": "broken", "body": "not json"},
        ]
    }
    result = handle_batch(batch, verdicts(s3, sink))
    assert result == {"batchItemFailures": [{"itemIdentifier": "broken"}]}
    assert (s3.puts, sink.calls) == ([], [])


@pytest.mark.parametrize("code", ["NoSuchKey", "NoSuchVersion", "404"])
def test_a_gone_object_is_nothing_to_do(code: str) -> None:
    s3, sink = FakeS3(error=code), Sink()
    result = handle_batch({"Records": [message(documented_event())]}, verdicts(s3, sink))
    assert result == {"batchItemFailures": []}
    assert sink.calls == []


def test_s3_trouble_is_delivered_again() -> None:
    s3, sink = FakeS3(error="SlowDown"), Sink()
    result = handle_batch({"Records": [message(documented_event())]}, verdicts(s3, sink))
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}


def test_mp_av_01_verdict_waits_for_the_completed_submission() -> None:
    """Not recorded yet (upload not completed): delivered again, up to MAX_WAIT_RECEIVES."""
    s3, waiting = FakeS3(), Sink(recorded=False)
    batch = {
        "Records": [
            message(documented_event(), "early", receives=1),
            message(documented_event(), "late", receives=MAX_WAIT_RECEIVES - 1),
            message(documented_event(), "last", receives=MAX_WAIT_RECEIVES),
        ]
    }
    result = handle_batch(batch, verdicts(s3, waiting))
    assert result == {
        "batchItemFailures": [{"itemIdentifier": "early"}, {"itemIdentifier": "late"}]
    }
    assert s3.tags[(KEY, "d41d8cd98f00b204e9800998eEXAMPLE")]["av-status"] == "CLEAN"
    recorded = Sink(recorded=True)
    again = {"Records": [message(documented_event(), "early", receives=2)]}
    assert handle_batch(again, verdicts(s3, recorded)) == {"batchItemFailures": []}
    assert recorded.calls == [(KEY, AvStatus.CLEAN)]


@pytest.fixture
def installed() -> Iterator[tuple[FakeS3, Sink]]:
    s3, sink = FakeS3(), Sink()
    guardduty.use_runtime(verdicts(s3, sink))
    yield s3, sink
    guardduty.use_runtime(None)


def test_mp_av_01_lambda_handler_uses_the_installed_runtime(installed: tuple[FakeS3, Sink]) -> None:
    _, sink = installed
    event = {"Records": [message(documented_event())]}
    assert guardduty.lambda_handler(event, lambda_context()) == {"batchItemFailures": []}
    assert sink.calls == [(KEY, AvStatus.CLEAN)]
