"""Compose the scanner: S3 client, clamd engine and the submissions' verdict sink."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.metrics import MetricUnit

from manabi_contract.app_metrics import SCAN_DURATION_MS, SCAN_VERDICTS, VERDICT_DIMENSION
from manabi_contract.names import SCANNER_SERVICE
from manabi_contract.observability import emit_metric
from manabi_contract.verdicts import AvStatus
from manabi_scanner.config import ScannerConfig
from manabi_scanner.definitions import S3DefinitionsStore
from manabi_scanner.definitions_engine import DefinitionsEngine
from manabi_scanner.engine import ClamdProcess, start_clamd
from manabi_scanner.scan import MAX_SCAN_DELIVERIES, Engine, Scanner, ScanObserver, VerdictSink
from manabi_scanner.submissions import DynamoDbSubmissionVerdicts

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client


class LazySqsVisibility:
    """The scanners' QueueVisibility port: a boto3 SQS client, built on first use (most batches
    never need it, and the init phase stays as short as it was). Short timeouts: a slow SQS
    costs the batch seconds, not the function's timeout; a failure leaves the queue's timeout."""

    def __init__(self) -> None:
        self._client: Any = None

    def change_message_visibility(
        self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> object:
        if self._client is None:
            import boto3
            from botocore.config import Config

            limits = Config(connect_timeout=3, read_timeout=5, retries={"max_attempts": 2})
            self._client = boto3.client("sqs", config=limits)
        return self._client.change_message_visibility(
            QueueUrl=QueueUrl, ReceiptHandle=ReceiptHandle, VisibilityTimeout=VisibilityTimeout
        )


def now_iso() -> str:
    """The verdict's `av-scanned-at`: UTC, milliseconds, as the API writes its instants."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def dynamodb_verdicts(table_name: str) -> VerdictSink:
    import boto3

    return DynamoDbSubmissionVerdicts(boto3.client("dynamodb"), table_name)


def scan_metrics(status: AvStatus, milliseconds: float) -> None:
    """A verdict written: `ScanVerdicts` by `verdict` and `ScanDurationMs` (MP-MON-03)."""
    emit_metric(SCANNER_SERVICE, SCAN_VERDICTS, dimensions={VERDICT_DIMENSION: status.value})
    emit_metric(SCANNER_SERVICE, SCAN_DURATION_MS, round(milliseconds, 1), MetricUnit.Milliseconds)


def build_scanner(
    s3: S3Client,
    engine: Engine,
    max_bytes: int,
    max_deliveries: int = MAX_SCAN_DELIVERIES,
    observe: ScanObserver | None = scan_metrics,
) -> Scanner:
    return Scanner(s3, engine, max_bytes, now_iso, max_deliveries, observe)


def build_definitions_engine(s3: S3Client, config: ScannerConfig) -> DefinitionsEngine:
    """clamd on the newest set of the definitions bucket, or on the built-in database (MP-AV-04)."""
    store = S3DefinitionsStore(s3, config.definitions_bucket) if config.definitions_bucket else None

    def start(db_dir: Path, db_version: str) -> ClamdProcess:
        return start_clamd(
            config.work_dir,
            db_dir,
            db_version,
            config.max_scan_bytes,
            clamd_timeouts=config.clamd_timeouts,
        )

    engine = DefinitionsEngine(
        store,
        config.definitions_dir,
        config.db_dir,
        config.db_version,
        start,
        timedelta(minutes=config.refresh_minutes),
    )
    engine.start()
    return engine
