"""The embedded AWS emulator: a moto server in a child process on 127.0.0.1.

The child (manabi_local.emulator_server) runs in its own process group (Ctrl-C in the terminal
reaches only us, and we stop it in order) and, on Linux, receives SIGTERM from the kernel if this
process dies without cleaning up, so no emulator is ever left orphaned on the port. SIGTERM makes
it save its state (when it keeps one, `state_dir`) and exit.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from types import TracebackType

from manabi_infra.config import TOKYO
from manabi_local.state import RESTORE_FAILED, StateFormatError
from manabi_local.tcp_ports import PortInUseError, ensure_port_free

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4566
REGION = TOKYO
# An account id that can never be a real one, and differs from the staging and production ids in
# manabi_infra.config, so a local ARN is recognisable at a glance (LocalStack uses the same).
ACCOUNT_ID = "000000000000"
# Dummy credentials: moto accepts any; they only have to be present for botocore to sign.
ACCESS_KEY_ID = "local"
SECRET_ACCESS_KEY = "local"  # noqa: S105 - not a secret, moto ignores it

_PR_SET_PDEATHSIG = 1
_STOP_GRACE_SECONDS = 5.0


class EmulatorError(Exception):
    """The emulator could not be started or did not answer in time."""


def server_environment() -> dict[str, str]:
    """Environment of the moto child process."""
    env = dict(os.environ)
    env.update(
        {
            "MOTO_ACCOUNT_ID": ACCOUNT_ID,
            # Ids derived from a hash of name and settings: the same template gives the same user
            # pool and client ids on every start, so a browser session or a bookmark survives.
            "MOTO_COGNITO_IDP_USER_POOL_ID_STRATEGY": "HASH",
            "MOTO_COGNITO_IDP_USER_POOL_CLIENT_ID_STRATEGY": "HASH",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def client_environment(endpoint: str) -> dict[str, str]:
    """Variables that point boto3 (ours and the handler's) at the emulator."""
    no_proxy = ",".join(p for p in (os.environ.get("NO_PROXY"), "127.0.0.1,localhost") if p)
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
        "AWS_SESSION_TOKEN": "local",
        "NO_PROXY": no_proxy,
    }


# Removed from the environment of a local run: a developer's profile must never lend real
# credentials (or a real region) to code that believes it talks to the emulator.
CLEARED_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE")


def apply_client_environment(endpoint: str) -> None:
    """Point this process (our boto3 and the in-process handler) at the emulator."""
    for name in CLEARED_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(client_environment(endpoint))


def _die_with_parent(parent_pid: int) -> Callable[[], None]:
    """preexec_fn that asks the kernel to SIGTERM the child when its parent goes away.

    PR_SET_PDEATHSIG follows the *thread* that forked: start the emulator from the main thread
    (or one that lives as long as the emulator should).
    """

    def preexec() -> None:
        if sys.platform.startswith("linux"):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
            # The parent may have died between fork and prctl: then nobody would stop us.
            if os.getppid() != parent_pid:
                os._exit(1)

    return preexec


class Emulator:
    """Start, wait for and stop one moto server. Usable as a context manager."""

    def __init__(
        self,
        port: int = DEFAULT_PORT,
        host: str = DEFAULT_HOST,
        log_path: Path | None = None,
        startup_timeout: float = 30.0,
        port_flag: str = "--emulator-port",
        state_dir: Path | None = None,
        keep_open: tuple[int, ...] = (),
    ) -> None:
        self.host = host
        self.port = port
        # The child always writes to a file: a pipe nobody reads would block it, and the file
        # tells why a start failed.
        self.log_path = log_path or Path(tempfile.gettempdir()) / f"manabi-emulator-{port}.log"
        self.startup_timeout = startup_timeout
        self.port_flag = port_flag
        self.state_dir = state_dir  # None: the state lives and dies with the process
        self.keep_open = keep_open  # descriptors the child inherits (the state's lock)
        self._process: subprocess.Popen[bytes] | None = None
        self._starts = 0
        self._log_offset = 0  # where this start's lines begin in the log

    @property
    def endpoint(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process else None

    def exit_code(self) -> int | None:
        """The child's exit code once it has died on its own; None while it runs (or stopped)."""
        return self._process.poll() if self._process else None

    def start(self) -> None:
        """Spawn the server without waiting for it (call wait_ready before using it)."""
        if self._process is not None:
            raise EmulatorError("the emulator is already started")
        ensure_port_free(self.host, self.port, "AWS emulator", self.port_flag)
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        # A restart appends: the log still shows why the previous process ended.
        output = self.log_path.open("ab" if self._starts else "wb")
        self._log_offset = output.tell()
        self._starts += 1
        command = [
            sys.executable,
            "-m",
            "manabi_local.emulator_server",
            "-H",
            self.host,
            "-p",
            str(self.port),
        ]
        if self.state_dir is not None:
            command += ["--state-dir", str(self.state_dir)]
        with output:
            self._process = subprocess.Popen(  # noqa: S603 - fixed command line, no shell
                command,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                env=server_environment(),
                start_new_session=True,
                pass_fds=self.keep_open,
                preexec_fn=_die_with_parent(os.getpid()),
            )

    def restart(self) -> None:
        """Start again after the process died on its own (on the same state and port)."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            self._process = process
            raise EmulatorError("the emulator is still running")
        self.start()
        self.wait_ready()

    def wait_ready(self) -> None:
        """Block until the server answers HTTP, or raise EmulatorError with the reason."""
        process = self._require_process()
        deadline = time.monotonic() + self.startup_timeout
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        while True:
            code = process.poll()
            if code is not None:
                self._process = None
                log = self._log_tail()
                if code == RESTORE_FAILED:
                    raise StateFormatError(log.splitlines()[-1].removeprefix("manabi_local: "))
                if "Address already in use" in log:
                    raise PortInUseError(self.port, "AWS emulator", self.port_flag)
                raise EmulatorError(
                    f"the AWS emulator (moto) exited with code {code} while starting"
                    + (f":\n{log}" if log else "")
                )
            try:
                with opener.open(f"{self.endpoint}/moto-api/", timeout=1.0) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise EmulatorError(
                    f"the AWS emulator did not answer on {self.endpoint} within "
                    f"{self.startup_timeout:.0f} s; its log: {self.log_path}"
                )
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL it if it does not exit in time."""
        process, self._process = self._process, None
        if process is None or process.poll() is not None:
            return
        for sig, wait in ((signal.SIGTERM, _STOP_GRACE_SECONDS), (signal.SIGKILL, 5.0)):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, sig)
            try:
                process.wait(timeout=wait)
                return
            except subprocess.TimeoutExpired:
                continue

    def __enter__(self) -> Emulator:
        self.start()
        try:
            self.wait_ready()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def _require_process(self) -> subprocess.Popen[bytes]:
        if self._process is None:
            raise EmulatorError("the emulator is not started")
        return self._process

    def _log_tail(self, lines: int = 15) -> str:
        if not self.log_path.exists():
            return ""
        with self.log_path.open("rb") as log:
            log.seek(self._log_offset)
            text = log.read().decode("utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])
