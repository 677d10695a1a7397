"""Scan one object version and write its verdict tags; route S3 events from SQS to it.

Fail closed (MP-AV-02): oversize objects, objects over 2 GB, encrypted archives, engine and
stream errors all end as `av-status=ERROR`, which the bucket policy and the API treat as
unreadable. A verdict is written on the exact version named by the event.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol
from urllib.parse import unquote_plus

from manabi_scanner.clamd import ClamdError, StreamResult
from manabi_scanner.verdict import MAX_STREAM_BYTES_CEILING, AvStatus, Verdict, classify

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_log = logging.getLogger(__name__)
READ_CHUNK_BYTES = 256 * 1024
# How many deliveries a verdict waits for its submission to be recorded (upload completed).
MAX_WAIT_RECEIVES = 5


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


class Outcome(NamedTuple):
    verdict: Verdict | None  # None: the object (version) is gone, nothing to do
    retry: bool  # a transient failure: deliver the message again


class Scanner:
    def __init__(
        self,
        s3: S3Client,
        engine: Engine,
        max_bytes: int,
        now: Callable[[], str],
    ) -> None:
        self._s3 = s3
        self._engine = engine
        self._max_bytes = min(max_bytes, MAX_STREAM_BYTES_CEILING)
        self._now = now

    def scan(self, target: Target) -> Outcome:
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
        final = infected_verdict(read_tags(self._s3, target.bucket, target.key, version))
        if final is not None:
            return Outcome(final, False)
        db_version = self._engine.db_version()
        if size > self._max_bytes:
            status, signature = AvStatus.ERROR, "oversize"
        else:
            try:
                body = self._s3.get_object(Bucket=target.bucket, Key=target.key, **version)["Body"]
                result = self._engine.scan(_bounded(body.iter_chunks(READ_CHUNK_BYTES), size))
                status, signature = classify(result.found, result.signature), result.signature
            except ClamdError as error:
                _log.warning("engine error on %s: %s", target.key, error)
                status, signature, retry = AvStatus.ERROR, "engine-error", True
            except Exception:  # a broken stream is an ERROR verdict, never a pass
                _log.exception("stream error on %s", target.key)
                status, signature, retry = AvStatus.ERROR, "stream-error", True
        verdict = Verdict(status, signature, db_version, self._now())
        write_tags(self._s3, target.bucket, target.key, version, verdict)
        _log.info("verdict %s %s %s", target.key, status.value, signature)
        return Outcome(verdict, retry)


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
    if tags.get("av-status") != AvStatus.INFECTED.value:
        return None
    return Verdict(
        AvStatus.INFECTED,
        tags.get("av-signature", ""),
        tags.get("av-db-version", ""),
        tags.get("av-scanned-at", ""),
    )


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


def handle_batch(event: dict[str, Any], scanner: Scanner, sink: VerdictSink) -> dict[str, Any]:
    """An SQS batch of S3 events → partial failures (ReportBatchItemFailures)."""
    return process_batch(event, lambda message: _handle_message(message, scanner, sink))


def process_batch(
    event: dict[str, Any], handle: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Each SQS message of a batch through `handle` (True: done); only failed messages return."""
    failures = []
    for message in event.get("Records", []):
        try:
            done = handle(message)
        except Exception:
            _log.exception("message %s failed", message.get("messageId"))
            done = False
        if not done:
            failures.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failures}


def receive_count(message: dict[str, Any]) -> int:
    return int(message.get("attributes", {}).get("ApproximateReceiveCount", "1"))


def settle(sink: VerdictSink, key: str, verdict: Verdict, retry: bool, receives: int) -> bool:
    """Record a verdict on the submission; False while the message must come again: engine
    trouble (`retry`), or the upload is not completed yet (up to MAX_WAIT_RECEIVES deliveries)."""
    recorded = sink.record(key, verdict.status)
    return not (retry or (not recorded and receives < MAX_WAIT_RECEIVES))


def _handle_message(message: dict[str, Any], scanner: Scanner, sink: VerdictSink) -> bool:
    receives = receive_count(message)
    done = True
    for target in targets(message["body"]):
        outcome = scanner.scan(target)
        if outcome.verdict is not None:
            done = settle(sink, target.key, outcome.verdict, outcome.retry, receives) and done
    return done
