"""The data bucket as the submissions see it: presigned uploads and downloads, object facts.

The emulator does not enforce presigned policies or bucket policies, so the domain checks the
stored object itself (size, type, verdict) before it trusts an upload or signs a download.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol

# The verdict tags the scanner writes on the exact object version (MP-AV-01..04).
TAG_STATUS = "av-status"
TAG_SIGNATURE = "av-signature"
TAG_DB_VERSION = "av-db-version"
TAG_SCANNED_AT = "av-scanned-at"
VERDICT_TAGS = (TAG_STATUS, TAG_SIGNATURE, TAG_DB_VERSION, TAG_SCANNED_AT)
TAG_PREFIX = "av-"


class UploadForm(NamedTuple):
    """A presigned POST: the browser sends `fields` plus the file (last) to `url`."""

    url: str
    fields: dict[str, str]


class StoredObject(NamedTuple):
    size_bytes: int
    content_type: str | None  # None: not readable yet; S3 enforced the POST policy's type
    version_id: str | None
    tags: dict[str, str]


class ScanRequests(Protocol):
    def rescan(self, key: str, version_id: str | None) -> None:
        """Ask the scanner to judge this exact version (again); its verdict reaches the record."""


class FileStore(Protocol):
    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> UploadForm:
        """A POST form bound to `key`, one content type and a content-length range."""

    def inspect(self, key: str, version_id: str | None = None) -> StoredObject | None:
        """Size, type, version and tags of the object (None when absent)."""

    def presign_download(
        self, key: str, version_id: str | None, file_name: str, expires_seconds: int
    ) -> str:
        """A GET URL of that exact version, served as an attachment named `file_name`."""
