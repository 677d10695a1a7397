"""The local virus scanner: published definitions, clamd and a worker thread on the scan queue.

At start the definitions updater runs once (MP-AV-04) with the generated test database as its
source (freshclam cannot reach ClamAV's CDN here): it proves the set detects EICAR with a
throwaway clamd and publishes it under `definitions/<version>/` of the local definitions bucket,
unless a set younger than a day is there already. The scanner then loads the newest set from
that bucket through the same code as the cloud scanner (`wiring.build_definitions_engine`).

In the cloud, Lambda's SQS event source feeds the scanner; locally a thread long-polls the
provisioned scan queue, calls the same handler (`manabi_scanner.handler.lambda_handler`) with
the same event shape (eventSourceARN included), deletes what succeeded and lets failed messages
come back (partial batch failures). The worker is also the handler's QueueVisibility port: a
message waiting for the completed upload comes back after the handler's backoff (a short local one);
any other failed message after RETRY_SECONDS instead of the cloud's visibility timeout.

SCAN_WORKERS workers run, each an execution environment of its own as on Lambda: its own clamd,
scanner and handler runtime. A clamd that hangs on one file holds one worker (until its deadline
and restart, docs/decisions/0030-scanner-timeouts-and-restarts.md), not every upload.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3

from manabi_contract.storage import MAX_SUBMISSION_BYTES
from manabi_infra import names
from manabi_infra.config import STAGING
from manabi_local.events import LambdaContext
from manabi_local.provisioning import LocalResources
from manabi_local.template import Template
from manabi_scanner import handler as scanner_handler
from manabi_scanner.clamd import DEFAULT_TIMEOUTS, ClamdTimeouts
from manabi_scanner.config import ScannerConfig
from manabi_scanner.definitions import S3DefinitionsStore
from manabi_scanner.definitions_engine import DefinitionsEngine
from manabi_scanner.engine import write_test_database
from manabi_scanner.scan import WaitBackoff
from manabi_scanner.sources import GeneratedSource
from manabi_scanner.updater import DefinitionsUpdate, UpdateResult, clamd_proof_engine
from manabi_scanner.wiring import build_definitions_engine, build_scanner, dynamodb_verdicts

_log = logging.getLogger("manabi_local.scanner")
Handler = Callable[[dict[str, Any], Any], dict[str, Any]]
RETRY_SECONDS = 3
# The worker's long poll: short, so that stopping the run waits for one poll at most.
POLL_SECONDS = 1
# A verdict waiting for the completion call: one person at a keyboard, the call comes in about a
# second, so locally the wait is 1, 2, 3, 3 s instead of the cloud's 15 … 405 s.
LOCAL_WAIT_BACKOFF = WaitBackoff(first_seconds=1, max_seconds=RETRY_SECONDS, factor=2)
# Workers (and clamds) of the local scanner: what 2 cores afford (docs/virus-scan.md).
SCAN_WORKERS = 2


def scan_queue_url(template: Template, resources: LocalResources) -> str:
    """The queue the scanner function's event source mapping reads (Ref of a queue: its URL)."""
    for mapping in template.of_type("AWS::Lambda::EventSourceMapping"):
        source = mapping.properties.get("EventSourceArn", {})
        if isinstance(source, dict) and "Fn::GetAtt" in source:
            return resources.physical_ids[source["Fn::GetAtt"][0]]
    raise LookupError("the template has no SQS event source for the scanner")


SCAN_WORKER_FUNCTION = "local-manabiplus-scanner"


class ScanWorker:
    def __init__(
        self,
        sqs: Any,
        queue_url: str,
        handler: Handler,
        wait_seconds: int = 5,
        name: str = "scan-worker",
    ) -> None:
        self._sqs = sqs
        self._queue_url = queue_url
        self.handler = handler  # settable: a handler whose runtime has this worker as its port
        self._wait = wait_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name=name, daemon=True)
        self._queue_arn: str | None = None
        self._lock = threading.Lock()
        self._shortened: set[str] = set()  # receipt handles whose visibility the handler set

    def start(self) -> None:
        self._thread.start()

    def stop_soon(self) -> None:
        """Ask the worker to stop after its current poll (several stop in parallel)."""
        self._stop.set()

    def stop(self) -> None:
        self.stop_soon()
        self._thread.join(timeout=self._wait + 5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.poll_once(self._wait)
            except Exception:  # the worker outlives one bad poll, as Lambda's poller does
                _log.exception("scan poll failed")
                self._stop.wait(1)

    def queue_arn(self) -> str:
        """The queue's ARN, as Lambda puts it in each record (eventSourceARN); empty while it
        cannot be read (then every failed message comes back after RETRY_SECONDS)."""
        if self._queue_arn is None:
            try:
                attributes = self._sqs.get_queue_attributes(
                    QueueUrl=self._queue_url, AttributeNames=["QueueArn"]
                )
                self._queue_arn = str(attributes["Attributes"]["QueueArn"])
            except Exception:
                _log.warning("the scan queue's ARN is unknown", exc_info=True)
                return ""
        return self._queue_arn

    def change_message_visibility(
        self, *, QueueUrl: str, ReceiptHandle: str, VisibilityTimeout: int
    ) -> object:
        """The handler's QueueVisibility port: forwarded to this worker's queue, and remembered
        so that the worker does not overwrite it with RETRY_SECONDS."""
        with self._lock:
            self._shortened.add(ReceiptHandle)
        return self._sqs.change_message_visibility(
            QueueUrl=self._queue_url,
            ReceiptHandle=ReceiptHandle,
            VisibilityTimeout=VisibilityTimeout,
        )

    def poll_once(self, wait_seconds: int = 0) -> int:
        """One receive → handler → delete round; returns how many messages it received."""
        received = self._sqs.receive_message(
            QueueUrl=self._queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            MessageSystemAttributeNames=["All"],
        ).get("Messages", [])
        if not received:
            return 0
        event = {
            "Records": [
                {
                    "messageId": m["MessageId"],
                    "receiptHandle": m["ReceiptHandle"],
                    "body": m["Body"],
                    "attributes": m.get("Attributes", {}),
                    "eventSource": "aws:sqs",
                    "eventSourceARN": self.queue_arn(),
                }
                for m in received
            ]
        }
        # A context as the Lambda runtime passes one (Powertools reads it).
        context = LambdaContext(SCAN_WORKER_FUNCTION, 3072, 120.0, str(uuid.uuid4()))
        result = self.handler(event, context)
        failed = {f["itemIdentifier"] for f in result.get("batchItemFailures", [])}
        for message in received:
            with self._lock:
                shortened = message["ReceiptHandle"] in self._shortened
                self._shortened.discard(message["ReceiptHandle"])
            if message["MessageId"] in failed and shortened:
                continue  # the handler's backoff holds
            if message["MessageId"] in failed:
                self._sqs.change_message_visibility(
                    QueueUrl=self._queue_url,
                    ReceiptHandle=message["ReceiptHandle"],
                    VisibilityTimeout=RETRY_SECONDS,
                )
            else:
                self._sqs.delete_message(
                    QueueUrl=self._queue_url, ReceiptHandle=message["ReceiptHandle"]
                )
        return len(received)


def local_definitions_bucket() -> str:
    """The definitions bucket of the local (staging) template."""
    return names.resource_names(STAGING).definitions_bucket


class LocalScanner:
    """Definitions update, then `workers` × (clamd + scanner runtime + worker); `stop` ends them.
    `engine` and `worker` are the first of `engines` and `workers`."""

    def __init__(
        self,
        work_dir: Path,
        resources: LocalResources,
        queue_url: str,
        definitions_bucket: str | None = None,
        max_bytes: int = MAX_SUBMISSION_BYTES,
        workers: int = SCAN_WORKERS,
        clamd_timeouts: ClamdTimeouts = DEFAULT_TIMEOUTS,
    ) -> None:
        s3 = boto3.client("s3")
        bucket = definitions_bucket or local_definitions_bucket()
        self.update: UpdateResult | None = None
        try:
            self.update = DefinitionsUpdate(
                S3DefinitionsStore(s3, bucket),
                GeneratedSource(),
                clamd_proof_engine,
                lambda: datetime.now(UTC),
                work_dir / "updater",
                timedelta(hours=24),
            ).run(lambda hours: _log.info("virus definitions: newest set %.1f h old", hours))
        except Exception:  # the scanner still starts, on the built-in (generated) database
            _log.exception("the local definitions update failed")
        config = ScannerConfig(
            table_name=resources.table_name,
            max_scan_bytes=max_bytes,
            db_dir=work_dir / "db",  # the "image's built-in database": used without a set
            db_version="",
            work_dir=work_dir / "clamd",
            definitions_bucket=bucket,
            definitions_dir=work_dir / "definitions",
            clamd_timeouts=clamd_timeouts,
        )
        write_test_database(config.db_dir)
        verdicts = dynamodb_verdicts(resources.table_name)
        self.engines: list[DefinitionsEngine] = []
        self.workers: list[ScanWorker] = []
        for index in range(workers):
            # clamd's socket and the downloaded set are per clamd: a directory pair each
            suffix = "" if index == 0 else f"-{index + 1}"
            own = replace(
                config,
                work_dir=work_dir / f"clamd{suffix}",
                definitions_dir=work_dir / f"definitions{suffix}",
            )
            engine = build_definitions_engine(s3, own)
            scanner = build_scanner(s3, engine, max_bytes, own.max_deliveries)
            worker = ScanWorker(
                boto3.client("sqs"),
                queue_url,
                _not_ready,
                POLL_SECONDS,
                name=f"scan-worker-{index + 1}",
            )
            worker.handler = scanner_handler.runtime_handler(
                scanner_handler.Runtime(
                    scanner, verdicts, engine.refresh_if_due, worker, LOCAL_WAIT_BACKOFF
                )
            )
            self.engines.append(engine)
            self.workers.append(worker)
        self.engine, self.worker = self.engines[0], self.workers[0]
        for worker in self.workers:
            worker.start()

    def stop(self) -> None:
        for worker in self.workers:
            worker.stop_soon()
        for worker in self.workers:
            worker.stop()
        for engine in self.engines:
            engine.stop()


def _not_ready(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise RuntimeError("the worker's handler is set before it starts")
