"""GL-REL-01, MP-AV-02 on the emulator with a real clamd that is frozen (SIGSTOP) or killed
(SIGKILL) in the middle of a scan: the handler returns within clamd's deadlines instead of
hanging, writes no verdict (the submission stays PENDING, the file unreadable), the message is
retried, clamd is restarted, and the next delivery gets the real verdict; a scan that never
finishes is ERROR on the configured last delivery.

Each test runs its own clamd (the session's one is shared by other tests and must not be frozen).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from manabi_local.provisioning import LocalResources
from manabi_scanner.clamd import ClamdTimeouts, StreamResult
from manabi_scanner.definitions_engine import DefinitionsEngine
from manabi_scanner.engine import EICAR, ClamdProcess, start_clamd, write_test_database
from manabi_scanner.scan import handle_batch
from manabi_scanner.wiring import build_scanner
from tests.integration.conftest import SCAN_LIMIT_BYTES
from tests.integration.test_scanner_fail_closed import World

pytestmark = pytest.mark.integration

# Short deadlines, so that a frozen clamd costs the test about a second.
TIMEOUTS = ClamdTimeouts(call_seconds=1.0, seconds_per_mib=0.5)
# A failure deadline for one batch with a frozen clamd: its deadlines (~1.5 s) plus a restart.
RETURNS_WITHIN = 10.0
FILE = b"C" * 600_000  # several chunks, more than the socket buffer takes from a frozen clamd


class Faulting:
    """The scanner's engine, with `fault` sent to clamd after the first chunk is on its way:
    the fault strikes in the middle of the stream."""

    def __init__(self, engine: DefinitionsEngine) -> None:
        self.engine = engine
        self.fault: signal.Signals | None = None
        self.struck: list[int] = []  # the pids that got the fault

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        return self.engine.scan(self._striking(chunks))

    def _striking(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        for index, chunk in enumerate(chunks):
            yield chunk
            if index == 0 and self.fault is not None:
                process = self.engine.process
                assert process is not None
                os.kill(process.process.pid, self.fault)
                self.struck.append(process.process.pid)

    def db_version(self) -> str:
        return self.engine.db_version()


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[DefinitionsEngine]:
    version = write_test_database(tmp_path / "db")

    def start(db_dir: Path, db_version: str) -> ClamdProcess:
        return start_clamd(
            tmp_path / "clamd", db_dir, db_version, SCAN_LIMIT_BYTES, clamd_timeouts=TIMEOUTS
        )

    engine = DefinitionsEngine(
        None, tmp_path / "sets", tmp_path / "db", version, start, timedelta(minutes=60)
    )
    engine.start()
    yield engine
    engine.stop()


def _world(
    resources: LocalResources, engine: DefinitionsEngine, deliveries: int = 5
) -> tuple[World, Faulting]:
    faulting = Faulting(engine)
    world = World(resources, faulting)
    world.scanner = build_scanner(world.s3, faulting, SCAN_LIMIT_BYTES, deliveries)
    return world, faulting


def _delivery(world: World, key: str, receives: int) -> dict[str, Any]:
    message = {
        "messageId": "m1",
        "receiptHandle": "rh-m1",
        "body": world.event_body(key),
        "attributes": {"ApproximateReceiveCount": str(receives)},
    }
    return handle_batch({"Records": [message]}, world.scanner, world.sink)


def test_gl_rel_01_a_clamd_frozen_mid_scan_is_restarted_and_the_file_retried(
    local_resources: LocalResources, engine: DefinitionsEngine, tmp_path: Path
) -> None:
    world, faulting = _world(local_resources, engine)
    key = world.upload(FILE, "text/plain")
    faulting.fault = signal.SIGSTOP
    started = time.monotonic()
    result = _delivery(world, key, receives=1)
    assert time.monotonic() - started < RETURNS_WITHIN  # not as long as clamd is frozen
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}]}  # delivered again
    assert world.tags(key) == {}  # no verdict, CLEAN least of all
    assert world.status() == "PENDING"  # 検査中, unreadable
    assert world.download() == 409
    (frozen,) = faulting.struck
    assert engine.restarts == 1
    assert engine.process is not None
    assert engine.process.process.pid != frozen  # a new clamd
    with pytest.raises(ProcessLookupError):
        os.kill(frozen, signal.SIGCONT)  # the frozen clamd is gone, not left behind
    assert not list((tmp_path / "clamd").glob("clamav-*"))  # nor its half-received stream
    faulting.fault = None
    assert _delivery(world, key, receives=2) == {"batchItemFailures": []}
    assert world.tags(key)["av-status"] == "CLEAN"  # the real verdict
    assert world.status() == "CLEAN"
    assert world.download() == 200
    world.delete(key)


def test_mp_av_02_a_clamd_killed_mid_scan_is_restarted_and_the_file_retried(
    local_resources: LocalResources, engine: DefinitionsEngine
) -> None:
    world, faulting = _world(local_resources, engine)
    key = world.upload(b"A" * 300_000 + EICAR + b"B" * 300_000, "text/plain")
    faulting.fault = signal.SIGKILL
    assert _delivery(world, key, receives=1) == {"batchItemFailures": [{"itemIdentifier": "m1"}]}
    assert world.tags(key) == {}
    assert world.status() == "PENDING"
    assert engine.restarts == 1
    faulting.fault = None
    assert _delivery(world, key, receives=2) == {"batchItemFailures": []}
    assert world.tags(key)["av-status"] == "INFECTED"
    assert world.status() == "INFECTED"
    world.delete(key)


def test_mp_av_02_a_file_that_never_gets_scanned_is_error_on_the_last_delivery(
    local_resources: LocalResources, engine: DefinitionsEngine
) -> None:
    """Frozen on every delivery: unscanned and retried until the configured last delivery
    (the scan queue's maxReceiveCount), which writes ERROR and still fails (to the DLQ)."""
    world, faulting = _world(local_resources, engine, deliveries=3)
    key = world.upload(FILE, "text/plain")
    faulting.fault = signal.SIGSTOP
    for receives in (1, 2):
        assert _delivery(world, key, receives)["batchItemFailures"]
        assert world.tags(key) == {}
        assert world.status() == "PENDING"
    assert _delivery(world, key, receives=3)["batchItemFailures"]
    tags = world.tags(key)
    assert (tags["av-status"], tags["av-signature"]) == ("ERROR", "engine-interrupted")
    assert world.status() == "ERROR"
    assert world.download() == 409
    assert engine.restarts == 3
    world.delete(key)
