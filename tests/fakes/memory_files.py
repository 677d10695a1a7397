"""An in-memory data bucket for unit tests and OpenAPI generation."""

from __future__ import annotations

from urllib.parse import quote

from manabi_api.ports.files import StoredObject, UploadForm


class RecordedScanRequests:
    """The scan queue of unit tests: what was asked, in order."""

    def __init__(self) -> None:
        self.requested: list[tuple[str, str | None]] = []

    def rescan(self, key: str, version_id: str | None) -> None:
        self.requested.append((key, version_id))

    def probe(self) -> None:
        """Always answers."""


class InMemoryFileStore:
    def __init__(self) -> None:
        self.objects: dict[str, StoredObject] = {}

    def put(
        self, key: str, size: int, content_type: str, tags: dict[str, str] | None = None
    ) -> StoredObject:
        """What the browser's upload (and, for tags, the scanner) would do."""
        stored = StoredObject(size, content_type, f"v{len(self.objects) + 1}", dict(tags or {}))
        self.objects[key] = stored
        return stored

    def tag(self, key: str, tags: dict[str, str]) -> None:
        self.objects[key] = self.objects[key]._replace(tags=dict(tags))

    def presign_upload(
        self, key: str, content_type: str, max_bytes: int, expires_seconds: int
    ) -> UploadForm:
        return UploadForm(
            "https://data.example.invalid/",
            {"key": key, "Content-Type": content_type, "policy": f"max={max_bytes}"},
        )

    def inspect(self, key: str, version_id: str | None = None) -> StoredObject | None:
        stored = self.objects.get(key)
        if stored is None or (version_id is not None and stored.version_id != version_id):
            return None
        return stored

    def presign_download(
        self, key: str, version_id: str | None, file_name: str, expires_seconds: int
    ) -> str:
        return f"https://data.example.invalid/{quote(key)}?versionId={version_id}"

    def discard(self, key: str, version_id: str | None) -> None:
        stored = self.objects.get(key)
        if stored is not None and version_id in (None, stored.version_id):
            del self.objects[key]

    def probe(self) -> None:
        """Always answers (tests that need a failing dependency replace it)."""
