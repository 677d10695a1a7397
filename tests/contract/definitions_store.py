"""The virus-definitions store contract (MP-AV-04). Subclassed by the in-memory fake's unit tests
and the S3 adapter's integration tests, so the fake never drifts from the real adapter."""

from __future__ import annotations

from pathlib import Path

import pytest

from manabi_scanner.definitions import (
    MANIFEST,
    ChecksumMismatch,
    DefinitionsError,
    DefinitionsStore,
    Manifest,
    describe,
)


def make_set(root: Path, version: str, content: str = "") -> tuple[Manifest, Path]:
    """A small set of two database files and its manifest."""
    directory = root / f"src-{version}"
    directory.mkdir(parents=True)
    (directory / "test.ndb").write_text(
        f"Test.Sig-{version}:0:*:{(content or version).encode().hex()}\n"
    )
    (directory / "test.hdb").write_text(
        f"44d88612fea8a8f36de82e1278abb02f:68:Test.Hash-{version}\n"
    )
    (directory / "freshclam.dat").write_bytes(b"freshclam's own state, never published")
    manifest = Manifest(
        version=version,
        published_at="2026-11-22T03:00:00Z",
        engine="ClamAV 1.4.6/27000/Sun Nov 22 03:00:00 2026",
        files=describe(directory),
        eicar_detected_as="Test.EICAR",
        mirror="http://mirror.test",
        signatures=2,
    )
    return manifest, directory


class DefinitionsStoreContract:
    """Subclasses provide a `store` fixture giving an empty store, and `raw_put` to plant bytes."""

    def raw_put(self, store: DefinitionsStore, key: str, data: bytes) -> None:
        raise NotImplementedError

    def raw_keys(self, store: DefinitionsStore) -> set[str]:
        raise NotImplementedError

    def test_an_empty_store_has_no_newest(self, store: DefinitionsStore) -> None:
        assert store.newest() is None
        assert store.manifests() == []
        assert store.prune(keep=3) == []

    def test_mp_av_04_versioned_publish_writes_files_under_the_version_and_a_manifest(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        """MP-AV-04: a set is published under `definitions/<version>/` with its manifest."""
        manifest, directory = make_set(tmp_path, "20261122T030000Z-daily27000")
        store.publish(manifest, directory)
        prefix = "definitions/20261122T030000Z-daily27000/"
        assert self.raw_keys(store) == {prefix + "test.hdb", prefix + "test.ndb", prefix + MANIFEST}
        assert store.newest() == manifest
        assert [f.name for f in manifest.files] == ["test.hdb", "test.ndb"]  # no freshclam.dat

    def test_mp_av_04_newest_complete_set_is_chosen(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        """MP-AV-04: scanners pick the newest manifest (greatest version with a manifest)."""
        for version in ["20261120T030000Z", "20261122T030000Z", "20261121T030000Z"]:
            store.publish(*make_set(tmp_path, version))
        newest = store.newest()
        assert newest is not None
        assert newest.version == "20261122T030000Z"
        assert [m.version for m in store.manifests()] == [
            "20261122T030000Z",
            "20261121T030000Z",
            "20261120T030000Z",
        ]

    def test_mp_av_04_a_set_without_manifest_is_ignored(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        """MP-AV-04: files of a newer set whose manifest was never written are not used."""
        complete, directory = make_set(tmp_path, "20261121T030000Z")
        store.publish(complete, directory)
        self.raw_put(store, "definitions/20261122T030000Z/test.ndb", b"half a publish")
        self.raw_put(store, "definitions/20261123T030000Z/manifest.json", b"{not json")
        assert store.newest() == complete

    def test_mp_av_04_download_verifies_every_file(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        manifest, directory = make_set(tmp_path, "20261122T030000Z")
        store.publish(manifest, directory)
        target = store.download(manifest, tmp_path / "cache" / manifest.version)
        assert describe(target) == manifest.files
        assert (target / "test.ndb").read_bytes() == (directory / "test.ndb").read_bytes()

    def test_mp_av_04_checksum_mismatch_is_rejected(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        """MP-AV-04: a file that differs from its manifest rejects the set; nothing is left."""
        manifest, directory = make_set(tmp_path, "20261122T030000Z")
        store.publish(manifest, directory)
        self.raw_put(store, "definitions/20261122T030000Z/test.ndb", b"tampered\n")
        target = tmp_path / "cache" / manifest.version
        with pytest.raises(ChecksumMismatch, match=r"test\.ndb of definitions 20261122T030000Z"):
            store.download(manifest, target)
        assert not target.exists()

    def test_publishing_a_version_twice_is_refused(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        manifest, directory = make_set(tmp_path, "20261122T030000Z")
        store.publish(manifest, directory)
        with pytest.raises(DefinitionsError, match="already published"):
            store.publish(manifest, directory)

    def test_publish_refuses_files_that_differ_from_the_manifest(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        manifest, directory = make_set(tmp_path, "20261122T030000Z")
        (directory / "test.ndb").write_text("changed after describe\n")
        with pytest.raises(DefinitionsError, match="differs from its manifest"):
            store.publish(manifest, directory)
        assert store.newest() is None
        assert self.raw_keys(store) == set()

    def test_prune_keeps_the_newest_sets_and_a_publish_in_progress(
        self, store: DefinitionsStore, tmp_path: Path
    ) -> None:
        versions = [f"202611{day}T030000Z" for day in ("18", "19", "20", "21", "22")]
        for version in versions:
            store.publish(*make_set(tmp_path, version))
        self.raw_put(store, "definitions/20261117T000000Z/test.ndb", b"a failed publish")
        self.raw_put(store, "definitions/20261123T000000Z/test.ndb", b"a publish in progress")
        deleted = store.prune(keep=3)
        assert deleted == ["20261117T000000Z", "20261118T030000Z", "20261119T030000Z"]
        assert [m.version for m in store.manifests()] == versions[:1:-1]
        assert any(k.startswith("definitions/20261123T000000Z/") for k in self.raw_keys(store))
        assert not any(k.startswith("definitions/20261118") for k in self.raw_keys(store))
