"""Versioned virus-definition sets in a bucket (MP-AV-04): publish, find the newest, download.

A set lives under `definitions/<version>/`: its database files, then `manifest.json`, written
LAST as the commit point. A prefix without a manifest is a publish in progress (or one that
failed) and is never used. Versions sort by time (`20261122T030000Z-daily27000`), so the newest
complete set is the greatest version that has a manifest. Downloads are checked against the
manifest's sha256 of every file; a mismatch rejects the set.

`DefinitionsStore` is the port; `S3DefinitionsStore` (boto3 client passed in) and
the in-memory fake of the tests pass the same contract tests (tests/contract/definitions_store.py).
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from abc import ABC, abstractmethod
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from manabi_contract.storage import DEFINITIONS_PREFIX

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

_log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
HASH_CHUNK = 1024 * 1024
# Files of a ClamAV database directory worth publishing (freshclam's own state is not).
DATABASE_SUFFIXES = frozenset(
    {
        ".cvd", ".cld", ".cud", ".cdb", ".cat", ".cbc", ".crb", ".fp", ".ftm", ".gdb", ".hdb",
        ".hdu", ".hsb", ".hsu", ".idb", ".ign", ".ign2", ".imp", ".info", ".ldb", ".ldu",
        ".mdb", ".mdu", ".msb", ".msu", ".ndb", ".ndu", ".pdb", ".pwdb", ".sfp", ".wdb",
        ".yar", ".yara",
    }
)  # fmt: skip


class DefinitionsError(RuntimeError):
    """A definitions set cannot be published, found or used."""


class ChecksumMismatch(DefinitionsError):
    """A downloaded file differs from its manifest: the set is not used."""


@dataclass(frozen=True)
class DefinitionFile:
    name: str
    sha256: str
    bytes: int


@dataclass(frozen=True)
class Manifest:
    version: str
    published_at: str  # ISO 8601 UTC
    engine: str  # clamd's VERSION answer on this set
    files: tuple[DefinitionFile, ...]
    eicar_detected_as: str  # the signature the proof run reported for EICAR
    mirror: str
    signatures: int | None = None
    fetched_by: str = ""  # freshclam's version (or the generator)

    def to_json(self) -> str:
        return json.dumps(
            {
                "version": self.version,
                "published_at": self.published_at,
                "engine": self.engine,
                "files": [
                    {"name": f.name, "sha256": f.sha256, "bytes": f.bytes} for f in self.files
                ],
                "eicar_detected_as": self.eicar_detected_as,
                "mirror": self.mirror,
                "signatures": self.signatures,
                "fetched_by": self.fetched_by,
            },
            indent=2,
        )

    @staticmethod
    def from_json(text: str | bytes) -> Manifest:
        data: dict[str, Any] = json.loads(text)
        return Manifest(
            version=str(data["version"]),
            published_at=str(data["published_at"]),
            engine=str(data.get("engine", "")),
            files=tuple(
                DefinitionFile(_safe_name(str(f["name"])), str(f["sha256"]), int(f["bytes"]))
                for f in data["files"]
            ),
            eicar_detected_as=str(data.get("eicar_detected_as", "")),
            mirror=str(data.get("mirror", "")),
            signatures=None if data.get("signatures") is None else int(data["signatures"]),
            fetched_by=str(data.get("fetched_by", "")),
        )


def _safe_name(name: str) -> str:
    if not name or "/" in name or "\\" in name or name in {".", ".."} or name == MANIFEST:
        raise DefinitionsError(f"unsafe file name in a definitions manifest: {name!r}")
    return name


def database_files(directory: Path) -> list[Path]:
    """The database files of a ClamAV database directory, by name."""
    return sorted(
        p for p in directory.iterdir() if p.is_file() and p.suffix.lower() in DATABASE_SUFFIXES
    )


def describe(directory: Path) -> tuple[DefinitionFile, ...]:
    """Name, sha256 and size of every database file of `directory`."""
    described = []
    for path in database_files(directory):
        digest = hashlib.sha256()
        with path.open("rb") as stream:
            while chunk := stream.read(HASH_CHUNK):
                digest.update(chunk)
        described.append(DefinitionFile(path.name, digest.hexdigest(), path.stat().st_size))
    return tuple(described)


def set_prefix(version: str) -> str:
    if not version or "/" in version or version.startswith("."):
        raise DefinitionsError(f"invalid definitions version: {version!r}")
    return f"{DEFINITIONS_PREFIX}{version}/"


class DefinitionsStore(ABC):
    """Versioned definition sets; subclasses provide the five storage primitives."""

    # -- storage primitives ------------------------------------------------------------------
    @abstractmethod
    def _put_file(self, key: str, path: Path) -> None: ...

    @abstractmethod
    def _put_bytes(self, key: str, data: bytes) -> None: ...

    @abstractmethod
    def _get_bytes(self, key: str) -> bytes | None:
        """The object's bytes, None when there is no such object."""

    @abstractmethod
    def _open(self, key: str) -> Iterator[bytes]:
        """The object's bytes in chunks (raises when there is no such object)."""

    @abstractmethod
    def _versions(self) -> list[str]:
        """The `<version>` folders directly under the definitions prefix."""

    @abstractmethod
    def _delete_prefix(self, prefix: str) -> None: ...

    # -- the port ------------------------------------------------------------------------------
    def publish(self, manifest: Manifest, directory: Path) -> None:
        """Upload the set's files, then its manifest (LAST: the commit point)."""
        prefix = set_prefix(manifest.version)
        if self._get_bytes(prefix + MANIFEST) is not None:
            raise DefinitionsError(f"definitions {manifest.version} are already published")
        on_disk = {f.name: f for f in describe(directory)}
        for entry in manifest.files:
            if on_disk.get(entry.name) != entry:
                raise DefinitionsError(
                    f"{entry.name} of definitions {manifest.version} differs from its manifest"
                )
        for entry in manifest.files:
            self._put_file(prefix + entry.name, directory / entry.name)
        self._put_bytes(prefix + MANIFEST, manifest.to_json().encode())
        _log.info("published definitions %s (%d files)", manifest.version, len(manifest.files))

    def _manifest(self, version: str) -> Manifest | None:
        data = self._get_bytes(set_prefix(version) + MANIFEST)
        if data is None:
            return None  # a publish in progress, or one that failed: never used
        try:
            manifest = Manifest.from_json(data)
        except (ValueError, KeyError, TypeError, DefinitionsError) as error:
            _log.warning("unreadable manifest of definitions %s: %s", version, error)
            return None
        if manifest.version != version:
            _log.warning("the manifest of %s names version %s", version, manifest.version)
            return None
        return manifest

    def manifests(self) -> list[Manifest]:
        """Every complete set, newest first (folders without a manifest are left out)."""
        found = (self._manifest(v) for v in sorted(self._versions(), reverse=True))
        return [m for m in found if m is not None]

    def newest(self) -> Manifest | None:
        """The newest complete set, None when none is published."""
        for version in sorted(self._versions(), reverse=True):
            manifest = self._manifest(version)
            if manifest is not None:
                return manifest
        return None

    def download(self, manifest: Manifest, directory: Path) -> Path:
        """The set's files into `directory`, each checked against the manifest's sha256.

        On any mismatch the directory is removed and `ChecksumMismatch` raised: the set is not
        used.
        """
        prefix = set_prefix(manifest.version)
        directory.mkdir(parents=True, exist_ok=True)
        try:
            for entry in manifest.files:
                target = directory / _safe_name(entry.name)
                digest = hashlib.sha256()
                size = 0
                with target.open("wb") as stream:
                    for chunk in self._open(prefix + entry.name):
                        digest.update(chunk)
                        size += len(chunk)
                        stream.write(chunk)
                if digest.hexdigest() != entry.sha256 or size != entry.bytes:
                    raise ChecksumMismatch(
                        f"{entry.name} of definitions {manifest.version} does not match its "
                        f"manifest (sha256 {digest.hexdigest()}, {size} bytes; expected "
                        f"{entry.sha256}, {entry.bytes} bytes): the set is not used"
                    )
        except BaseException:
            shutil.rmtree(directory, ignore_errors=True)
            raise
        return directory

    def prune(self, keep: int = 3) -> list[str]:
        """Delete sets older than the `keep` newest complete ones; returns deleted versions.

        Folders without a manifest that are newer than the oldest kept set may be a publish in
        progress and stay; older ones are leftovers of a failed publish and go.
        """
        complete = [m.version for m in self.manifests()]
        if len(complete) <= keep or keep < 1:
            return []
        oldest_kept = complete[keep - 1]
        deleted = [v for v in sorted(self._versions()) if v < oldest_kept]
        for version in deleted:
            self._delete_prefix(set_prefix(version))
        if deleted:
            _log.info("pruned definitions %s", ", ".join(deleted))
        return deleted


class S3DefinitionsStore(DefinitionsStore):
    def __init__(self, s3: S3Client, bucket: str, chunk_bytes: int = HASH_CHUNK) -> None:
        self._s3 = s3
        self.bucket = bucket
        self._chunk = chunk_bytes

    def _put_file(self, key: str, path: Path) -> None:
        self._s3.upload_file(str(path), self.bucket, key)  # multipart for the large .cvd files

    def _put_bytes(self, key: str, data: bytes) -> None:
        self._s3.put_object(Bucket=self.bucket, Key=key, Body=data, ContentType="application/json")

    def _get_bytes(self, key: str) -> bytes | None:
        # Listed first: the roles may list only with `s3:prefix` = definitions/*, and without an
        # unconditional ListBucket, GetObject of a missing key is AccessDenied instead of 404.
        listed = self._s3.list_objects_v2(Bucket=self.bucket, Prefix=key, MaxKeys=1)
        if not any(o["Key"] == key for o in listed.get("Contents", [])):
            return None
        try:
            body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        except self._s3.exceptions.NoSuchKey:
            return None
        data: bytes = body.read()
        return data

    def _open(self, key: str) -> Iterator[bytes]:
        body = self._s3.get_object(Bucket=self.bucket, Key=key)["Body"]
        yield from body.iter_chunks(self._chunk)

    def _versions(self) -> list[str]:
        found = []
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(
            Bucket=self.bucket, Prefix=DEFINITIONS_PREFIX, Delimiter="/"
        ):
            for common in page.get("CommonPrefixes", []):
                found.append(common["Prefix"][len(DEFINITIONS_PREFIX) :].rstrip("/"))
        return [v for v in found if v]

    def _delete_prefix(self, prefix: str) -> None:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
            keys: list[Any] = [{"Key": o["Key"]} for o in page.get("Contents", [])]
            if keys:
                self._s3.delete_objects(Bucket=self.bucket, Delete={"Objects": keys, "Quiet": True})
