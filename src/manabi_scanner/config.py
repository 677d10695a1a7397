"""The scanner's settings, read from the environment in one place."""

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


@dataclass(frozen=True)
class ScannerConfig:
    table_name: str
    max_scan_bytes: int
    db_dir: Path
    db_version: str
    work_dir: Path

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> ScannerConfig:
        return ScannerConfig(
            table_name=environ.get(ENV_TABLE_NAME, ""),
            max_scan_bytes=int(environ.get(ENV_MAX_SCAN_BYTES, DEFAULT_MAX_SCAN_BYTES)),
            db_dir=Path(environ.get(ENV_CLAMAV_DB_DIR, "/var/lib/clamav")),
            db_version=environ.get(ENV_CLAMAV_DB_VERSION, ""),
            work_dir=Path(environ.get(ENV_WORK_DIR, "/tmp/clamd")),  # noqa: S108 - Lambda's /tmp
        )
