"""The settings of each function of the scanner package, read and validated once at init.

A missing or malformed variable stops the init with a message naming it (manabi_contract.
environment); the names are the contract's, which the CDK constructs set.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from manabi_contract import environment as env
from manabi_contract.names import METRICS_NAMESPACE
from manabi_contract.storage import MAX_SUBMISSION_BYTES
from manabi_scanner.clamd import (
    DEFAULT_CALL_SECONDS,
    DEFAULT_SECONDS_PER_MIB,
    DEFAULT_TIMEOUTS,
    ClamdTimeouts,
)
from manabi_scanner.scan import MAX_SCAN_DELIVERIES

DEFAULT_UPDATE_AFTER_HOURS = 24
DEFAULT_REFRESH_MINUTES = 60
DEFAULT_RECONCILE_AFTER_MINUTES = 15
DEFAULT_CLAMAV_MIRROR = "https://database.clamav.net"
_TMP = Path("/tmp")  # noqa: S108 - Lambda's only writable directory


@dataclass(frozen=True)
class ScannerConfig:
    table_name: str
    max_scan_bytes: int
    db_dir: Path  # the image's built-in database: the fallback without a published set
    db_version: str  # "" → clamd's VERSION answer
    work_dir: Path
    definitions_bucket: str = ""  # "" → the built-in database only
    definitions_dir: Path = _TMP / "clamav"  # one subdirectory a set
    refresh_minutes: int = DEFAULT_REFRESH_MINUTES
    clamd_timeouts: ClamdTimeouts = DEFAULT_TIMEOUTS
    max_deliveries: int = MAX_SCAN_DELIVERIES  # an unfinished scan's last try, then ERROR

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> ScannerConfig:
        clamd_timeouts = ClamdTimeouts(
            env.number(environ, env.CLAMD_TIMEOUT_SECONDS, DEFAULT_CALL_SECONDS, minimum=0.1),
            env.number(environ, env.CLAMD_SECONDS_PER_MIB, DEFAULT_SECONDS_PER_MIB),
        )
        return ScannerConfig(
            table_name=env.required(environ, env.TABLE_NAME),
            # The scanner never streams more than clamd takes (scan.Scanner caps it).
            max_scan_bytes=env.integer(
                environ, env.MAX_SCAN_BYTES, MAX_SUBMISSION_BYTES, minimum=1
            ),
            db_dir=Path(env.optional(environ, env.CLAMAV_DB_DIR, "/var/lib/clamav") or ""),
            db_version=env.optional(environ, env.CLAMAV_DB_VERSION) or "",
            work_dir=Path(env.optional(environ, env.SCANNER_WORK_DIR) or _TMP / "clamd"),
            definitions_bucket=env.optional(environ, env.DEFINITIONS_BUCKET) or "",
            definitions_dir=Path(env.optional(environ, env.DEFINITIONS_DIR) or _TMP / "clamav"),
            refresh_minutes=env.integer(
                environ, env.DEFINITIONS_REFRESH_MINUTES, DEFAULT_REFRESH_MINUTES, minimum=1
            ),
            clamd_timeouts=clamd_timeouts,
            max_deliveries=env.integer(
                environ, env.SCAN_MAX_DELIVERIES, MAX_SCAN_DELIVERIES, minimum=1
            ),
        )


@dataclass(frozen=True)
class UpdaterConfig:
    definitions_bucket: str
    mirror_url: str
    update_after_hours: float
    work_dir: Path
    metrics_namespace: str

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> UpdaterConfig:
        return UpdaterConfig(
            definitions_bucket=env.required(environ, env.DEFINITIONS_BUCKET),
            mirror_url=env.optional(environ, env.CLAMAV_MIRROR) or DEFAULT_CLAMAV_MIRROR,
            update_after_hours=env.number(
                environ, env.UPDATE_AFTER_HOURS, DEFAULT_UPDATE_AFTER_HOURS
            ),
            work_dir=Path(env.optional(environ, env.UPDATER_WORK_DIR) or _TMP / "updater"),
            metrics_namespace=env.optional(environ, env.POWERTOOLS_METRICS_NAMESPACE)
            or METRICS_NAMESPACE,
        )


@dataclass(frozen=True)
class ReconcilerConfig:
    data_bucket: str
    scan_queue_url: str
    grace_minutes: int

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> ReconcilerConfig:
        return ReconcilerConfig(
            data_bucket=env.required(environ, env.DATA_BUCKET),
            scan_queue_url=env.required(environ, env.SCAN_QUEUE_URL),
            grace_minutes=env.integer(
                environ, env.RECONCILE_AFTER_MINUTES, DEFAULT_RECONCILE_AFTER_MINUTES, minimum=1
            ),
        )


@dataclass(frozen=True)
class GuardDutyVerdictConfig:
    table_name: str
    data_bucket: str | None  # None: results for every bucket count (tests, one-bucket setups)

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> GuardDutyVerdictConfig:
        return GuardDutyVerdictConfig(
            table_name=env.required(environ, env.TABLE_NAME),
            data_bucket=env.optional(environ, env.DATA_BUCKET),
        )
