"""Each function's JSON logs and EMF metrics, in files of the state directory (MP-MON-03).

In the cloud a function's stdout goes to CloudWatch Logs, which turns its EMF lines into
metrics. Locally the same lines go to files, one JSON object a line:

    <state dir>/logs/<service>.jsonl      the function's JSON log lines (Powertools Logger, and
                                          our packages' module loggers through its handler)
    <state dir>/metrics/<service>.jsonl   its EMF lines: `emit_metric` (manabi_contract.
                                          app_metrics) and Powertools Metrics (ColdStart)

`<service>` is the line's own Powertools service (manabi_contract.names: manabi-api,
manabi-scanner, manabi-post-confirmation …), read from the line: one `FunctionOutput` per
process serves every function that process runs.

Several processes append to one file at once (the API's execution environments,
docs/decisions/0027, and the run itself for the scanner and PostConfirmation): each process
opens the files itself, with O_APPEND, and writes each whole line with one write(2), so lines
never interleave. Nothing is rotated; `--fresh` deletes these files with the data they count.
A line that is not a JSON object (a stray print) goes to the terminal, as before; an ERROR or
CRITICAL log line goes to the file and, as one short line, to the terminal.
"""

from __future__ import annotations

import io
import json
import os
import re
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any, TextIO, cast

from aws_lambda_powertools import Logger

from manabi_contract.observability import OUR_PACKAGES, send_output

LOGS = "logs"
METRICS = "metrics"
SUFFIX = ".jsonl"
UNKNOWN_SERVICE = "unknown"
# What a file name may be made of (a service name is ours, but a line is only text).
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
# Log lines the terminal shows too (besides the file).
_TERMINAL_LEVELS = {"ERROR", "CRITICAL"}
# Powertools' timestamp format, used for the lines the host writes itself.
_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"


def log_file(root: Path, service: str) -> Path:
    return root / LOGS / f"{_file_name(service)}{SUFFIX}"


def metrics_file(root: Path, service: str) -> Path:
    return root / METRICS / f"{_file_name(service)}{SUFFIX}"


def _file_name(service: str) -> str:
    return service if _SAFE_NAME.fullmatch(service) and ".." not in service else UNKNOWN_SERVICE


def is_emf(record: dict[str, Any]) -> bool:
    return isinstance(record.get("_aws"), dict)


def service_of(record: dict[str, Any]) -> str:
    """The Powertools service of a log line (its `service` key) or an EMF line (its `service`
    dimension, a top-level key as well)."""
    service = record.get("service")
    return service if isinstance(service, str) and service else UNKNOWN_SERVICE


class FunctionOutput(io.TextIOBase):
    """A text stream that sorts complete lines: EMF → metrics file, other JSON objects → log
    file, anything else → `fallback` (the terminal). Safe for threads; one per process."""

    def __init__(self, root: Path, fallback: TextIO | None = None) -> None:
        super().__init__()
        self.root = root
        self.fallback = fallback
        self._pending = ""
        self._lock = threading.Lock()
        self._files: dict[Path, int] = {}

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        with self._lock:
            self._pending += text
            if "\n" not in self._pending:
                return len(text)
            *lines, self._pending = self._pending.split("\n")
        for line in lines:
            self._route(line)
        return len(text)

    def flush(self) -> None:
        if self.fallback is not None:
            self.fallback.flush()

    def record(self, service: str, level: str, message: str, **fields: Any) -> None:
        """One log line the host writes for the function (what the Lambda runtime logs, e.g. an
        invocation that raised), in the keys and time format of Powertools' lines."""
        now = time.time()
        stamp = time.strftime(_TIME_FORMAT, time.gmtime(now)) + f",{int(now % 1 * 1000):03d}+0000"
        line = {"level": level, "location": "runtime", "message": message}
        line.update({"timestamp": stamp, "service": service, **fields})
        text = json.dumps(line, ensure_ascii=False, default=str)
        self._append(log_file(self.root, service), text)

    def close(self) -> None:
        with self._lock:
            files, self._files = self._files, {}
        for descriptor in files.values():
            os.close(descriptor)
        super().close()

    def _route(self, line: str) -> None:
        record = _json_object(line)
        if record is None:
            if line.strip() and self.fallback is not None:
                self.fallback.write(line + "\n")
                self.fallback.flush()
            return
        service = service_of(record)
        if is_emf(record):
            self._append(metrics_file(self.root, service), line)
            return
        self._append(log_file(self.root, service), line)
        if self.fallback is not None and str(record.get("level")) in _TERMINAL_LEVELS:
            # An error is still seen where the run was started, in one line.
            self.fallback.write(f"{service} {record['level']} {record.get('message', '')}\n")
            self.fallback.flush()

    def _append(self, path: Path, line: str) -> None:
        os.write(self._descriptor(path), (line.rstrip("\r") + "\n").encode("utf-8"))

    def _descriptor(self, path: Path) -> int:
        with self._lock:
            descriptor = self._files.get(path)
            if descriptor is None:
                path.parent.mkdir(parents=True, exist_ok=True)
                flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
                descriptor = self._files[path] = os.open(path, flags, 0o644)
            return descriptor


def _json_object(line: str) -> dict[str, Any] | None:
    if not line.startswith("{"):
        return None
    try:
        value = json.loads(line)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def capture_functions(
    output: FunctionOutput, loggers: Sequence[Logger], packages: Sequence[str] = ()
) -> None:
    """Functions run in this process (their Powertools loggers) write to `output`: their log
    lines, those of our `packages` (through the first logger's handler) and their metrics."""
    stream = cast(TextIO, output)  # a text stream; typeshed's TextIO is a protocol of its own
    for index, logger in enumerate(loggers):
        send_output(logger, stream, packages if index == 0 else ())


def capture_environment(root: Path, handler_module: ModuleType | None) -> FunctionOutput:
    """An execution environment's output (called in its own process, after init): the handler
    module's Powertools `logger`, our packages' loggers, and stdout, where Powertools Metrics
    prints its EMF lines (the cold start, the flush at the end of each invocation)."""
    output = FunctionOutput(root, fallback=sys.__stdout__)
    logger = getattr(handler_module, "logger", None)
    if isinstance(logger, Logger):
        capture_functions(output, [logger], OUR_PACKAGES)
    sys.stdout = cast(TextIO, output)
    return output


def handler_service(handler_module: ModuleType | None) -> str:
    """The Powertools service of a handler module (its `logger`'s), for the host's own lines."""
    logger = getattr(handler_module, "logger", None)
    return str(logger.service) if isinstance(logger, Logger) else UNKNOWN_SERVICE
