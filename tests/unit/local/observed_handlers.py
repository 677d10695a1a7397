"""A handler with the observability of ours (Powertools Logger and Metrics, `emit_metric`), for
the tests of the local function output (MP-MON-03); imported by dotted path in worker processes."""

from __future__ import annotations

import logging
from typing import Any

from manabi_contract.observability import emit_metric, function_logger, function_metrics

SERVICE = "manabi-observed"
logger = function_logger(SERVICE)
metrics = function_metrics(SERVICE)
# A module logger of one of our packages' names: its lines go through the function's handler.
package_log = logging.getLogger("manabi_contract.observed")


@logger.inject_lambda_context
@metrics.log_metrics(capture_cold_start_metric=True)
def observed(event: dict[str, Any], context: Any) -> dict[str, Any]:
    logger.info("handled", extra={"n": event.get("n")})
    package_log.info("from a package logger")
    emit_metric(SERVICE, "Observed", dimensions={"kind": "test"})
    print("a plain line for the terminal")
    if event.get("fail"):
        raise ValueError("the observed handler refused")
    return {"n": event.get("n")}
