"""Lambda entry point of the scanner (`manabi_scanner.handler.lambda_handler`).

SQS batches of S3 ObjectCreated events, partial batch failures reported. clamd is started once
per execution environment, during the init phase, on the newest published virus definitions
(MP-AV-04; the image's built-in database without them), and reused by every invocation. At the
start of a batch a warm scanner switches to a newer published set when one is due. A message
waiting for the learner's completion call is made visible again after a short backoff through
SQS (`wiring.LazySqsVisibility`: the client is built on the first such message).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from typing import Any, NamedTuple

from manabi_contract.names import SCANNER_SERVICE
from manabi_contract.observability import function_logger, function_tracer
from manabi_scanner.config import ScannerConfig
from manabi_scanner.scan import (
    WAIT_BACKOFF,
    QueueVisibility,
    Scanner,
    VerdictSink,
    WaitBackoff,
    handle_batch,
)

_log = logging.getLogger(__name__)
logger = function_logger(SCANNER_SERVICE)
# Streaming the object from S3, tagging it and recording the verdict: the scan's other half.
tracer = function_tracer(SCANNER_SERVICE, patch=("botocore",))


class Runtime(NamedTuple):
    """What a batch needs: without `visibility`, a waiting message keeps the queue's
    visibility timeout; `refresh` switches to newer definitions when due."""

    scanner: Scanner
    sink: VerdictSink
    refresh: Callable[[], object] | None = None
    visibility: QueueVisibility | None = None
    backoff: WaitBackoff = WAIT_BACKOFF


_runtime: Runtime | None = None


def _build() -> Runtime:
    import boto3

    from manabi_scanner.wiring import (
        LazySqsVisibility,
        build_definitions_engine,
        build_scanner,
        dynamodb_verdicts,
    )

    config = ScannerConfig.from_environment()
    s3 = boto3.client("s3")
    engine = build_definitions_engine(s3, config)
    scanner = build_scanner(s3, engine, config.max_scan_bytes, config.max_deliveries)
    return Runtime(
        scanner, dynamodb_verdicts(config.table_name), engine.refresh_if_due, LazySqsVisibility()
    )


def use_runtime(runtime: Runtime) -> None:
    """Install a runtime built elsewhere (the local worker, tests)."""
    global _runtime
    _runtime = runtime


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # the init phase of a real execution environment
    _runtime = _build()


def _handle(runtime: Runtime, event: dict[str, Any]) -> dict[str, Any]:
    if runtime.refresh is not None:
        try:
            runtime.refresh()  # newer definitions, at most every DEFINITIONS_REFRESH_MINUTES
        except Exception:  # the batch is scanned with whatever engine is there (or fails closed)
            _log.exception("the definitions refresh failed")
    return handle_batch(event, runtime.scanner, runtime.sink, runtime.visibility, runtime.backoff)


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global _runtime
    if _runtime is None:
        _runtime = _build()
    return _handle(_runtime, event)


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


def runtime_handler(runtime: Runtime) -> Handler:
    """`lambda_handler` on `runtime` instead of the module's: one execution environment of its
    own (the local mode runs several workers, each with its own clamd, as Lambda would)."""

    @logger.inject_lambda_context
    @tracer.capture_lambda_handler
    def handler(event: dict[str, Any], context: object) -> dict[str, Any]:
        return _handle(runtime, event)

    return handler
