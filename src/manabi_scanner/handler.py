"""Lambda entry point of the scanner (`manabi_scanner.handler.lambda_handler`).

SQS batches of S3 ObjectCreated events, partial batch failures reported. clamd is started once
per execution environment, during the init phase, and reused by every invocation.
"""

from __future__ import annotations

import os
from typing import Any

from manabi_scanner.config import ScannerConfig
from manabi_scanner.scan import Scanner, VerdictSink, handle_batch


class _Runtime:
    def __init__(self, scanner: Scanner, sink: VerdictSink) -> None:
        self.scanner = scanner
        self.sink = sink


_runtime: _Runtime | None = None


def _build() -> _Runtime:
    import boto3

    from manabi_scanner.engine import ClamdEngine, start_clamd
    from manabi_scanner.wiring import build_scanner, dynamodb_verdicts

    config = ScannerConfig.from_environment()
    clamd = start_clamd(config.work_dir, config.db_dir, config.db_version, config.max_scan_bytes)
    engine = ClamdEngine(clamd.client, config.db_version or clamd.client.version())
    scanner = build_scanner(boto3.client("s3"), engine, config.max_scan_bytes)
    return _Runtime(scanner, dynamodb_verdicts(config.table_name))


def use_runtime(scanner: Scanner, sink: VerdictSink) -> None:
    """Install a runtime built elsewhere (the local worker, tests)."""
    global _runtime
    _runtime = _Runtime(scanner, sink)


if os.environ.get("AWS_LAMBDA_FUNCTION_NAME"):  # the init phase of a real execution environment
    _runtime = _build()


def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    global _runtime
    if _runtime is None:
        _runtime = _build()
    return handle_batch(event, _runtime.scanner, _runtime.sink)
