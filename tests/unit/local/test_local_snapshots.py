"""What the emulator's snapshots keep of moto's objects, and how they reach the disk (MP-LOC-01).

The whole round trip through a running emulator is in tests/integration/local; these tests pin
the parts where pickle alone would be wrong.
"""

from __future__ import annotations

import json
import pickle
import threading
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from moto.s3.models import FakeKey
from moto.s3.utils import _VersionedKeyStore

from manabi_local.snapshots import ServiceState, SnapshotStore, dumps
from manabi_local.state import StateFormatError


def _key(version: str, value: bytes) -> FakeKey:
    return FakeKey("submissions/a.txt", value, "000000000000", "ap-northeast-1", version_id=version)


def test_mp_loc_01_every_version_of_an_s3_key_is_kept() -> None:
    """S3's key store lists and pickles only the newest version of a key by itself."""
    store = _VersionedKeyStore()
    store["submissions/a.txt"] = _key("v1", b"first")
    store["submissions/a.txt"] = _key("v2", b"second")
    plain = pickle.loads(pickle.dumps(store))  # noqa: S301 - our own bytes
    assert len(plain.getlist("submissions/a.txt")) == 1

    restored = pickle.loads(dumps(store))  # noqa: S301 - our own bytes
    versions = restored.getlist("submissions/a.txt")
    assert [(k.version_id, k.value) for k in versions] == [("v1", b"first"), ("v2", b"second")]
    assert restored["submissions/a.txt"].value == b"second"


def test_locks_conditions_and_keys_come_back_usable() -> None:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    curve = ec.generate_private_key(ec.SECP256R1())
    held = threading.Lock()
    held.acquire()
    state = {
        "lock": held,
        "rlock": threading.RLock(),
        "condition": threading.Condition(),
        "rsa": private,
        "public": private.public_key(),
        "ec": curve,
    }
    restored = pickle.loads(dumps(state))  # noqa: S301 - our own bytes
    assert restored["lock"].acquire(blocking=False)  # a fresh, free lock
    with restored["condition"], restored["rlock"]:
        pass
    message = b"signed before the restart"
    signature = restored["rsa"].sign(message, _padding(), _sha256())
    private.public_key().verify(signature, message, _padding(), _sha256())
    assert restored["public"].public_numbers() == private.public_key().public_numbers()
    assert restored["ec"].private_numbers() == curve.private_numbers()


def _padding() -> object:
    from cryptography.hazmat.primitives.asymmetric import padding

    return padding.PKCS1v15()


def _sha256() -> object:
    from cryptography.hazmat.primitives import hashes

    return hashes.SHA256()


def _state(name: str, payload: bytes) -> ServiceState:
    return ServiceState(name, "moto.s3.models", "s3_backends", payload)


def test_mp_loc_01_a_save_switches_the_manifest_and_removes_what_it_replaced(
    tmp_path: Path,
) -> None:
    store = SnapshotStore(tmp_path)
    store.save([_state("s3", b"one"), _state("dynamodb", b"table")])
    (tmp_path / ".s3.3.pickle.tmp").write_bytes(b"half written by a crash")
    store.save([_state("s3", b"two")])  # dynamodb unchanged: still the first file
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["sequence"] == 2
    assert manifest["services"]["s3"]["file"] == "s3.2.pickle"
    assert manifest["services"]["dynamodb"]["file"] == "dynamodb.1.pickle"
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "dynamodb.1.pickle",
        "manifest.json",
        "s3.2.pickle",
    ]
    assert (tmp_path / "s3.2.pickle").read_bytes() == b"two"


def test_mp_loc_01_a_damaged_snapshot_is_refused_with_the_way_out(tmp_path: Path) -> None:
    store = SnapshotStore(tmp_path)
    store.save([_state("s3", b"not a pickle")])
    with pytest.raises(StateFormatError, match="saved s3 state") as raised:
        SnapshotStore(tmp_path).restore()
    assert "--fresh" in str(raised.value)


def test_nothing_saved_yet_restores_nothing(tmp_path: Path) -> None:
    assert SnapshotStore(tmp_path / "missing").restore() == []
