"""`python -m manabi_local run` as a child process, for the tests of MP-LOC-01/02: start it on a
state directory, sign in the way the SPA does, see its processes, stop it with a signal."""

from __future__ import annotations

import contextlib
import os
import queue
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import requests

from manabi_local.emulator import ACCESS_KEY_ID, REGION, SECRET_ACCESS_KEY
from manabi_local.seed import DEMO_PASSWORD
from manabi_local.tcp_ports import free_port
from tests.support_sign_in import id_token

STARTUP_SECONDS = 120
STOP_SECONDS = 5.0  # Ctrl-C to every process gone (MP-LOC-02)


@dataclass
class LocalRun:
    process: subprocess.Popen[str]
    ports: dict[str, int]
    state_dir: Path
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def api(self) -> str:
        return f"http://127.0.0.1:{self.ports['api']}"

    @property
    def web(self) -> str:
        return f"http://127.0.0.1:{self.ports['web']}"

    @property
    def emulator(self) -> str:
        return f"http://127.0.0.1:{self.ports['emulator']}"

    @property
    def output(self) -> str:
        return "".join(self.stdout + self.stderr)

    def config(self) -> dict[str, Any]:
        config: dict[str, Any] = requests.get(f"{self.web}/config.json", timeout=10).json()
        return config

    def cognito(self) -> Any:
        """A Cognito client against the local Cognito front, as the SPA calls it."""
        return boto3.client(
            "cognito-idp",
            endpoint_url=self.config()["cognitoEndpoint"],
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def aws(self, service: str) -> Any:
        """A client against the emulator itself (administration, S3 inspection)."""
        return boto3.client(
            service,
            endpoint_url=self.emulator,
            region_name=REGION,
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
        )

    def token(self, email: str, password: str = DEMO_PASSWORD) -> str:
        config = self.config()
        return id_token(config["cognitoEndpoint"], config["userPoolClientId"], email, password)

    def processes(self) -> list[int]:
        """The run and every process below it, the emulator (its own session) included."""
        return descendants(self.process.pid)


def _pump(stream: Any, sink: list[str], lines: queue.Queue[str]) -> None:
    for line in stream:
        sink.append(line)
        lines.put(line)


def fake_handler(tmp_path: Path, source: str) -> dict[str, str]:
    """Put a handler module on the children's path; returns the environment to run with."""
    (tmp_path / "fake_api.py").write_text(textwrap.dedent(source))
    return {"PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}


def start(
    state_dir: Path,
    *extra: str,
    env: dict[str, str] | None = None,
    ports: dict[str, int] | None = None,
) -> LocalRun:
    ports = ports or {"api": free_port(), "web": free_port(), "emulator": free_port()}
    command = [
        sys.executable,
        "-m",
        "manabi_local",
        "run",
        f"--api-port={ports['api']}",
        f"--web-port={ports['web']}",
        f"--emulator-port={ports['emulator']}",
        f"--state-dir={state_dir}",
        f"--web-dist={state_dir.parent / 'no-dist'}",
        *extra,
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **(env or {})},
    )
    run = LocalRun(process, ports, state_dir)
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, run.stdout, lines), daemon=True).start()
    threading.Thread(
        target=_pump, args=(process.stderr, run.stderr, queue.Queue()), daemon=True
    ).start()
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        try:
            if "Ctrl+C" in lines.get(timeout=0.5):
                return run
        except queue.Empty:
            if process.poll() is not None:
                break
    process.kill()
    process.wait()
    time.sleep(0.1)
    raise AssertionError(f"the local system did not start:\n{run.output}")


def stop(run: LocalRun, sig: signal.Signals = signal.SIGINT) -> tuple[int, float, list[int]]:
    """Signal the run; returns its exit code, how long until every process was gone, and the
    processes still alive after STOP_SECONDS (killed then, so that nothing outlives the test)."""
    processes = run.processes()
    started = time.monotonic()
    run.process.send_signal(sig)
    try:
        code = run.process.wait(timeout=STOP_SECONDS + 15)
    except subprocess.TimeoutExpired:
        run.process.kill()
        code = run.process.wait()
    left = wait_gone(processes, started + STOP_SECONDS)
    seconds = time.monotonic() - started
    for pid in left:
        kill(pid)
    time.sleep(0.1)  # the reader threads drain the pipes
    return code, seconds, left


def kill_all(run: LocalRun) -> None:
    """SIGKILL the run and everything below it at the same instant: a power cut, as near as
    one machine gets to it.

    Everything is stopped (SIGSTOP) first and the tree read again until it no longer grows, so
    that no process forked between reading the tree and the kill (a new execution environment,
    a restarted emulator) survives it."""
    processes: list[int] = []
    while True:
        found = [run.process.pid, *run.processes()]
        for pid in found:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGSTOP)
        if set(found) <= set(processes):
            break
        processes = sorted(set(processes) | set(found))
    for pid in processes:
        kill(pid)
    run.process.wait()
    left = wait_gone(processes, time.monotonic() + 15)
    assert not left, f"processes {left} outlived SIGKILL by 15 s"


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(") ", 1)[1][0] != "Z"  # a zombie is gone already
    except (FileNotFoundError, ProcessLookupError):
        return False


def wait_gone(pids: list[int], deadline: float) -> list[int]:
    while time.monotonic() < deadline:
        if not any(alive(pid) for pid in pids):
            return []
        time.sleep(0.05)
    return [pid for pid in pids if alive(pid)]


def descendants(root: int) -> list[int]:
    """Every process whose chain of parents reaches `root` (a new session does not break it)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text(encoding="ascii")
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(") ", 1)[1].split()[1])
    found: list[int] = []
    frontier = [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found


def listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def closed_within(port: int, seconds: float) -> bool:
    """True once nothing accepts on the port. Polled: a connect to a free port in the ephemeral
    range can, rarely, connect the probe to itself (TCP simultaneous open)."""
    deadline = time.monotonic() + seconds
    while listening(port):
        if time.monotonic() > deadline:
            return False
        time.sleep(0.1)
    return True


def listeners(port: int) -> str:
    """What holds the port, for a failure message."""
    try:
        found = subprocess.run(
            ["ss", "-Htanp", f"( sport = :{port} or dport = :{port} )"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
    except OSError as error:  # no ss on this machine
        found = str(error)
    return f"port {port} still accepts connections:\n{found}"
