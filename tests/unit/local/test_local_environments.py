"""Execution environments: the API handler in worker processes, like Lambda's (MP-LOC-02)."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from manabi_local.environments import ExecutionEnvironments
from manabi_local.events import FunctionError, FunctionTimeout, IntegrationTimeout, LambdaContext
from manabi_local.runtime import HandlerImportError

HANDLERS = "tests.unit.local.environment_handlers"


def _context(timeout: float = 3.0) -> LambdaContext:
    return LambdaContext("local-test", 128, timeout, "request-id")


@pytest.fixture
def environments(request: pytest.FixtureRequest) -> Iterator[ExecutionEnvironments]:
    handler, limit = getattr(request, "param", ("echo", 4))
    pool = ExecutionEnvironments(f"{HANDLERS}.{handler}", limit, queue_seconds=5.0)
    pool.start()
    try:
        yield pool
    finally:
        pool.stop()


def _parallel(
    pool: ExecutionEnvironments, events: list[dict[str, Any]], timeout: float = 3.0
) -> list[Any]:
    results: list[Any] = [None] * len(events)

    def call(index: int) -> None:
        try:
            results[index] = pool(events[index], _context(timeout))
        except Exception as error:
            results[index] = error

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(events))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=20)
    return results


def test_mp_loc_02_the_handler_runs_in_another_process_and_stays_warm(
    environments: ExecutionEnvironments,
) -> None:
    first = environments({"n": 1}, _context())
    second = environments({"n": 2}, _context())
    assert first["pid"] != os.getpid()
    assert first["event"] == {"n": 1}
    assert second["pid"] == first["pid"]  # one event at a time, the warm environment reused
    # The init (the import) ran once, in the forkserver, not in each environment.
    assert first["init_pid"] != first["pid"]
    assert 0 < first["remaining_ms"] <= 3000


@pytest.mark.parametrize("environments", [("rendezvous", 4)], indirect=True)
def test_mp_loc_02_invocations_run_in_parallel_up_to_the_limit(
    environments: ExecutionEnvironments, tmp_path: Path
) -> None:
    # Four invocations that each wait for all four to arrive: they meet only if four run at
    # once, in four environments (no timing to race against a busy machine).
    meeting = {"dir": str(tmp_path), "count": 4, "seconds": 10.0}
    results = _parallel(environments, [meeting] * 4, timeout=15.0)
    assert all(isinstance(r, dict) and r["met"] for r in results), results
    assert len({r["pid"] for r in results}) == 4


@pytest.mark.parametrize("environments", [("nap", 2)], indirect=True)
def test_mp_loc_02_events_beyond_the_limit_wait_for_a_free_environment(
    environments: ExecutionEnvironments,
) -> None:
    results = _parallel(environments, [{"seconds": 0.3}] * 5)
    assert all(isinstance(r, dict) for r in results), results
    assert len({r["pid"] for r in results}) <= 2
    assert environments.count == 2
    spans = sorted((r["started"], r["ended"]) for r in results)
    for moment, _ in spans:  # never more than two running at once
        assert sum(start <= moment < end for start, end in spans) <= 2


@pytest.mark.parametrize("environments", [("nap", 1)], indirect=True)
def test_mp_loc_02_the_function_timeout_kills_the_invocation_and_its_environment(
    environments: ExecutionEnvironments,
) -> None:
    warm = environments({"seconds": 0}, _context())
    with pytest.raises(FunctionTimeout, match=r"Task timed out after 0\.30 seconds"):
        environments({"seconds": 5}, _context(timeout=0.3))
    after = environments({"seconds": 0}, _context())
    assert after["pid"] != warm["pid"]  # a fresh environment replaced the killed one


@pytest.mark.parametrize("environments", [("nap", 1)], indirect=True)
def test_mp_loc_02_an_event_that_waits_too_long_gets_the_integration_timeout(
    environments: ExecutionEnvironments,
) -> None:
    environments.queue_seconds = 0.2
    results = _parallel(environments, [{"seconds": 1.0}, {"seconds": 0}])
    assert sum(isinstance(r, IntegrationTimeout) for r in results) == 1


@pytest.mark.parametrize("environments", [("fail", 1)], indirect=True)
def test_handler_errors_come_back_with_their_traceback(
    environments: ExecutionEnvironments,
) -> None:
    with pytest.raises(FunctionError, match="ValueError: the handler refused") as raised:
        environments({}, _context())
    assert "Traceback" in raised.value.details
    assert environments.count == 1  # the environment survives a handler error, as in Lambda


@pytest.mark.parametrize("environments", [("crash", 1)], indirect=True)
def test_a_crashed_environment_is_an_error_and_is_replaced(
    environments: ExecutionEnvironments,
) -> None:
    for _ in range(2):
        with pytest.raises(FunctionError, match="exited"):
            environments({}, _context())
    assert environments.count == 0


@pytest.mark.parametrize("environments", [("interrupted", 1)], indirect=True)
def test_ctrl_c_does_not_interrupt_an_invocation(environments: ExecutionEnvironments) -> None:
    """Ctrl-C reaches the whole process group; the run stops environments in its own order."""
    first = environments({}, _context())
    assert environments({}, _context())["pid"] == first["pid"]


def test_a_handler_that_cannot_be_imported_stops_the_start() -> None:
    pool = ExecutionEnvironments(f"{HANDLERS}.missing_function", 1)
    try:
        with pytest.raises(HandlerImportError, match="has no function missing_function"):
            pool.start()
    finally:
        pool.stop()


def test_stop_ends_every_environment(environments: ExecutionEnvironments) -> None:
    results = _parallel(environments, [{}] * 3)
    pids = {r["pid"] for r in results}
    environments.stop()
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and any(_alive(pid) for pid in pids):
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in pids)
    with pytest.raises(FunctionError, match="stopping"):
        environments({}, _context())


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers signal 0; its state says it is gone.
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        return stat.read().split(") ", 1)[1][0] != "Z"


def test_the_run_and_its_environments_never_import_moto() -> None:
    """Importing moto appends its stub to botocore's handlers for every client made afterwards:
    the API handler must meet the same botocore as in Lambda. Only the emulator imports it."""
    code = (
        "import sys, manabi_local.cli, manabi_local.environments, manabi_local.state; "
        "sys.exit('moto' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
