"""The emulator's state on disk: moto's backends, pickled whole (docs/decisions/0026).

`<state dir>/emulator/` holds one pickle per moto service and a manifest naming them:

    manifest.json     {"format": 1, "moto": "5.2.5", "python": "3.11", "sequence": 42,
                       "saved_at": "…", "services": {"s3": {"module": "moto.s3.models",
                       "attribute": "s3_backends", "file": "s3.42.pickle"}, …}}
    s3.42.pickle, dynamodb.41.pickle, …

A save writes the files of the services that changed (each fsync'd), then replaces the manifest
atomically (temporary file, fsync, rename, fsync of the directory): after a crash the manifest is
the old one or the new one, and each names complete files. Files no manifest names are removed
after the switch. Pickles are tied to the moto and Python versions that wrote them, so the
manifest records both and a mismatch is refused with a way out instead of a traceback.
"""

from __future__ import annotations

import contextlib
import copyreg
import importlib
import io
import json
import os
import pickle
import sys
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.bindings._rust import openssl as rust
from cryptography.hazmat.primitives import serialization
from moto.core.base_backend import BackendDict

from manabi_local.state import (
    MANIFEST,
    RESET_HINT,
    SNAPSHOT_FORMAT,
    StateFormatError,
    read_manifest,
    versions,
)

_LOCK = type(threading.Lock())
_RLOCK = type(threading.RLock())
# The concrete key classes (the public ones are ABCs): a dispatch table needs exact types.
_PRIVATE_KEYS = (
    rust.rsa.RSAPrivateKey,
    rust.ec.ECPrivateKey,
    rust.dsa.DSAPrivateKey,
    rust.ed25519.Ed25519PrivateKey,
    rust.ed448.Ed448PrivateKey,
    rust.x25519.X25519PrivateKey,
    rust.x448.X448PrivateKey,
)
_PUBLIC_KEYS = (
    rust.rsa.RSAPublicKey,
    rust.ec.ECPublicKey,
    rust.dsa.DSAPublicKey,
    rust.ed25519.Ed25519PublicKey,
    rust.ed448.Ed448PublicKey,
    rust.x25519.X25519PublicKey,
    rust.x448.X448PublicKey,
)


def _private_key(der: bytes) -> Any:
    return serialization.load_der_private_key(der, password=None)


def _public_key(der: bytes) -> Any:
    return serialization.load_der_public_key(der)


def _new(cls: Any) -> Any:
    return cls.__new__(cls)


def _set_dict_state(obj: dict[Any, Any], state: tuple[dict[str, Any], list[Any]]) -> None:
    attributes, items = state
    obj.__dict__.update(attributes)
    for key, value in items:
        dict.__setitem__(obj, key, value)


# Locks and conditions guard a running process: a restored one gets fresh, free ones.
def _fresh_lock(obj: Any) -> Any:
    return threading.Lock, ()


def _fresh_rlock(obj: Any) -> Any:
    return threading.RLock, ()


def _fresh_condition(obj: Any) -> Any:
    return threading.Condition, ()


def _private_key_state(obj: Any) -> Any:
    der = obj.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return _private_key, (der,)


def _public_key_state(obj: Any) -> Any:
    der = obj.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return _public_key, (der,)


def _moto_dict_state(obj: dict[Any, Any]) -> Any:
    """moto's dict subclasses may override __setitem__ and items(): S3's versioned key store
    lists only the newest version of each key and appends on assignment, so pickle's own way
    would keep one version per key. Their items are copied as the dict holds them."""
    state = (dict(getattr(obj, "__dict__", {})), list(dict.items(obj)))
    return _new, (type(obj),), state, None, None, _set_dict_state


def _moto_dicts() -> set[type]:
    found: set[type] = set()
    pending: list[type] = [dict]
    while pending:
        subclasses: list[type] = pending.pop().__subclasses__()
        for subclass in subclasses:
            if subclass not in found:
                found.add(subclass)
                pending.append(subclass)
    return {cls for cls in found if cls.__module__.startswith("moto.")}


def _dispatch_table() -> dict[type, Any]:
    """Reductions looked up by exact type, in C (a reducer_override called for every object
    made a save of 5,000 DynamoDB items 3 to 5 times slower)."""
    table: dict[type, Any] = dict(copyreg.dispatch_table)
    table[_LOCK] = _fresh_lock
    table[_RLOCK] = _fresh_rlock
    table[threading.Condition] = _fresh_condition
    table.update(dict.fromkeys(_PRIVATE_KEYS, _private_key_state))
    table.update(dict.fromkeys(_PUBLIC_KEYS, _public_key_state))
    table.update(dict.fromkeys(_moto_dicts(), _moto_dict_state))
    return table


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = _dispatch_table()
    pickler.dump(value)
    return buffer.getvalue()


@dataclass(frozen=True)
class ServiceState:
    """One moto service: where its BackendDict lives and its pickled accounts."""

    name: str
    module: str
    attribute: str
    payload: bytes


def _locate(backends: BackendDict[Any]) -> tuple[str, str]:
    """(module, attribute) of the module global that holds `backends`, e.g. moto.s3.models."""
    module_name = backends.backend.__module__
    module = sys.modules[module_name]
    for attribute, value in vars(module).items():
        if value is backends:
            return module_name, attribute
    raise LookupError(f"moto's {backends.service_name} backends are not a global of {module_name}")


def backends_in_use() -> dict[str, BackendDict[Any]]:
    """moto's services that hold state, by name (those that have created an account)."""
    return {b.service_name: b for b in list(BackendDict._instances)}


def capture(backends: BackendDict[Any]) -> ServiceState:
    """The service's state now; call it while no request runs (the emulator's gate)."""
    module, attribute = _locate(backends)
    return ServiceState(backends.service_name, module, attribute, dumps(dict(backends)))


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _write_durably(path: Path, data: bytes) -> None:
    temporary = path.with_name(f".{path.name}.tmp")
    with temporary.open("wb") as file:
        file.write(data)
        file.flush()
        os.fsync(file.fileno())
    os.replace(temporary, path)


class SnapshotStore:
    """Saves and restores the emulator's services in `directory`."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._sequence = 0
        self._services: dict[str, dict[str, str]] = {}

    @property
    def manifest_path(self) -> Path:
        return self.directory / MANIFEST

    def restore(self) -> list[str]:
        """Put the saved services into this process's moto; returns their names."""
        manifest = read_manifest(self.directory)
        if manifest is None:
            return []
        services: Mapping[str, Mapping[str, str]] = manifest["services"]
        for name, entry in services.items():
            try:
                module = importlib.import_module(entry["module"])
                target: BackendDict[Any] = getattr(module, entry["attribute"])
                accounts = pickle.loads((self.directory / entry["file"]).read_bytes())  # noqa: S301 - our own state
            except Exception as error:
                raise StateFormatError(
                    f"the saved {name} state in {self.directory} cannot be restored "
                    f"({type(error).__name__}: {error}); {RESET_HINT}"
                ) from None
            dict.clear(target)
            for account_id, account in accounts.items():
                dict.__setitem__(target, account_id, account)
            if target not in BackendDict._instances:
                BackendDict._instances.append(target)
        self._sequence = int(manifest.get("sequence", 0))
        self._services = {name: dict(entry) for name, entry in services.items()}
        return sorted(services)

    def save(self, changed: list[ServiceState]) -> None:
        """Write the changed services, then switch the manifest to them atomically."""
        if not changed:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        sequence = self._sequence + 1
        services = {name: dict(entry) for name, entry in self._services.items()}
        for state in changed:
            file = f"{state.name}.{sequence}.pickle"
            _write_durably(self.directory / file, state.payload)
            services[state.name] = {
                "module": state.module,
                "attribute": state.attribute,
                "file": file,
            }
        moto_version, python_version = versions()
        manifest = {
            "format": SNAPSHOT_FORMAT,
            "moto": moto_version,
            "python": python_version,
            "sequence": sequence,
            "saved_at": datetime.now(UTC).isoformat(timespec="milliseconds"),
            "services": services,
        }
        _write_durably(self.manifest_path, json.dumps(manifest, indent=2).encode())
        _fsync_directory(self.directory)
        self._sequence, self._services = sequence, services
        self._remove_unnamed()

    def _remove_unnamed(self) -> None:
        named = {entry["file"] for entry in self._services.values()} | {MANIFEST}
        for path in self.directory.iterdir():
            # Pickles of earlier saves, and temporary files a crash left half-written.
            if path.name not in named and path.suffix in {".pickle", ".tmp"}:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
