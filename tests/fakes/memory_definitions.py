"""The virus-definitions store in memory (same contract as manabi_scanner.definitions'
S3DefinitionsStore: tests/contract/definitions_store.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from manabi_contract.storage import DEFINITIONS_PREFIX
from manabi_scanner.definitions import HASH_CHUNK, DefinitionsStore


class MemoryDefinitionsStore(DefinitionsStore):
    """The in-memory fake of the unit tests (same contract as the S3 adapter)."""

    def __init__(self) -> None:
        self.objects: dict[str, bytes] = {}

    def _put_file(self, key: str, path: Path) -> None:
        self.objects[key] = path.read_bytes()

    def _put_bytes(self, key: str, data: bytes) -> None:
        self.objects[key] = bytes(data)

    def _get_bytes(self, key: str) -> bytes | None:
        return self.objects.get(key)

    def _open(self, key: str) -> Iterator[bytes]:
        data = self.objects[key]
        for start in range(0, len(data), HASH_CHUNK):
            yield data[start : start + HASH_CHUNK]
        if not data:
            yield b""

    def _versions(self) -> list[str]:
        found = set()
        for key in self.objects:
            if key.startswith(DEFINITIONS_PREFIX) and "/" in key[len(DEFINITIONS_PREFIX) :]:
                found.add(key[len(DEFINITIONS_PREFIX) :].split("/", 1)[0])
        return sorted(v for v in found if v)

    def _delete_prefix(self, prefix: str) -> None:
        for key in [k for k in self.objects if k.startswith(prefix)]:
            del self.objects[key]
