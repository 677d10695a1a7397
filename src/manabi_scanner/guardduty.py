"""GuardDuty Malware Protection for S3 as the scanner backend (`scan_backend=guardduty`).

Lambda entry point: `manabi_scanner.guardduty.lambda_handler`. GuardDuty scans every new object
under `submissions/` of the data bucket (its own object tagging disabled) and publishes a
`GuardDuty Malware Protection Object Scan Result` event to the default event bus; an EventBridge
rule sends the whole event, as the message body, to the scan queue (SQS + DLQ). This function
turns each result into the verdict the ClamAV scanner writes (same interface, MP-AV-01):
`av-*` tags on the exact object version the event names, never over an INFECTED verdict
(MP-AV-03), then the submission's status through the same VerdictSink, with the same "wait for
the completed upload" retries (after the same short backoff) and partial batch failures
(manabi_scanner.scan).

The event, as documented in "Monitoring S3 object scans with Amazon EventBridge"
(https://docs.aws.amazon.com/guardduty/latest/ug/monitor-with-eventbridge-s3-malware-protection.html):

    {"version": "0", "id": "…", "source": "aws.guardduty",
     "detail-type": "GuardDuty Malware Protection Object Scan Result",
     "account": "…", "time": "2024-02-28T01:01:01Z", "region": "…",
     "resources": ["arn:aws:guardduty:…:malware-protection-plan/…"],
     "detail": {"schemaVersion": "1.0", "scanStatus": "COMPLETED", "resourceType": "S3_OBJECT",
                "s3ObjectDetails": {"bucketName": "…", "objectKey": "…", "eTag": "…",
                                    "versionId": "…", "s3Throttled": false},
                "scanResultDetails": {"scanResultStatus": "NO_THREATS_FOUND",
                                      "threats": null}}}

`scanStatus` is COMPLETED, SKIPPED or FAILED; `scanResultStatus` is NO_THREATS_FOUND,
THREATS_FOUND, UNSUPPORTED, ACCESS_DENIED or FAILED
(https://docs.aws.amazon.com/guardduty/latest/ug/monitoring-malware-protection-s3-scans-gdu.html).
Fail closed (MP-AV-02): only a COMPLETED scan with NO_THREATS_FOUND is CLEAN, THREATS_FOUND is
INFECTED (signature: the threat names), anything else — unsupported or password-protected
files, access denied, failures, unknown or missing values — is ERROR. A result without a version
id cannot be pinned to the version GuardDuty read, so it is never CLEAN either.

`objectKey` is the object's key as stored: unlike S3 event notifications (whose keys are
URL-encoded, see scan.targets) nothing in GuardDuty's documentation or example encodes it, and
GuardDuty's own API (SendObjectMalwareScan) takes plain keys; it is used as is.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from botocore.exceptions import ClientError

from manabi_contract.names import GUARDDUTY_VERDICT_SERVICE
from manabi_contract.observability import function_logger, function_tracer
from manabi_contract.storage import SUBMISSIONS_PREFIX
from manabi_contract.verdicts import (
    GUARDDUTY_EVENT_SOURCE,
    GUARDDUTY_RESULT_DETAIL_TYPE,
    GUARDDUTY_VERDICT_SOURCE,
    AvStatus,
)
from manabi_scanner.config import GuardDutyVerdictConfig
from manabi_scanner.scan import (
    WAIT_BACKOFF,
    QueueVisibility,
    Settled,
    VerdictSink,
    WaitBackoff,
    infected_verdict,
    is_gone,
    process_batch,
    read_tags,
    receive_count,
    settle,
    write_tags,
)
from manabi_scanner.verdict import Verdict
from manabi_scanner.wiring import LazySqsVisibility, dynamodb_verdicts, now_iso

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_log = logging.getLogger(__name__)
logger = function_logger(GUARDDUTY_VERDICT_SERVICE)
tracer = function_tracer(GUARDDUTY_VERDICT_SERVICE, patch=("botocore",))  # S3 tags, DynamoDB


CLEAN_RESULT = "NO_THREATS_FOUND"
INFECTED_RESULT = "THREATS_FOUND"
COMPLETED_SCAN = "COMPLETED"


class ScanResult(NamedTuple):
    bucket: str
    key: str
    version_id: str | None
    status: AvStatus
    signature: str
    scanned_at: str  # the event's time (ISO 8601); empty when the event has none


def classify_result(scan_status: str, result_status: str, has_version: bool = True) -> AvStatus:
    """GuardDuty's scan status and result → our verdict, fail closed (MP-AV-02)."""
    if result_status == INFECTED_RESULT:
        return AvStatus.INFECTED
    if result_status == CLEAN_RESULT and scan_status == COMPLETED_SCAN and has_version:
        return AvStatus.CLEAN
    return AvStatus.ERROR


def parse_result(body: str) -> ScanResult | None:
    """The scan result of one SQS message body (an EventBridge event); None for any other event."""
    event = json.loads(body)
    source, detail_type = event.get("source"), event.get("detail-type")
    if source != GUARDDUTY_EVENT_SOURCE or detail_type != GUARDDUTY_RESULT_DETAIL_TYPE:
        return None
    detail = event.get("detail") or {}
    target = detail.get("s3ObjectDetails") or {}
    result = detail.get("scanResultDetails") or {}
    scan_status = str(detail.get("scanStatus") or "")
    result_status = str(result.get("scanResultStatus") or "")
    version_id = str(target.get("versionId") or "") or None
    status = classify_result(scan_status, result_status, version_id is not None)
    return ScanResult(
        str(target["bucketName"]),
        str(target["objectKey"]),
        version_id,
        status,
        _signature(status, scan_status, result_status, result),
        _timestamp(event.get("time")),
    )


def _signature(status: AvStatus, scan_status: str, result_status: str, result: Any) -> str:
    if status is AvStatus.CLEAN:
        return ""
    if status is AvStatus.INFECTED:
        names = [str(t.get("name") or "") for t in result.get("threats") or []]
        return " / ".join(n for n in names if n) or INFECTED_RESULT
    reasons = [str(r) for r in result.get("statusReasons") or []]
    if result_status == CLEAN_RESULT and scan_status == COMPLETED_SCAN:
        reasons.append("no-version-id")
    return " ".join([scan_status or "no-scan-status", result_status or "no-result", *reasons])


def _timestamp(value: Any) -> str:
    """The event's time when it is one (it becomes a tag value), else empty."""
    try:
        datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return ""
    return str(value)


class GuardDutyVerdicts:
    """GuardDuty's results → verdict tags on the exact version + the submission's status."""

    def __init__(
        self,
        s3: S3Client,
        sink: VerdictSink,
        now: Callable[[], str],
        bucket: str | None = None,
        visibility: QueueVisibility | None = None,
        backoff: WaitBackoff = WAIT_BACKOFF,
    ) -> None:
        self._s3 = s3
        self._sink = sink
        self._now = now
        self._bucket = bucket or None
        self.visibility = visibility  # shortens the wait for the completed upload
        self.backoff = backoff

    def handle_message(self, message: dict[str, Any]) -> Settled:
        """One SQS message: DONE (deleted), WAIT for the completed upload, or RETRY."""
        result = parse_result(message["body"])
        if result is None:
            _log.warning("message %s is not a GuardDuty scan result", message.get("messageId"))
            return Settled.DONE
        if not self._concerns_us(result):
            _log.warning("ignored a result for %s/%s", result.bucket, result.key)
            return Settled.DONE
        verdict = self.apply(result)
        if verdict is None:
            _log.info("%s (version %s) is gone", result.key, result.version_id)
            return Settled.DONE
        return settle(self._sink, result.key, verdict, False, receive_count(message))

    def apply(self, result: ScanResult) -> Verdict | None:
        """Tag the version the result names, unless it is INFECTED already (MP-AV-03); the
        verdict that holds for it, or None when the object (version) is gone."""
        version = {} if result.version_id is None else {"VersionId": result.version_id}
        try:
            final = infected_verdict(read_tags(self._s3, result.bucket, result.key, version))
            if final is not None:
                return final
            scanned_at = result.scanned_at or self._now()
            verdict = Verdict(result.status, result.signature, GUARDDUTY_VERDICT_SOURCE, scanned_at)
            write_tags(self._s3, result.bucket, result.key, version, verdict)
        except ClientError as error:
            if is_gone(error):
                return None
            raise
        _log.info("verdict %s %s %s", result.key, verdict.status.value, verdict.signature)
        return verdict

    def _concerns_us(self, result: ScanResult) -> bool:
        in_bucket = self._bucket is None or result.bucket == self._bucket
        return in_bucket and result.key.startswith(SUBMISSIONS_PREFIX)


def handle_batch(event: dict[str, Any], verdicts: GuardDutyVerdicts) -> dict[str, Any]:
    """An SQS batch of GuardDuty results → partial failures (ReportBatchItemFailures)."""
    return process_batch(event, verdicts.handle_message, verdicts.visibility, verdicts.backoff)


_runtime: GuardDutyVerdicts | None = None


def build(environ: Mapping[str, str] = os.environ) -> GuardDutyVerdicts:
    """The function's runtime: S3 client, the submissions' DynamoDB verdict sink, SQS (lazily)."""
    import boto3

    config = GuardDutyVerdictConfig.from_environment(environ)
    sink = dynamodb_verdicts(config.table_name)
    return GuardDutyVerdicts(
        boto3.client("s3"), sink, now_iso, config.data_bucket, LazySqsVisibility()
    )


def use_runtime(verdicts: GuardDutyVerdicts | None) -> None:
    """Install a runtime built elsewhere (tests, a local worker); None: build on next call."""
    global _runtime
    _runtime = verdicts


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global _runtime
    if _runtime is None:  # once per execution environment
        _runtime = build()
    return handle_batch(event, _runtime)
