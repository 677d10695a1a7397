"""Where new virus definitions come from (MP-AV-04): freshclam from a mirror, or generated.

`FreshclamSource` runs the real `freshclam` once (no daemon) with a config file of its own in a
temporary directory: the configured mirror, a fresh database directory, a timeout. Failures raise
`SourceError` naming the mirror and freshclam's last output lines. `GeneratedSource` writes the
project's small test database (local mode and tests: freshclam cannot reach ClamAV's CDN here).
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import NamedTuple, Protocol
from urllib.parse import urlsplit

from manabi_scanner.definitions import DefinitionsError, database_files
from manabi_scanner.engine import write_test_database

OFFICIAL_MIRROR_HOST = "database.clamav.net"
FRESHCLAM_TIMEOUT_SECONDS = 300.0  # within the updater function's 10 minutes
OUTPUT_LINES = 12


class SourceError(DefinitionsError):
    """New definitions could not be fetched: nothing is published, the current set stays."""


class Fetched(NamedTuple):
    mirror: str  # where the files came from (recorded in the manifest)
    tool: str  # what fetched them (freshclam's version, or the generator)


class DefinitionsSource(Protocol):
    def fetch(self, directory: Path) -> Fetched:
        """Write a complete database into the empty `directory`."""


class GeneratedSource:
    """The project's test database: EICAR (body + MD5) and the project's test marker."""

    mirror = "generated:manabi-test-database"

    def fetch(self, directory: Path) -> Fetched:
        write_test_database(directory)
        return Fetched(self.mirror, "manabi_scanner.engine.write_test_database")


def freshclam_binary() -> str:
    found = shutil.which("freshclam") or (
        "/usr/bin/freshclam" if Path("/usr/bin/freshclam").exists() else None
    )
    if found is None:
        raise SourceError("freshclam is not installed (Debian clamav-freshclam, dnf clamav-update)")
    return found


def freshclam_config(database_dir: Path, mirror_url: str, timeout: float) -> str:
    """freshclam.conf for one run into `database_dir` from `mirror_url`."""
    host = urlsplit(mirror_url if "://" in mirror_url else f"https://{mirror_url}").hostname
    lines = [f"DatabaseDirectory {database_dir}", "Foreground yes", "MaxAttempts 1"]
    if host == OFFICIAL_MIRROR_HOST:
        lines += [
            f"DatabaseMirror {OFFICIAL_MIRROR_HOST}",
            "DNSDatabaseInfo current.cvd.clamav.net",
        ]
    else:  # a private mirror: plain HTTP(S), no DNS TXT record to ask
        lines += [f"PrivateMirror {mirror_url.rstrip('/')}", "DNSDatabaseInfo no"]
    lines += [
        "ScriptedUpdates no",  # a fresh directory needs whole files, not diffs
        "Bytecode yes",
        "ConnectTimeout 30",
        f"ReceiveTimeout {max(int(timeout), 1)}",
        "TestDatabases no",  # the updater proves the set itself (EICAR through clamd)
    ]
    if os.geteuid() == 0:  # as root freshclam would switch to `clamav`, which cannot write here
        lines.append(f"DatabaseOwner {pwd.getpwuid(0).pw_name}")
    return "\n".join(lines) + "\n"


class FreshclamSource:
    def __init__(self, mirror_url: str, timeout: float = FRESHCLAM_TIMEOUT_SECONDS) -> None:
        self.mirror_url = mirror_url
        self.timeout = timeout

    def fetch(self, directory: Path) -> Fetched:
        binary = freshclam_binary()
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="freshclam-") as work:
            config = Path(work) / "freshclam.conf"
            config.write_text(freshclam_config(directory, self.mirror_url, self.timeout))
            command = [binary, f"--config-file={config}", "--stdout"]
            try:
                run = subprocess.run(  # noqa: S603 - a fixed binary and our own config file
                    command,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=self.timeout,
                    check=False,
                )
            except subprocess.TimeoutExpired as error:
                raise SourceError(
                    f"freshclam did not finish within {self.timeout:.0f} s fetching from "
                    f"{self.mirror_url}; last output:\n{_tail(error.stdout)}"
                ) from error
        output = _tail(run.stdout)
        if run.returncode != 0:
            raise SourceError(
                f"freshclam failed (exit {run.returncode}) fetching definitions from "
                f"{self.mirror_url}; last output:\n{output}"
            )
        if not any(p.suffix in {".cvd", ".cld"} for p in database_files(directory)):
            raise SourceError(
                f"freshclam fetched no database from {self.mirror_url}; last output:\n{output}"
            )
        return Fetched(self.mirror_url, _freshclam_version(binary))


def _tail(output: bytes | str | None) -> str:
    if output is None:
        return ""
    text = output.decode("utf-8", "replace") if isinstance(output, bytes) else output
    return "\n".join(text.strip().splitlines()[-OUTPUT_LINES:])


def _freshclam_version(binary: str) -> str:
    try:
        run = subprocess.run(  # noqa: S603 - a fixed binary
            [binary, "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return "freshclam"
    return run.stdout.strip() or "freshclam"
