"""From an engine's answer to the verdict tags on the exact object version (fail closed)."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple

# Signatures clamd raises for what it could not inspect: not infected, not clean either.
UNSCANNABLE_PREFIXES = ("Heuristics.Encrypted", "Heuristics.Limits.Exceeded")
MAX_STREAM_BYTES_CEILING = 2 * 1024 * 1024 * 1024  # clamd cannot take more than 2 GB (MP-AV-02)


class AvStatus(StrEnum):
    CLEAN = "CLEAN"
    INFECTED = "INFECTED"
    ERROR = "ERROR"


class Verdict(NamedTuple):
    status: AvStatus
    signature: str
    db_version: str
    scanned_at: str

    def tags(self) -> dict[str, str]:
        return {
            "av-status": self.status.value,
            "av-signature": _tag_value(self.signature or "none"),
            "av-db-version": _tag_value(self.db_version or "unknown"),
            "av-scanned-at": self.scanned_at,
        }


def _tag_value(text: str) -> str:
    """S3 tag values: at most 256 characters of letters, digits, spaces and `+-=._:/@`."""
    allowed = set("+-=._:/@ ")
    return "".join(c if c.isalnum() or c in allowed else "_" for c in text)[:256]


def classify(found: bool, signature: str) -> AvStatus:
    if not found:
        return AvStatus.CLEAN
    if signature.startswith(UNSCANNABLE_PREFIXES):
        return AvStatus.ERROR
    return AvStatus.INFECTED
