"""The data bucket as the submissions see it: presigned uploads and downloads, object facts.

The emulator does not enforce presigned policies or bucket policies, so the domain checks the
stored object itself (size, type, verdict) before it trusts an upload or signs a download.
"""

from __future__ import annotations

from typing import NamedTuple, Protocol


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

    def probe(self) -> None:
        """Raise Throttled or Unavailable when the scan queue cannot serve (the health check)."""


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

    def discard(self, key: str, version_id: str | None) -> None:
        """Delete that exact version for good (an upload that is not the file declared)."""

    def probe(self) -> None:
        """Raise Throttled or Unavailable when the data bucket cannot serve (the health check)."""
