"""The scanner's and the definitions updater's settings, read from the environment in one place.

The names of the definitions' variables equal those of `manabi_infra.names` (a unit test holds
them together): the scanner's container image does not contain `manabi_infra`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

ENV_TABLE_NAME = "TABLE_NAME"
ENV_MAX_SCAN_BYTES = "MAX_SCAN_BYTES"
ENV_CLAMAV_DB_DIR = "CLAMAV_DB_DIR"
ENV_CLAMAV_DB_VERSION = "CLAMAV_DB_VERSION"
ENV_WORK_DIR = "SCANNER_WORK_DIR"
DEFAULT_MAX_SCAN_BYTES = 100 * 1024 * 1024  # the API's upload limit (MAX_UPLOAD_BYTES)

# Virus definitions (MP-AV-04): the updater publishes versioned sets, scanners load the newest.
ENV_DEFINITIONS_BUCKET = "DEFINITIONS_BUCKET"
ENV_CLAMAV_MIRROR = "CLAMAV_MIRROR_URL"
ENV_UPDATE_AFTER_HOURS = "DEFINITIONS_UPDATE_AFTER_HOURS"
ENV_DEFINITIONS_REFRESH_MINUTES = "DEFINITIONS_REFRESH_MINUTES"
ENV_DEFINITIONS_DIR = "DEFINITIONS_DIR"
ENV_UPDATER_WORK_DIR = "UPDATER_WORK_DIR"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
DEFINITIONS_PREFIX = "definitions/"
DEFINITIONS_AGE_METRIC = "VirusDefinitionsAgeHours"
SCANNER_SERVICE = "manabi-scanner"  # the `service` dimension of the scanner's metrics
DEFAULT_METRICS_NAMESPACE = "ManabiPlus"
DEFAULT_UPDATE_AFTER_HOURS = 24
DEFAULT_REFRESH_MINUTES = 60
DEFAULT_CLAMAV_MIRROR = "https://database.clamav.net"


@dataclass(frozen=True)
class ScannerConfig:
    table_name: str
    max_scan_bytes: int
    db_dir: Path  # the image's built-in database: the fallback without a published set
    db_version: str
    work_dir: Path
    definitions_bucket: str = ""  # "" → the built-in database only
    definitions_dir: Path = Path("/tmp/clamav")  # noqa: S108 - Lambda's /tmp; one subdir a set
    refresh_minutes: int = DEFAULT_REFRESH_MINUTES

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> ScannerConfig:
        return ScannerConfig(
            table_name=environ.get(ENV_TABLE_NAME, ""),
            max_scan_bytes=int(environ.get(ENV_MAX_SCAN_BYTES, DEFAULT_MAX_SCAN_BYTES)),
            db_dir=Path(environ.get(ENV_CLAMAV_DB_DIR, "/var/lib/clamav")),
            db_version=environ.get(ENV_CLAMAV_DB_VERSION, ""),
            work_dir=Path(environ.get(ENV_WORK_DIR, "/tmp/clamd")),  # noqa: S108 - Lambda's /tmp
            definitions_bucket=environ.get(ENV_DEFINITIONS_BUCKET, ""),
            definitions_dir=Path(environ.get(ENV_DEFINITIONS_DIR, "/tmp/clamav")),  # noqa: S108
            refresh_minutes=int(
                environ.get(ENV_DEFINITIONS_REFRESH_MINUTES, DEFAULT_REFRESH_MINUTES)
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
            definitions_bucket=environ[ENV_DEFINITIONS_BUCKET],
            mirror_url=environ.get(ENV_CLAMAV_MIRROR, "") or DEFAULT_CLAMAV_MIRROR,
            update_after_hours=float(
                environ.get(ENV_UPDATE_AFTER_HOURS, DEFAULT_UPDATE_AFTER_HOURS)
            ),
            work_dir=Path(environ.get(ENV_UPDATER_WORK_DIR, "/tmp/updater")),  # noqa: S108
            metrics_namespace=environ.get(
                ENV_POWERTOOLS_METRICS_NAMESPACE, DEFAULT_METRICS_NAMESPACE
            ),
        )
