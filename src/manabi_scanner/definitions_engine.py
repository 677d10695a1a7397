"""The scanner's engine on the newest published definitions (MP-AV-04).

At start it downloads the newest complete set of the definitions bucket to
`<definitions_dir>/<version>/` (every file checked against the manifest), starts clamd on it and
reports the manifest's version as `db_version()` — the `av-db-version` tag of every verdict.
Without a bucket, without a published set, or when the set cannot be loaded, it falls back to
the image's built-in database (CLAMAV_DB_DIR; version: CLAMAV_DB_VERSION or clamd's VERSION
answer) and logs a warning.

A warm scanner asks for a newer manifest at most every DEFINITIONS_REFRESH_MINUTES, at the start
of a batch (`refresh_if_due`). A newer set is downloaded first, then the old clamd is stopped
and a new one started on the new directory — never two full databases in memory at once — and
only then does `db_version()` switch. A failed refresh keeps (or restarts) the old engine.

A clamd that fails a scan — its deadline passed (frozen, hung), the connection broke, the process
exited — is killed and started again on the same set, and the scan raises `ScanInterrupted`: the
object stays unscanned and its message is retried (docs/decisions/0030-scanner-timeouts-and-
restarts.md). A clamd found exited before a scan is started again first.
"""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from datetime import timedelta
from pathlib import Path

from manabi_scanner.clamd import ClamdError, ClamdUnreachable, ScanInterrupted, StreamResult
from manabi_scanner.definitions import ChecksumMismatch, DefinitionsStore, Manifest
from manabi_scanner.engine import ClamdProcess

_log = logging.getLogger(__name__)
# (database directory, database version) → a running clamd on it
StartClamd = Callable[[Path, str], ClamdProcess]


class DefinitionsEngine:
    """The scanner's `Engine`: clamd on the newest published set, or on the built-in database."""

    def __init__(
        self,
        store: DefinitionsStore | None,
        definitions_dir: Path,
        builtin_dir: Path,
        builtin_version: str,
        start_clamd: StartClamd,
        refresh_every: timedelta,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._definitions_dir = definitions_dir
        self._builtin_dir = builtin_dir
        self._builtin_version = builtin_version
        self._start_clamd = start_clamd
        self._refresh_seconds = refresh_every.total_seconds()
        self._clock = clock
        self._process: ClamdProcess | None = None
        self._version = ""
        self._published: Manifest | None = None  # None: the built-in database is loaded
        self._checked_at = 0.0
        self._rejected: set[str] = set()  # sets clamd refused or that mismatch: not retried
        self._lock = threading.RLock()  # one life-cycle change (start, stop, restart) at a time
        self.restarts = 0  # clamds replaced after a failed scan or found exited

    # -- Engine --------------------------------------------------------------------------------
    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        process = self._running()
        try:
            return process.client.instream(chunks)
        except (ScanInterrupted, ClamdUnreachable) as error:
            self._replace(process, str(error))
            raise ScanInterrupted(f"{error}; clamd was restarted") from error

    def db_version(self) -> str:
        return self._version

    # -- life cycle ----------------------------------------------------------------------------
    @property
    def process(self) -> ClamdProcess | None:
        return self._process

    @property
    def manifest(self) -> Manifest | None:
        return self._published

    def start(self) -> None:
        """clamd on the newest published set, or on the built-in database."""
        with self._lock:
            self._start()

    def refresh_if_due(self) -> bool:
        """At batch start: switch to a newer published set when one exists; True when switched.

        A clamd that died is started again (on the newest set) whatever the interval.
        """
        with self._lock:
            return self._refresh()

    def _start(self) -> None:
        self._checked_at = self._clock()
        manifest = self._newest()
        if manifest is not None:
            try:
                directory = self._store_download(manifest)
                self._process = self._start_clamd(directory, manifest.version)
            except Exception:
                _log.exception(
                    "definitions %s could not be loaded; using the image's built-in database",
                    manifest.version,
                )
            else:
                self._version, self._published = manifest.version, manifest
                _log.info("clamd runs on definitions %s", manifest.version)
                return
        self._process = self._start_clamd(self._builtin_dir, self._builtin_version)
        self._version = self._builtin_version or self._process.client.version()
        self._published = None

    def _refresh(self) -> bool:
        if self._process is None or self._process.process.poll() is not None:
            _log.warning("clamd is not running; starting it again")
            self.stop()
            self._start()
            return True
        if self._store is None or self._clock() - self._checked_at < self._refresh_seconds:
            return False
        self._checked_at = self._clock()
        try:
            manifest = self._store.newest()
        except Exception:
            _log.exception("the definitions bucket could not be listed; keeping %s", self._version)
            return False
        if manifest is None or not self._is_newer(manifest) or manifest.version in self._rejected:
            return False
        try:
            directory = self._store_download(manifest)
        except Exception as error:
            _log.exception(
                "definitions %s not downloaded; keeping %s", manifest.version, self._version
            )
            if isinstance(error, ChecksumMismatch):  # not a passing failure: never this set
                self._rejected.add(manifest.version)
            return False
        old, old_manifest = self._process, self._published
        old.stop()  # first: two full databases would not fit in the function's memory
        try:
            self._process = self._start_clamd(directory, manifest.version)
        except Exception:
            _log.exception("clamd refused %s; restarting on %s", manifest.version, self._version)
            shutil.rmtree(directory, ignore_errors=True)
            self._rejected.add(manifest.version)
            self._process = None
            self._process = self._start_clamd(old.db_dir, old.db_version)
            return False
        _log.info("definitions switched from %s to %s", self._version, manifest.version)
        self._version, self._published = manifest.version, manifest
        if old_manifest is not None and old.db_dir != directory:
            shutil.rmtree(old.db_dir, ignore_errors=True)  # /tmp holds one set at rest
        return True

    def stop(self) -> None:
        with self._lock:
            if self._process is not None:
                if self._process.process.poll() is None:
                    self._process.stop()
                self._process = None

    # -- supervision ---------------------------------------------------------------------------
    def _running(self) -> ClamdProcess:
        """The running clamd; one that exited is started again (on the set it had) first."""
        with self._lock:
            process = self._process
            if process is not None and process.process.poll() is not None:
                self._replace(process, f"clamd exited ({process.process.returncode})")
                process = self._process
            if process is None:  # an outage of ours, not a verdict: retried (until the last)
                raise ScanInterrupted("clamd is not running")
            return process

    def _replace(self, failed: ClamdProcess, reason: str) -> None:
        """Kill `failed` and start a clamd on its set; nothing when another scan already did."""
        with self._lock:
            if self._process is not failed:
                return
            _log.warning("clamd failed (%s); restarting it on %s", reason, failed.db_version)
            if failed.process.poll() is None:
                failed.kill()  # a frozen clamd ignores SIGTERM until it runs again
            self._process = None
            self.restarts += 1
            try:
                self._process = self._start_clamd(failed.db_dir, failed.db_version)
            except Exception:  # the next batch tries again (refresh_if_due)
                _log.exception("clamd did not start again on %s", failed.db_version)

    # -- helpers -------------------------------------------------------------------------------
    def _newest(self) -> Manifest | None:
        if self._store is None:
            _log.warning("no definitions bucket; using the image's built-in database")
            return None
        try:
            manifest = self._store.newest()
        except Exception:
            _log.exception("the definitions bucket could not be listed; using the built-in one")
            return None
        if manifest is None:
            _log.warning("no definitions are published yet; using the image's built-in database")
        return manifest

    def _is_newer(self, manifest: Manifest) -> bool:
        return self._published is None or manifest.version > self._published.version

    def _store_download(self, manifest: Manifest) -> Path:
        if self._store is None:
            raise ClamdError("no definitions bucket")
        target = self._definitions_dir / manifest.version
        if target.exists():
            shutil.rmtree(target)  # a leftover of an earlier attempt: download it whole again
        return self._store.download(manifest, target)
