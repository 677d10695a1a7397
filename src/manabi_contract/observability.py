"""Logs, metrics and traces of every function, configured alike (MP-MON-03).

Each function's entry point calls these once, at init, with its service name (manabi_contract.
names): Powertools' JSON Logger at `POWERTOOLS_LOG_LEVEL` (the infrastructure sets it from the
environment's configuration), Metrics in the system's namespace (EMF), and the Tracer.

Library modules of ours keep plain `logging.getLogger(__name__)` loggers (the domain and the
scanner's core never import Powertools). In an execution environment `function_logger` gives
the package loggers the Powertools handler, so their lines are JSON with the same keys — the
Lambda request id and the correlation id once the handler is decorated with
`inject_lambda_context` — and are not dropped by the runtime's WARNING-level root logger.
Elsewhere (tests, the local mode) the package loggers are left to the host's logging setup.

`emit_metric` writes one application metric (manabi_contract.app_metrics) as one EMF line on
stdout, where Lambda hands it to CloudWatch; `send_output` lets a host that runs a function
in its own process (the local mode) write that function's log lines and metrics to a file.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from collections.abc import Mapping, Sequence
from typing import TextIO

from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.metrics.base import SingleMetric

from manabi_contract.app_metrics import SERVICE_DIMENSION
from manabi_contract.names import METRICS_NAMESPACE

# The packages whose module loggers write through the function's Powertools handler.
OUR_PACKAGES = ("manabi_api", "manabi_scanner", "manabi_contract")
LAMBDA_FUNCTION_NAME = "AWS_LAMBDA_FUNCTION_NAME"  # set by Lambda in every execution environment


def function_logger(service: str) -> Logger:
    logger = Logger(service=service)
    if os.environ.get(LAMBDA_FUNCTION_NAME):  # in an execution environment, not tests or local
        route_package_logs(logger)
    return logger


def route_package_logs(logger: Logger, packages: Sequence[str] = OUR_PACKAGES) -> None:
    """Our modules' loggers write through the function's handler, at its level."""
    for package in packages:
        library = logging.getLogger(package)
        library.handlers = [logger.registered_handler]
        library.setLevel(logger.log_level)
        library.propagate = False  # else the runtime's root handler prints each line again


def function_metrics(service: str) -> Metrics:
    # An invocation that records no metric of its own is normal here (the cold start is the
    # only metric of most requests): Powertools would print a warning for each one.
    warnings.filterwarnings("ignore", "No application metrics to publish", UserWarning)
    return Metrics(namespace=METRICS_NAMESPACE, service=service)


def function_tracer(service: str, patch: Sequence[str] = ()) -> Tracer:
    """X-Ray subsegments for the handler and, for the modules in `patch` (e.g. `botocore`),
    every call through them. Outside Lambda (tests, the local mode) tracing is off."""
    return Tracer(service=service, auto_patch=bool(patch), patch_modules=list(patch) or None)


# Where a service's metrics go when not to stdout (set by `send_output`).
_metric_streams: dict[str, TextIO] = {}


def emit_metric(
    service: str,
    name: str,
    value: float = 1,
    unit: MetricUnit = MetricUnit.Count,
    dimensions: Mapping[str, str] | None = None,
) -> None:
    """One EMF line with one metric in the system's namespace, dimensions `service` and
    `dimensions` (names of manabi_contract.app_metrics)."""
    metric = SingleMetric(namespace=METRICS_NAMESPACE)
    metric.add_metric(name=name, unit=unit, value=value)
    for key, dimension in {SERVICE_DIMENSION: service, **(dimensions or {})}.items():
        metric.add_dimension(name=key, value=dimension)
    line = json.dumps(metric.serialize_metric_set(), separators=(",", ":"))
    stream = _metric_streams.get(service, sys.stdout)
    stream.write(line + "\n")
    stream.flush()


def send_output(logger: Logger, stream: TextIO, packages: Sequence[str] = ()) -> None:
    """The function's JSON log lines (and those of our `packages`' module loggers) and its
    `emit_metric` lines go to `stream` instead of stdout."""
    handler = logger.registered_handler
    if isinstance(handler, logging.StreamHandler):
        handler.setStream(stream)
    if packages:
        route_package_logs(logger, packages)
    _metric_streams[logger.service] = stream
