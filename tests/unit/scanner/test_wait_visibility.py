"""MP-AV-01: a verdict that waits for the learner's completion call comes back after a short,
growing backoff (change_message_visibility), not after the queue's 720 s visibility timeout;
engine trouble keeps that timeout. A repeat delivery records the verdict this scanner already
wrote on the exact version instead of scanning again; tags alone are never trusted."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

import pytest

from manabi_contract.verdicts import AvStatus
from manabi_local.scanning import RETRY_SECONDS, ScanWorker
from manabi_scanner import handler
from manabi_scanner.clamd import ClamdError, StreamResult
from manabi_scanner.guardduty import GuardDutyVerdicts
from manabi_scanner.guardduty import handle_batch as guardduty_batch
from manabi_scanner.scan import (
    MAX_WAIT_RECEIVES,
    Scanner,
    Target,
    WaitBackoff,
    handle_batch,
    queue_url,
)
from tests.support_events import lambda_context
from tests.unit.scanner.test_guardduty import NOW, FakeS3, Sink, documented_event

ARN = "arn:aws:sqs:ap-northeast-1:111122223333:manabi-staging-scan"
URL = "https://sqs.ap-northeast-1.amazonaws.com/111122223333/manabi-staging-scan"
BUCKET = "manabi-staging-data"
KEY = "submissions/c1/a1/learner-1/u1"


class Visibility:
    """The QueueVisibility port: records its calls, or fails as SQS can."""

    def __init__(self, error: Exception | None = None) -> None:
        self.calls: list[tuple[str, str, int]] = []
        self.error = error

    def change_message_visibility(
        self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> object:
        self.calls.append((QueueUrl, ReceiptHandle, VisibilityTimeout))
        if self.error is not None:
            raise self.error
        return {}


class Versioned:
    """An S3 client with one versioned object and its tags."""

    class exceptions:
        ClientError = Exception

    def __init__(self, tags: dict[str, str] | None = None, version: str | None = "v1") -> None:
        self.version = version
        self.tags = dict(tags or {})
        self.puts = 0

    def head_object(self, **_: Any) -> dict[str, Any]:
        return {"ContentLength": 5, **({"VersionId": self.version} if self.version else {})}

    def get_object_tagging(self, **_: Any) -> dict[str, Any]:
        return {"TagSet": [{"Key": k, "Value": v} for k, v in self.tags.items()]}

    def put_object_tagging(self, Tagging: Any, **_: Any) -> None:
        self.puts += 1
        self.tags = {t["Key"]: t["Value"] for t in Tagging["TagSet"]}

    def get_object(self, **_: Any) -> dict[str, Any]:
        return {"Body": _Body(b"hello")}


class _Body:
    def __init__(self, data: bytes) -> None:
        self._data = data

    def iter_chunks(self, size: int) -> Iterator[bytes]:
        yield self._data


class CountingEngine:
    def __init__(self, db_version: str = "local-1", broken: bool = False) -> None:
        self.version = db_version
        self.broken = broken
        self.scans = 0

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        self.scans += 1
        if self.broken:
            raise ClamdError("clamd is not there")
        for _ in chunks:
            pass
        return StreamResult(False, "")

    def db_version(self) -> str:
        return self.version


def _scanner(s3: Versioned, engine: CountingEngine) -> Scanner:
    return Scanner(s3, engine, 1024, lambda: NOW)  # type: ignore[arg-type]


def _s3_message(message_id: str, receives: int = 1, arn: str | None = ARN) -> dict[str, Any]:
    record = {
        "eventName": "ObjectCreated:Post",
        "s3": {"bucket": {"name": BUCKET}, "object": {"key": KEY, "size": 5, "versionId": "v1"}},
    }
    message: dict[str, Any] = {
        "messageId": message_id,
        "receiptHandle": f"rh-{message_id}",
        "body": json.dumps({"Records": [record]}),
        "attributes": {"ApproximateReceiveCount": str(receives)},
        "eventSource": "aws:sqs",
    }
    if arn is not None:
        message["eventSourceARN"] = arn
    return message


def test_mp_av_01_backoff_grows_and_stays_far_below_the_visibility_timeout() -> None:
    assert [WaitBackoff().seconds(n) for n in range(1, 7)] == [15, 45, 135, 405, 600, 600]
    assert WaitBackoff(1, 3).seconds(0) == 1
    assert WaitBackoff().seconds(10_000) == 600
    waited = sum(WaitBackoff().seconds(n) for n in range(1, MAX_WAIT_RECEIVES))
    assert waited == 600  # how long a verdict waits for the completion call in all


def test_mp_av_01_queue_url_from_the_event_source_arn() -> None:
    assert queue_url(ARN) == URL
    china = "arn:aws-cn:sqs:cn-north-1:111122223333:q"
    assert queue_url(china) == "https://sqs.cn-north-1.amazonaws.com.cn/111122223333/q"
    for bad in ["", "arn:aws:s3:::bucket", "arn:aws:sqs:ap-northeast-1::q"]:
        with pytest.raises(ValueError, match="not an SQS queue ARN"):
            queue_url(bad)


def test_mp_av_01_not_recorded_yet_shortens_visibility_with_the_backoff() -> None:
    visibility = Visibility()
    scanner = _scanner(Versioned(), CountingEngine())
    batch = {
        "Records": [
            _s3_message("first", receives=1),
            _s3_message("third", receives=3),
            _s3_message("last", receives=MAX_WAIT_RECEIVES),  # gives up waiting: deleted
        ]
    }
    result = handle_batch(batch, scanner, Sink(recorded=False), visibility)
    assert result == {
        "batchItemFailures": [{"itemIdentifier": "first"}, {"itemIdentifier": "third"}]
    }
    assert visibility.calls == [(URL, "rh-first", 15), (URL, "rh-third", 135)]


def test_mp_av_01_engine_errors_keep_the_queue_visibility_timeout() -> None:
    visibility = Visibility()
    engine = CountingEngine(broken=True)
    for recorded in (False, True):
        result = handle_batch(
            {"Records": [_s3_message("m1")]},
            _scanner(Versioned(), engine),
            Sink(recorded=recorded),
            visibility,
        )
        assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    broken = {"Records": [{**_s3_message("broken"), "body": "not json"}]}
    assert handle_batch(broken, _scanner(Versioned(), engine), Sink(), visibility) == {
        "batchItemFailures": [{"itemIdentifier": "broken"}]
    }
    assert visibility.calls == []  # a broken clamd is not hammered


def test_mp_av_01_a_failing_visibility_change_does_not_break_the_batch() -> None:
    visibility = Visibility(error=RuntimeError("AccessDenied"))
    batch = {"Records": [_s3_message("w1"), _s3_message("no-arn", arn=None), _s3_message("w2")]}
    result = handle_batch(
        batch, _scanner(Versioned(), CountingEngine()), Sink(recorded=False), visibility
    )
    assert result == {
        "batchItemFailures": [
            {"itemIdentifier": "w1"},
            {"itemIdentifier": "no-arn"},
            {"itemIdentifier": "w2"},
        ]
    }
    assert visibility.calls == [(URL, "rh-w1", 15), (URL, "rh-w2", 15)]  # no ARN: no call


def test_mp_av_01_guardduty_results_wait_with_the_same_backoff() -> None:
    visibility = Visibility()
    verdicts = GuardDutyVerdicts(
        FakeS3(),  # type: ignore[arg-type]
        Sink(recorded=False),
        lambda: NOW,
        BUCKET,
        visibility,
        WaitBackoff(5, 60),
    )
    message = {
        "messageId": "g1",
        "receiptHandle": "rh-g1",
        "eventSourceARN": ARN,
        "body": json.dumps(documented_event()),
        "attributes": {"ApproximateReceiveCount": "2"},
    }
    failed = {"batchItemFailures": [{"itemIdentifier": "g1"}]}
    assert guardduty_batch({"Records": [message]}, verdicts) == failed
    assert visibility.calls == [(URL, "rh-g1", 15)]
    recorded = GuardDutyVerdicts(FakeS3(), Sink(), lambda: NOW, BUCKET, visibility)  # type: ignore[arg-type]
    assert guardduty_batch({"Records": [message]}, recorded) == {"batchItemFailures": []}
    assert len(visibility.calls) == 1


@pytest.fixture
def runtime() -> Iterator[None]:
    yield
    handler._runtime = None


def test_mp_av_01_lambda_handler_uses_the_runtime_visibility_and_backoff(runtime: None) -> None:
    visibility = Visibility()
    scanner = _scanner(Versioned(), CountingEngine())
    handler.use_runtime(
        handler.Runtime(scanner, Sink(recorded=False), None, visibility, WaitBackoff(1, 5, 2))
    )
    result = handler.lambda_handler({"Records": [_s3_message("m1", receives=2)]}, lambda_context())
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert visibility.calls == [(URL, "rh-m1", 2)]


# Reuse of verdicts on repeat deliveries


def test_mp_av_01_a_repeat_delivery_records_the_verdict_this_scanner_wrote() -> None:
    s3, engine = Versioned(), CountingEngine()
    scanner = _scanner(s3, engine)
    first = scanner.scan(Target(BUCKET, KEY, "v1", 5))
    again = scanner.scan(Target(BUCKET, KEY, "v1", 5))
    assert first == again
    assert again.verdict is not None
    assert (again.verdict.status, again.retry) == (AvStatus.CLEAN, False)
    assert (engine.scans, s3.puts) == (1, 1)  # scanned and tagged once


def test_mp_av_02_verdicts_are_not_reused_unless_this_scanner_wrote_them_unchanged() -> None:
    tags = {
        "av-status": "CLEAN",
        "av-signature": "none",
        "av-db-version": "local-1",
        "av-scanned-at": NOW,
    }
    # Forged tags that look exactly like the scanner's (the emulator lets uploads carry them).
    s3, engine = Versioned(tags), CountingEngine()
    _scanner(s3, engine).scan(Target(BUCKET, KEY, "v1", 5))
    assert (engine.scans, s3.puts) == (1, 1)
    # Tags changed after the scanner wrote them: scanned again.
    scanner = _scanner(s3, engine)
    scanner.scan(Target(BUCKET, KEY, "v1", 5))
    s3.tags["av-signature"] = "x"
    scanner.scan(Target(BUCKET, KEY, "v1", 5))
    assert engine.scans == 3
    # Newer definitions: scanned again.
    engine.version = "local-2"
    scanner.scan(Target(BUCKET, KEY, "v1", 5))
    assert engine.scans == 4
    # No version id (unversioned key, content may change): always scanned.
    unversioned, counting = Versioned(version=None), CountingEngine()
    plain = _scanner(unversioned, counting)
    plain.scan(Target(BUCKET, KEY, None, 5))
    plain.scan(Target(BUCKET, KEY, None, 5))
    assert counting.scans == 2


def test_mp_av_02_engine_errors_are_never_reused() -> None:
    s3, engine = Versioned(), CountingEngine(broken=True)
    scanner = _scanner(s3, engine)
    for _ in range(2):
        outcome = scanner.scan(Target(BUCKET, KEY, "v1", 5))
        assert outcome.retry
    assert engine.scans == 2


# The local worker and the handler's backoff do not fight


class FakeSqs:
    def __init__(self, messages: list[dict[str, Any]]) -> None:
        self.messages = messages
        self.visibility: list[tuple[str, int]] = []
        self.deleted: list[str] = []

    def receive_message(self, **_: Any) -> dict[str, Any]:
        messages, self.messages = self.messages, []
        return {"Messages": messages}

    def get_queue_attributes(self, **_: Any) -> dict[str, Any]:
        return {"Attributes": {"QueueArn": ARN}}

    def change_message_visibility(
        self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> object:
        assert QueueUrl == "http://local/queue"
        self.visibility.append((ReceiptHandle, VisibilityTimeout))
        return {}

    def delete_message(self, QueueUrl: str, ReceiptHandle: str) -> None:
        self.deleted.append(ReceiptHandle)


def _sqs_message(message_id: str, receives: int = 1) -> dict[str, Any]:
    record = _s3_message(message_id, receives)
    return {
        "MessageId": message_id,
        "ReceiptHandle": f"rh-{message_id}",
        "Body": record["body"],
        "Attributes": record["attributes"],
    }


def test_mp_av_01_local_worker_keeps_the_handler_backoff(runtime: None) -> None:
    sqs = FakeSqs([_sqs_message("wait", receives=2), _sqs_message("done")])
    worker = ScanWorker(sqs, "http://local/queue", handler.lambda_handler)

    class Answers:
        """Not recorded for the first message (upload not completed), recorded for the second."""

        def __init__(self) -> None:
            self.answers = [False, True]

        def record(self, key: str, status: AvStatus) -> bool:
            return self.answers.pop(0)

    handler.use_runtime(
        handler.Runtime(_scanner(Versioned(), CountingEngine()), Answers(), None, worker)
    )
    assert worker.poll_once() == 2
    assert sqs.visibility == [("rh-wait", 45)]  # the handler's backoff, not RETRY_SECONDS
    assert sqs.deleted == ["rh-done"]


def test_mp_av_01_local_worker_retries_engine_errors_after_its_own_delay(runtime: None) -> None:
    sqs = FakeSqs([_sqs_message("broken")])
    worker = ScanWorker(sqs, "http://local/queue", handler.lambda_handler)
    handler.use_runtime(
        handler.Runtime(_scanner(Versioned(), CountingEngine(broken=True)), Sink(), None, worker)
    )
    worker.poll_once()
    assert sqs.visibility == [("rh-broken", RETRY_SECONDS)]
    assert sqs.deleted == []


def test_mp_av_01_the_sqs_port_is_built_on_first_use(monkeypatch: pytest.MonkeyPatch) -> None:
    import boto3

    from manabi_scanner.wiring import LazySqsVisibility

    built: list[tuple[str, Any]] = []
    sqs = Visibility()

    def client(service: str, config: Any = None) -> Visibility:
        built.append((service, config))
        return sqs

    monkeypatch.setattr(boto3, "client", client)
    port = LazySqsVisibility()
    assert built == []  # nothing at init
    port.change_message_visibility(QueueUrl=URL, ReceiptHandle="a", VisibilityTimeout=10)
    port.change_message_visibility(QueueUrl=URL, ReceiptHandle="b", VisibilityTimeout=20)
    assert [service for service, _ in built] == ["sqs"]
    assert built[0][1].connect_timeout == 3
    assert sqs.calls == [(URL, "a", 10), (URL, "b", 20)]


def test_mp_av_01_local_waits_are_seconds_not_minutes() -> None:
    """Locally the completion call comes within a second: the verdict is recorded within the few
    seconds the browser tests wait, not after the cloud's backoff."""
    from manabi_local.scanning import LOCAL_WAIT_BACKOFF, RETRY_SECONDS

    waits = [LOCAL_WAIT_BACKOFF.seconds(n) for n in range(1, MAX_WAIT_RECEIVES)]
    assert waits == [1, 2, 3, 3]
    assert max(waits) <= RETRY_SECONDS
