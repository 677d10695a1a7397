"""clamd as a child process: one per execution environment, database loaded once.

`start_clamd` writes its own clamd.conf in a work directory (unix socket, INSTREAM and scan
limits, AlertEncrypted and AlertExceedsMax on) and waits for PING. `write_test_database` writes a
small database for machines without internet access (freshclam cannot run): EICAR as a body
signature and as an MD5 hash signature, plus a test signature of this project.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import time
from collections.abc import Iterable
from pathlib import Path
from typing import NamedTuple

from manabi_scanner.clamd import DEFAULT_TIMEOUTS, ClamdClient, ClamdTimeouts, StreamResult
from manabi_scanner.verdict import MAX_STREAM_BYTES_CEILING

EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
TEST_MARKER = b"MANABI-PLUS-SCANNER-TEST-SIGNATURE-7f3a"


class ClamdProcess(NamedTuple):
    process: subprocess.Popen[bytes]
    client: ClamdClient
    db_dir: Path
    db_version: str

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()

    def kill(self) -> None:
        """End a clamd that hangs: SIGTERM would wait for a frozen (SIGSTOPped) process."""
        self.process.kill()
        self.process.wait()


class ClamdEngine:
    """The scanner's engine: a running clamd and the version of the database it loaded."""

    def __init__(self, client: ClamdClient, db_version: str) -> None:
        self._client = client
        self._db_version = db_version

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        return self._client.instream(chunks)

    def db_version(self) -> str:
        return self._db_version


def write_test_database(db_dir: Path) -> str:
    """EICAR (body + MD5) and the project's test signature; returns the database version."""
    db_dir.mkdir(parents=True, exist_ok=True)
    eicar_md5 = hashlib.md5(EICAR, usedforsecurity=False).hexdigest()
    (db_dir / "manabi.hdb").write_text(f"{eicar_md5}:{len(EICAR)}:Manabi.Test.EICAR-MD5\n")
    (db_dir / "manabi.ndb").write_text(
        f"Manabi.Test.EICAR-Body:0:*:{EICAR.hex()}\nManabi.Test.Marker:0:*:{TEST_MARKER.hex()}\n"
    )
    digest = hashlib.sha256()
    for path in sorted(db_dir.glob("manabi.*")):
        digest.update(path.read_bytes())
    return f"local-{digest.hexdigest()[:12]}"


def clamd_config(work_dir: Path, db_dir: Path, max_bytes: int) -> str:
    limit = min(max_bytes, MAX_STREAM_BYTES_CEILING - 1)
    return "\n".join(
        [
            f"LocalSocket {work_dir / 'clamd.sock'}",
            f"DatabaseDirectory {db_dir}",
            f"TemporaryDirectory {work_dir}",
            "Foreground yes",
            f"LogFile {work_dir / 'clamd.log'}",
            f"StreamMaxLength {limit}",
            f"MaxFileSize {limit}",
            f"MaxScanSize {limit}",
            "AlertEncrypted yes",
            "AlertEncryptedArchive yes",
            "AlertEncryptedDoc yes",
            "AlertExceedsMax yes",
            "MaxThreads 4",
            "",
        ]
    )


def clamd_binary() -> str | None:
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if Path("/usr/sbin/clamd").exists() else None
    )


def start_clamd(
    work_dir: Path,
    db_dir: Path,
    db_version: str,
    max_bytes: int,
    timeout: float = 120.0,
    clamd_timeouts: ClamdTimeouts = DEFAULT_TIMEOUTS,
) -> ClamdProcess:
    """clamd on `db_dir`, its socket, config and temporary files in `work_dir`; `timeout`
    bounds the start (the database load), `clamd_timeouts` every later call of its client."""
    binary = clamd_binary()
    if binary is None:
        raise RuntimeError("clamd is not installed (Debian packages clamav and clamav-daemon)")
    work_dir.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(work_dir)
    config = work_dir / "clamd.conf"
    config.write_text(clamd_config(work_dir, db_dir, max_bytes))
    process = subprocess.Popen(  # noqa: S603 - a fixed binary and our own config file
        [binary, "--config-file", str(config)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = ClamdClient(str(work_dir / "clamd.sock"), *clamd_timeouts)
    deadline = time.monotonic() + timeout
    while not client.ping():
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = work_dir / "clamd.log"
            tail = log.read_text()[-2000:] if log.exists() else ""
            raise RuntimeError(f"clamd did not start: {tail}")
        time.sleep(0.1)
    return ClamdProcess(process, client, db_dir, db_version)


def _remove_leftovers(work_dir: Path) -> None:
    """What a killed clamd leaves in its work directory: the socket, and the streams it was
    scanning (`clamav-*.tmp`, up to the scan limit each: /tmp is small on Lambda)."""
    (work_dir / "clamd.sock").unlink(missing_ok=True)
    for leftover in work_dir.glob("clamav-*"):
        if leftover.is_dir():
            shutil.rmtree(leftover, ignore_errors=True)
        else:
            leftover.unlink(missing_ok=True)
