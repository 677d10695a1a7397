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
            if _code(error) in {"404", "NoSuchKey", "NoSuchVersion"}:
                return Outcome(None, False)
            raise
        version = {"VersionId": head["VersionId"]} if head.get("VersionId") else version
        size = head["ContentLength"]
        tagging = self._s3.get_object_tagging(Bucket=target.bucket, Key=target.key, **version)
        existing = {t["Key"]: t["Value"] for t in tagging["TagSet"]}
        if existing.get("av-status") == AvStatus.INFECTED.value:
            # final (MP-AV-03): the bucket policy refuses any retag; only the record is updated
            verdict = Verdict(
                AvStatus.INFECTED,
                existing.get("av-signature", ""),
                existing.get("av-db-version", ""),
                existing.get("av-scanned-at", ""),
            )
            return Outcome(verdict, False)
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
        tag_set: list[Any] = [{"Key": k, "Value": v} for k, v in verdict.tags().items()]
        self._s3.put_object_tagging(
            Bucket=target.bucket, Key=target.key, Tagging={"TagSet": tag_set}, **version
        )
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
    """An SQS batch → partial failures (ReportBatchItemFailures): only failed messages return."""
    failures = []
    for message in event.get("Records", []):
        try:
            done = _handle_message(message, scanner, sink)
        except Exception:
            _log.exception("message %s failed", message.get("messageId"))
            done = False
        if not done:
            failures.append({"itemIdentifier": message["messageId"]})
    return {"batchItemFailures": failures}


def _handle_message(message: dict[str, Any], scanner: Scanner, sink: VerdictSink) -> bool:
    receives = int(message.get("attributes", {}).get("ApproximateReceiveCount", "1"))
    done = True
    for target in targets(message["body"]):
        outcome = scanner.scan(target)
        if outcome.verdict is None:
            continue
        recorded = sink.record(target.key, outcome.verdict.status)
        if outcome.retry or (not recorded and receives < MAX_WAIT_RECEIVES):
            done = False  # engine trouble, or the upload is not completed yet: again later
    return done
