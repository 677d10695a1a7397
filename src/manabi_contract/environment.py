"""Environment variables of the Lambda functions, and reading them into validated settings.

The CDK constructs set these names and the functions read them; both import them from here. A
function reads its environment once, at init, into one settings object (e.g.
`manabi_api.settings.ApiSettings`); a missing or malformed value stops the init with a message
that names the variable, instead of a silent `""` that fails later, far from its cause.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TypeVar

# -- every function (Powertools reads these itself)
POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
POWERTOOLS_LOG_LEVEL = "POWERTOOLS_LOG_LEVEL"
# -- the API
TABLE_NAME = "TABLE_NAME"
DATA_BUCKET = "DATA_BUCKET"
BACKUP_BUCKET = "BACKUP_BUCKET"  # the daily backups' target (manabi_ops.handler)
SCAN_QUEUE_URL = "SCAN_QUEUE_URL"  # the ClamAV scan queue; unset with the GuardDuty backend
USER_POOL_ID = "USER_POOL_ID"
ALLOWED_ORIGIN = "ALLOWED_ORIGIN"
UPLOADS_PER_HOUR = "UPLOADS_PER_HOUR"  # startUpload calls per learner per clock hour (GL-SEC-04)
STAGE = "MANABI_ENV"  # staging | production | local
LOCAL_STAGE = "local"
# -- the scanner (container image) and the definitions updater (same image)
MAX_SCAN_BYTES = "MAX_SCAN_BYTES"
CLAMAV_DB_DIR = "CLAMAV_DB_DIR"
CLAMAV_DB_VERSION = "CLAMAV_DB_VERSION"
SCANNER_WORK_DIR = "SCANNER_WORK_DIR"
DEFINITIONS_BUCKET = "DEFINITIONS_BUCKET"
DEFINITIONS_DIR = "DEFINITIONS_DIR"
DEFINITIONS_REFRESH_MINUTES = "DEFINITIONS_REFRESH_MINUTES"
CLAMAV_MIRROR = "CLAMAV_MIRROR_URL"
UPDATE_AFTER_HOURS = "DEFINITIONS_UPDATE_AFTER_HOURS"
UPDATER_WORK_DIR = "UPDATER_WORK_DIR"
CLAMD_TIMEOUT_SECONDS = "CLAMD_TIMEOUT_SECONDS"  # connect, each chunk, PING; the reply's base
CLAMD_SECONDS_PER_MIB = "CLAMD_SECONDS_PER_MIB"  # the INSTREAM reply's wait per MiB streamed
SCAN_MAX_DELIVERIES = "SCAN_MAX_DELIVERIES"  # the scan queue's maxReceiveCount
# -- the scan reconciler
RECONCILE_AFTER_MINUTES = "RECONCILE_AFTER_MINUTES"
# -- the PostConfirmation trigger
GROUP_NAME = "GROUP_NAME"
# -- the origin-secret rotation (GL-SEC-05)
ORIGIN_WEB_ACL_NAME = "ORIGIN_WEB_ACL_NAME"
ORIGIN_WEB_ACL_ID = "ORIGIN_WEB_ACL_ID"
ORIGIN_RULE_NAME = "ORIGIN_RULE_NAME"
ORIGIN_DISTRIBUTION_ID = "ORIGIN_DISTRIBUTION_ID"
ORIGIN_HEADER = "ORIGIN_HEADER"


class ConfigurationError(RuntimeError):
    """A function's environment is incomplete or malformed: the message names the variable."""


def required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise ConfigurationError(f"Environment variable {name} is not set.")
    return value


def optional(environ: Mapping[str, str], name: str, default: str | None = None) -> str | None:
    """The value, or `default` when the variable is unset or empty."""
    value = environ.get(name, "").strip()
    return value or default


def integer(
    environ: Mapping[str, str],
    name: str,
    default: int,
    *,
    minimum: int = 0,
    maximum: int | None = None,
) -> int:
    return _bounded(environ, name, default, int, "an integer", minimum, maximum)


def number(environ: Mapping[str, str], name: str, default: float, *, minimum: float = 0.0) -> float:
    return _bounded(environ, name, default, float, "a number", minimum, None)


Number = TypeVar("Number", int, float)


def _bounded(
    environ: Mapping[str, str],
    name: str,
    default: Number,
    parse: Callable[[str], Number],
    kind: str,
    minimum: Number,
    maximum: Number | None,
) -> Number:
    text = environ.get(name, "").strip()
    if not text:
        return default
    try:
        value = parse(text)
    except ValueError:
        raise ConfigurationError(f"Environment variable {name}={text!r} is not {kind}.") from None
    if not value >= minimum or (maximum is not None and value > maximum):  # NaN fails too
        upper = "" if maximum is None else f" and at most {maximum}"
        raise ConfigurationError(
            f"Environment variable {name}={value} must be at least {minimum}{upper}."
        )
    return value
