"""Handlers the execution-environment tests run in worker processes (imported by dotted path).

One module for all of them: the forkserver preloads the first pool's handler module and lives
as long as the test session, so every pool of the session finds these already imported.
"""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path
from typing import Any

from manabi_contract.observability import emit_metric, function_logger, function_metrics

INITIALISED_IN = os.getpid()  # the process that ran this module's init
OBSERVED_SERVICE = "manabi-observed"
# The observability of ours (Powertools Logger and Metrics, emit_metric), for `observed`.
logger = function_logger(OBSERVED_SERVICE)
metrics = function_metrics(OBSERVED_SERVICE)
# A module logger of one of our packages' names: its lines go through the function's handler.
package_log = logging.getLogger("manabi_contract.observed")


def echo(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return {
        "event": event,
        "pid": os.getpid(),
        "init_pid": INITIALISED_IN,
        "remaining_ms": context.get_remaining_time_in_millis(),
    }


def nap(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Sleeps `seconds`; returns when it ran, so a test can see runs overlap."""
    started = time.monotonic()
    time.sleep(float(event.get("seconds", 0.2)))
    return {"pid": os.getpid(), "started": started, "ended": time.monotonic()}


def rendezvous(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Marks its arrival in `dir` and waits until `count` invocations have arrived: they all
    meet only if they run at the same time (one after another, the first waits in vain)."""
    here = Path(event["dir"])
    (here / str(os.getpid())).touch()
    deadline = time.monotonic() + float(event["seconds"])
    while len(list(here.iterdir())) < int(event["count"]):
        if time.monotonic() > deadline:
            return {"pid": os.getpid(), "met": False}
        time.sleep(0.01)
    return {"pid": os.getpid(), "met": True}


def fail(event: dict[str, Any], context: Any) -> dict[str, Any]:
    raise ValueError("the handler refused")


def crash(event: dict[str, Any], context: Any) -> dict[str, Any]:
    os._exit(7)


def interrupted(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """SIGINT to itself (what Ctrl-C sends the terminal's process group), then an answer."""
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(0.1)
    return {"pid": os.getpid()}


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Logs, a package logger's line, a metric and a plain print (MP-MON-03 locally)."""
    logger.info("handled", extra={"n": event.get("n")})
    package_log.info("from a package logger")
    emit_metric(OBSERVED_SERVICE, "Observed", dimensions={"kind": "test"})
    print("a plain line for the terminal")
    if event.get("fail"):
        raise ValueError("the observed handler refused")
    return {"n": event.get("n")}
