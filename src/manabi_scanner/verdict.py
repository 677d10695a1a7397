"""From an engine's answer to the verdict tags on the exact object version (fail closed)."""

from __future__ import annotations

from typing import NamedTuple

from manabi_contract.verdicts import (
    TAG_DB_VERSION,
    TAG_SCANNED_AT,
    TAG_SIGNATURE,
    TAG_STATUS,
    AvStatus,
)

# Signatures clamd raises for what it could not inspect: not infected, not clean either.
UNSCANNABLE_PREFIXES = ("Heuristics.Encrypted", "Heuristics.Limits.Exceeded")
MAX_STREAM_BYTES_CEILING = 2 * 1024 * 1024 * 1024  # clamd cannot take more than 2 GB (MP-AV-02)


class Verdict(NamedTuple):
    status: AvStatus
    signature: str
    db_version: str
    scanned_at: str

    def tags(self) -> dict[str, str]:
        return {
            TAG_STATUS: self.status.value,
            TAG_SIGNATURE: _tag_value(self.signature or "none"),
            TAG_DB_VERSION: _tag_value(self.db_version or "unknown"),
            TAG_SCANNED_AT: self.scanned_at,
        }

    @staticmethod
    def from_tags(tags: dict[str, str]) -> Verdict | None:
        """The verdict tagged on a version, or None when it has no (known) status."""
        try:
            status = AvStatus(tags.get(TAG_STATUS, ""))
        except ValueError:
            return None
        return Verdict(
            status,
            tags.get(TAG_SIGNATURE, ""),
            tags.get(TAG_DB_VERSION, ""),
            tags.get(TAG_SCANNED_AT, ""),
        )


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
