"""The local data directory (MP-LOC-01, docs/decisions/0026): what `make run` keeps between runs.

    <state dir>/                  .local/state by default (gitignored), --state-dir to move it
      manabi-local.json           {"format": 1}: marks the directory as ours, and its layout
      emulator/                   moto's services, saved by manabi_local.emulator_server
      mailbox.json                the local mailbox and the codes it carried
      logs/emulator.log           the emulator's output (kept by --fresh)
      logs/<service>.jsonl        each function's JSON log lines (manabi_local.function_output)
      metrics/<service>.jsonl     each function's EMF metric lines (both deleted by --fresh)
      lock                        held (flock) by the run and its emulator while they use it

`--fresh` (and `make reset`) deletes the data, never the directory or anything that is not ours:
a directory with other content and no marker is refused, with or without --fresh. Two runs on
one directory would overwrite each other's saves: the second is refused while the lock is held.

This module never imports moto: the run and its execution environments read the manifest's
versions without it (importing moto adds its stub to every botocore client made afterwards).
"""

from __future__ import annotations

import contextlib
import fcntl
import importlib.metadata
import json
import os
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYOUT = 1  # of the directory (MARKER)
SNAPSHOT_FORMAT = 1  # of the emulator's manifest (manabi_local.snapshots)
MARKER = "manabi-local.json"
MANIFEST = "manifest.json"
# The emulator's exit code when the kept state cannot be restored (its last line says why).
RESTORE_FAILED = 3
RESET_HINT = (
    "start empty with `make reset` or `python -m manabi_local run --fresh` (this deletes the "
    "local data), or keep it by moving the directory away or choosing another with --state-dir"
)


class StateFormatError(Exception):
    """The kept state cannot be used by this version; the message says what to do."""


def versions() -> tuple[str, str]:
    """(moto, Python) of this run: a snapshot is read only by the versions that wrote it."""
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return importlib.metadata.version("moto"), python


def read_manifest(directory: Path) -> dict[str, Any] | None:
    """The emulator's manifest in `directory`, checked; None when nothing was saved yet."""
    path = directory / MANIFEST
    if not path.exists():
        return None
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StateFormatError(
            f"the local data in {directory} cannot be read ({error}); {RESET_HINT}"
        ) from None
    if not isinstance(manifest, dict) or manifest.get("format") != SNAPSHOT_FORMAT:
        found = manifest.get("format") if isinstance(manifest, dict) else None
        raise StateFormatError(
            f"the local data in {directory} has format {found!r}, this version reads format "
            f"{SNAPSHOT_FORMAT}; {RESET_HINT}"
        )
    wrote, runs = (manifest.get("moto"), manifest.get("python")), versions()
    if wrote != runs:
        raise StateFormatError(
            f"the local data in {directory} was written with moto {wrote[0]} on Python "
            f"{wrote[1]}, this run has moto {runs[0]} on Python {runs[1]}; {RESET_HINT}"
        )
    return manifest


@dataclass(frozen=True)
class LocalState:
    root: Path
    lock_fds: tuple[int, ...] = field(default=())

    def release(self) -> None:
        for descriptor in self.lock_fds:
            with contextlib.suppress(OSError):
                os.close(descriptor)

    @property
    def emulator_dir(self) -> Path:
        return self.root / "emulator"

    @property
    def mailbox_path(self) -> Path:
        return self.root / "mailbox.json"

    @property
    def log_path(self) -> Path:
        return self.logs_dir / "emulator.log"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def metrics_dir(self) -> Path:
        return self.root / "metrics"

    def delete_function_output(self) -> None:
        """The functions' logs and metrics (they count the data --fresh deletes)."""
        shutil.rmtree(self.metrics_dir, ignore_errors=True)
        for path in self.logs_dir.glob("*.jsonl"):
            path.unlink(missing_ok=True)

    @property
    def kept(self) -> bool:
        """Whether there is data from an earlier run."""
        return (self.emulator_dir / "manifest.json").exists()

    @classmethod
    def open(cls, root: Path, *, fresh: bool = False) -> LocalState:
        """The state directory, checked (StateFormatError says what is wrong and what to do);
        emptied first when `fresh`."""
        state = cls(root.resolve())
        marker = state.root / MARKER
        if state.root.exists() and not state.root.is_dir():
            raise StateFormatError(f"{state.root} is a file, not a directory; choose --state-dir")
        if marker.exists():
            state._check_marker(marker, fresh=fresh)
        elif state.root.exists() and any(state.root.iterdir()):
            raise StateFormatError(
                f"{state.root} is not a local data directory of Manabi Plus (it has no {MARKER}) "
                "and is not empty; choose a new or empty directory with --state-dir"
            )
        state.root.mkdir(parents=True, exist_ok=True)
        locked = cls(state.root, (_lock(state.root / "lock"),))
        try:
            if fresh:
                shutil.rmtree(state.emulator_dir, ignore_errors=True)
                state.mailbox_path.unlink(missing_ok=True)
                state.delete_function_output()
            elif state.emulator_dir.exists():
                read_manifest(state.emulator_dir)  # the moto and Python versions
            marker.write_text(json.dumps({"format": LAYOUT}) + "\n", encoding="utf-8")
        except BaseException:
            locked.release()
            raise
        return locked

    def _check_marker(self, marker: Path, *, fresh: bool) -> None:
        try:
            found = json.loads(marker.read_text(encoding="utf-8")).get("format")
        except (OSError, ValueError, AttributeError):
            found = "unreadable"
        if found != LAYOUT and not fresh:
            raise StateFormatError(
                f"the local data in {self.root} has layout {found!r}, this version uses layout "
                f"{LAYOUT}; {RESET_HINT}"
            )


def _lock(path: Path) -> int:
    """An exclusive flock on `path`, held as long as the descriptor stays open (inheritable, so
    the emulator holds it too until its last save is written)."""
    descriptor = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(descriptor)
        raise StateFormatError(
            f"the local data in {path.parent} is in use by another run of the local mode; stop "
            "it first, or choose another directory with --state-dir"
        ) from None
    os.set_inheritable(descriptor, True)
    return descriptor
