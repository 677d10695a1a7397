"""Scan one object version and write its verdict tags; route S3 events from SQS to it.

Fail closed (MP-AV-02): oversize objects, objects over 2 GB, encrypted archives, engine and
stream errors all end as `av-status=ERROR`, which the bucket policy and the API treat as
unreadable. A verdict is written on the exact version named by the event.

A message whose verdict is on the object but not yet on the submission (the scan beat the
learner's completion call) comes back after a short, growing backoff (`WaitBackoff`, through
`QueueVisibility`) instead of the queue's visibility timeout (720 s); engine and stream errors
keep that timeout, so a broken clamd is not hammered.

A scan that clamd did not finish (`ScanInterrupted`: a deadline passed, clamd went away; the
engine restarts it) writes no verdict: the message is retried with the object unscanned, until
its `max_deliveries`-th delivery, where it ends as ERROR `engine-interrupted` (fail closed,
docs/decisions/0030-scanner-timeouts-and-restarts.md).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from enum import Enum
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote_plus

from manabi_contract.verdicts import AvStatus
from manabi_scanner.clamd import ClamdError, ScanInterrupted, StreamResult
from manabi_scanner.verdict import MAX_STREAM_BYTES_CEILING, Verdict, classify

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_log = logging.getLogger(__name__)
READ_CHUNK_BYTES = 256 * 1024
# How many deliveries a verdict waits for its submission to be recorded (upload completed).
MAX_WAIT_RECEIVES = 5
# The delivery (ApproximateReceiveCount) on which a scan clamd never finished ends as ERROR: the
# scan queue's maxReceiveCount, so the last delivery before the DLQ writes the verdict.
MAX_SCAN_DELIVERIES = 5
# Verdicts this scanner wrote, remembered per exact version so that a repeat delivery (waiting
# for the completed upload) records the verdict again instead of scanning again.
REMEMBERED_VERDICTS = 1024


class Settled(Enum):
    """What becomes of one SQS message."""

    DONE = "done"  # deleted
    RETRY = "retry"  # engine, stream or S3 trouble: again after the queue's visibility timeout
    WAIT = "wait"  # verdict tagged, submission not recorded yet: again after a short backoff


class QueueVisibility(Protocol):
    """The one SQS call the batch needs (a boto3 SQS client fits)."""

    def change_message_visibility(
        self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> object: ...


class WaitBackoff(NamedTuple):
    """Visibility of a WAIT message before its next delivery: `first_seconds` after the first
    receive, times `factor` per receive, at most `max_seconds` (below the queue's 720 s). With
    MAX_WAIT_RECEIVES = 5 the defaults wait 15 + 45 + 135 + 405 s: a verdict is recorded within
    seconds of a prompt completion call, and a late one (a slow network, a retried request) still
    has ten minutes."""

    first_seconds: int = 15
    max_seconds: int = 600
    factor: int = 3

    def seconds(self, receives: int) -> int:
        steps = min(max(receives, 1) - 1, 16)
        return int(min(self.first_seconds * self.factor**steps, self.max_seconds))


WAIT_BACKOFF = WaitBackoff()


class Engine(Protocol):
    def scan(self, chunks: Iterable[bytes]) -> StreamResult: ...

    def db_version(self) -> str: ...


class VerdictSink(Protocol):
    def record(self, key: str, status: AvStatus) -> bool:
        """Update the record that owns `key`; False when no record owns it (yet)."""


class Target(NamedTuple):
    bucket: str
    key: str
    version_id: str | None
    size: int | None


# Told of every verdict the scanner writes on a version: its status and the milliseconds from
# taking the version to the verdict written (the application metrics, manabi_scanner.wiring).
ScanObserver = Callable[[AvStatus, float], None]


class Outcome(NamedTuple):
    # None: no verdict — the object (version) is gone, or (with `retry`) its scan was interrupted
    verdict: Verdict | None
    retry: bool  # a transient failure: deliver the message again


class Scanner:
    def __init__(
        self,
        s3: S3Client,
        engine: Engine,
        max_bytes: int,
        now: Callable[[], str],
        max_deliveries: int = MAX_SCAN_DELIVERIES,
        observe: ScanObserver | None = None,
    ) -> None:
        self._s3 = s3
        self._observe = observe
        self._engine = engine
        self._max_bytes = min(max_bytes, MAX_STREAM_BYTES_CEILING)
        self._now = now
        self._max_deliveries = max_deliveries
        self._written: OrderedDict[tuple[str, str, str], Verdict] = OrderedDict()
        self._lock = threading.Lock()

    def scan(self, target: Target, delivery: int = 1) -> Outcome:
        """The verdict on `target`, on its `delivery`-th delivery (ApproximateReceiveCount)."""
        started = time.perf_counter()
        version: dict[str, Any] = (
            {} if target.version_id is None else {"VersionId": target.version_id}
        )
        retry = False
        try:
            head = self._s3.head_object(Bucket=target.bucket, Key=target.key, **version)
        except self._s3.exceptions.ClientError as error:
            if is_gone(error):
                return Outcome(None, False)
            raise
        version = {"VersionId": head["VersionId"]} if head.get("VersionId") else version
        size = head["ContentLength"]
        tags = read_tags(self._s3, target.bucket, target.key, version)
        final = infected_verdict(tags)
        if final is not None:
            return Outcome(final, False)
        db_version = self._engine.db_version()
        written = self._remembered(target.bucket, target.key, version, tags, db_version)
        if written is not None:
            _log.info("verdict %s %s (already written)", target.key, written.status.value)
            return Outcome(written, False)
        if size > self._max_bytes:
            status, signature = AvStatus.ERROR, "oversize"
        else:
            try:
                body = self._s3.get_object(Bucket=target.bucket, Key=target.key, **version)["Body"]
                result = self._engine.scan(_bounded(body.iter_chunks(READ_CHUNK_BYTES), size))
                status, signature = classify(result.found, result.signature), result.signature
            except ScanInterrupted as error:
                if delivery < self._max_deliveries:
                    _log.warning(
                        "scan of %s interrupted on delivery %d of %d, retried unscanned: %s",
                        target.key,
                        delivery,
                        self._max_deliveries,
                        error,
                    )
                    return Outcome(None, True)
                _log.error("scan of %s interrupted on its last delivery: %s", target.key, error)
                status, signature, retry = AvStatus.ERROR, "engine-interrupted", True
            except ClamdError as error:
                _log.warning("engine error on %s: %s", target.key, error)
                status, signature, retry = AvStatus.ERROR, "engine-error", True
            except Exception:  # a broken stream is an ERROR verdict, never a pass
                _log.exception("stream error on %s", target.key)
                status, signature, retry = AvStatus.ERROR, "stream-error", True
        verdict = Verdict(status, signature, db_version, self._now())
        write_tags(self._s3, target.bucket, target.key, version, verdict)
        _log.info("verdict %s %s %s", target.key, status.value, signature)
        self._observed(status, (time.perf_counter() - started) * 1000)
        if not retry:
            self._remember(target.bucket, target.key, version, verdict)
        return Outcome(verdict, retry)

    def _observed(self, status: AvStatus, milliseconds: float) -> None:
        if self._observe is None:
            return
        try:
            self._observe(status, milliseconds)
        except Exception:  # a metric never costs a verdict
            _log.warning("the scan's metrics were not written", exc_info=True)

    def _remembered(
        self, bucket: str, key: str, version: dict[str, Any], tags: dict[str, str], db: str
    ) -> Verdict | None:
        """A verdict this scanner wrote on this exact version with the same definitions, still
        on it tag for tag. Tags alone are never trusted (the emulator lets uploads carry av-*
        tags); neither are verdicts of an unversioned key, whose content can change."""
        if not version.get("VersionId"):
            return None
        with self._lock:
            verdict = self._written.get((bucket, key, version["VersionId"]))
        if verdict is None or verdict.db_version != db or tags != verdict.tags():
            return None
        return verdict

    def _remember(self, bucket: str, key: str, version: dict[str, Any], verdict: Verdict) -> None:
        if not version.get("VersionId"):
            return
        with self._lock:
            self._written[(bucket, key, version["VersionId"])] = verdict
            while len(self._written) > REMEMBERED_VERDICTS:
                self._written.popitem(last=False)


def _bounded(chunks: Iterator[bytes], expected: int) -> Iterator[bytes]:
    """The object's bytes, failing when the stream does not deliver exactly `expected` bytes."""
    seen = 0
    for chunk in chunks:
        seen += len(chunk)
        if seen > expected:
            raise OSError("the object grew while it was read")
        yield chunk
    if seen != expected:
        raise OSError(f"the stream ended after {seen} of {expected} bytes")


def _code(error: Exception) -> str:
    response: dict[str, Any] = getattr(error, "response", {}) or {}
    return str(response.get("Error", {}).get("Code", ""))


def is_gone(error: Exception) -> bool:
    """The object (version) no longer exists: there is nothing to judge."""
    return _code(error) in {"404", "NoSuchKey", "NoSuchVersion"}


# The verdict on the exact version, shared by every backend (ClamAV here, GuardDuty in
# manabi_scanner.guardduty). `version` is {} or {"VersionId": ...}.


def read_tags(s3: S3Client, bucket: str, key: str, version: dict[str, Any]) -> dict[str, str]:
    tagging = s3.get_object_tagging(Bucket=bucket, Key=key, **version)
    return {t["Key"]: t["Value"] for t in tagging["TagSet"]}


def infected_verdict(tags: dict[str, str]) -> Verdict | None:
    """The INFECTED verdict already on a version: final (MP-AV-03), never retagged, since the
    bucket policy refuses any retag of it; only the record is updated."""
    verdict = Verdict.from_tags(tags)
    return verdict if verdict is not None and verdict.status is AvStatus.INFECTED else None


def write_tags(
    s3: S3Client, bucket: str, key: str, version: dict[str, Any], verdict: Verdict
) -> None:
    """Replace the version's tag set with the verdict's tags (forged or stale tags go)."""
    tag_set: list[Any] = [{"Key": k, "Value": v} for k, v in verdict.tags().items()]
    s3.put_object_tagging(Bucket=bucket, Key=key, Tagging={"TagSet": tag_set}, **version)


def targets(body: str) -> list[Target]:
    """S3 ObjectCreated records of one SQS message body (keys arrive URL-encoded)."""
    message = json.loads(body)
    found = []
    for record in message.get("Records", []):
        if not str(record.get("eventName", "")).startswith("ObjectCreated"):
            continue
        s3 = record["s3"]
        found.append(
            Target(
                s3["bucket"]["name"],
                unquote_plus(s3["object"]["key"]),
                s3["object"].get("versionId") or None,
                s3["object"].get("size"),
            )
        )
    return found


def handle_batch(
    event: dict[str, Any],
    scanner: Scanner,
    sink: VerdictSink,
    visibility: QueueVisibility | None = None,
    backoff: WaitBackoff = WAIT_BACKOFF,
) -> dict[str, Any]:
    """An SQS batch of S3 events → partial failures (ReportBatchItemFailures)."""
    return process_batch(
        event, lambda message: _handle_message(message, scanner, sink), visibility, backoff
    )


def process_batch(
    event: dict[str, Any],
    handle: Callable[[dict[str, Any]], Settled],
    visibility: QueueVisibility | None = None,
    backoff: WaitBackoff = WAIT_BACKOFF,
) -> dict[str, Any]:
    """Each SQS message of a batch through `handle`; only the messages not DONE return. A WAIT
    message is made visible again after `backoff` (when there is a `visibility` port)."""
    failures = []
    for message in event.get("Records", []):
        try:
            settled = handle(message)
        except Exception:
            _log.exception("message %s failed", message.get("messageId"))
            settled = Settled.RETRY
        if settled is Settled.WAIT and visibility is not None:
            shorten_visibility(visibility, message, backoff.seconds(receive_count(message)))
        if settled is not Settled.DONE:
            failures.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failures}


def queue_url(arn: str) -> str:
    """The URL of the queue an SQS ARN names (arn:<partition>:sqs:<region>:<account>:<name>)."""
    parts = arn.split(":")
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "sqs" or not all(parts[3:]):
        raise ValueError(f"not an SQS queue ARN: {arn!r}")
    _, partition, _, region, account, name = parts
    domain = "amazonaws.com.cn" if partition == "aws-cn" else "amazonaws.com"
    return f"https://sqs.{region}.{domain}/{account}/{name}"


def shorten_visibility(visibility: QueueVisibility, message: dict[str, Any], seconds: int) -> None:
    """Deliver `message` again in `seconds`; on any failure the queue's timeout still holds."""
    try:
        visibility.change_message_visibility(
            QueueUrl=queue_url(str(message.get("eventSourceARN", ""))),
            ReceiptHandle=str(message["receiptHandle"]),
            VisibilityTimeout=seconds,
        )
    except Exception:
        _log.warning(
            "message %s: visibility not shortened", message.get("messageId"), exc_info=True
        )


def receive_count(message: dict[str, Any]) -> int:
    return int(message.get("attributes", {}).get("ApproximateReceiveCount", "1"))


def settle(sink: VerdictSink, key: str, verdict: Verdict, retry: bool, receives: int) -> Settled:
    """Record a verdict on the submission. RETRY on engine trouble (`retry`; recorded anyway, so
    the submission shows the ERROR meanwhile); WAIT while the upload is not completed yet, up to
    MAX_WAIT_RECEIVES deliveries; DONE otherwise."""
    recorded = sink.record(key, verdict.status)
    if retry:
        return Settled.RETRY
    if not recorded and receives < MAX_WAIT_RECEIVES:
        return Settled.WAIT
    return Settled.DONE


def _handle_message(message: dict[str, Any], scanner: Scanner, sink: VerdictSink) -> Settled:
    """RETRY when any target of the message needs it, else WAIT when any waits, else DONE."""
    receives = receive_count(message)
    settled = Settled.DONE
    for target in targets(message["body"]):
        outcome = scanner.scan(target, receives)
        if outcome.verdict is not None:
            each = settle(sink, target.key, outcome.verdict, outcome.retry, receives)
        else:  # gone: nothing to do; interrupted: nothing written, scanned again
            each = Settled.RETRY if outcome.retry else Settled.DONE
        if each is Settled.RETRY or (each is Settled.WAIT and settled is Settled.DONE):
            settled = each
    return settled
