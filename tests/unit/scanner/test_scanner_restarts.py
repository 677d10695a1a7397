"""MP-AV-02, GL-REL-01 with fake ports: a scan clamd did not finish writes no verdict and is
retried (the queue's visibility timeout holds, nothing is recorded) until the configured last
delivery, which ends as ERROR; the definitions engine replaces a clamd that failed a scan or
exited, on the set it had."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import timedelta
from pathlib import Path
from typing import Any, cast

import pytest

from manabi_contract.environment import ConfigurationError
from manabi_contract.verdicts import AvStatus
from manabi_scanner.clamd import (
    ClamdClient,
    ClamdError,
    ClamdTimeouts,
    ClamdUnreachable,
    ScanInterrupted,
    StreamResult,
)
from manabi_scanner.config import ScannerConfig
from manabi_scanner.definitions_engine import DefinitionsEngine
from manabi_scanner.engine import ClamdProcess
from manabi_scanner.scan import MAX_SCAN_DELIVERIES, Scanner, Target, handle_batch
from tests.unit.scanner.test_guardduty import NOW, Sink
from tests.unit.scanner.test_wait_visibility import (
    BUCKET,
    KEY,
    Versioned,
    Visibility,
    _s3_message,
)


class InterruptedEngine:
    """clamd never finishes: every scan is interrupted (a deadline passed, clamd went away)."""

    def __init__(self) -> None:
        self.scans = 0

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        self.scans += 1
        for _ in chunks:
            raise ScanInterrupted("clamd did not answer within 10 s; clamd was restarted")
        raise AssertionError("the object has bytes")

    def db_version(self) -> str:
        return "local-1"


def _scanner(s3: Versioned, max_deliveries: int = MAX_SCAN_DELIVERIES) -> Scanner:
    return Scanner(s3, InterruptedEngine(), 1024, lambda: NOW, max_deliveries)  # type: ignore[arg-type]


def test_mp_av_02_an_interrupted_scan_writes_no_verdict_and_is_retried() -> None:
    s3 = Versioned()
    outcome = _scanner(s3).scan(Target(BUCKET, KEY, "v1", 5), delivery=1)
    assert outcome == (None, True)
    assert (s3.puts, s3.tags) == (0, {})  # no tag at all: never CLEAN, not ERROR yet


def test_mp_av_02_an_interrupted_scan_keeps_the_queue_timeout_and_records_nothing() -> None:
    """GL-REL-01: retried after the queue's visibility timeout (clamd was restarted; a file that
    hangs clamd again is not hurried back), the submission stays PENDING (検査中)."""
    s3, sink, visibility = Versioned(), Sink(), Visibility()
    batch = {"Records": [_s3_message("m1", receives=1), _s3_message("m4", receives=4)]}
    result = handle_batch(batch, _scanner(s3), sink, visibility)
    assert result == {"batchItemFailures": [{"itemIdentifier": "m1"}, {"itemIdentifier": "m4"}]}
    assert (visibility.calls, sink.calls, s3.puts) == ([], [], 0)


@pytest.mark.parametrize("max_deliveries", [1, 3, MAX_SCAN_DELIVERIES])
def test_mp_av_02_after_the_configured_deliveries_an_unfinished_scan_is_error(
    max_deliveries: int,
) -> None:
    """On the last configured delivery the verdict is ERROR (fail closed), recorded, and the
    message still fails: the queue moves it to the DLQ, whose alarm tells an operator."""
    s3, sink = Versioned(), Sink()
    scanner = _scanner(s3, max_deliveries)
    for delivery in range(1, max_deliveries):
        result = handle_batch({"Records": [_s3_message("m", receives=delivery)]}, scanner, sink)
        assert result == {"batchItemFailures": [{"itemIdentifier": "m"}]}
        assert s3.puts == 0
    last = _s3_message("m", receives=max_deliveries)
    assert handle_batch({"Records": [last]}, scanner, sink) == {
        "batchItemFailures": [{"itemIdentifier": "m"}]
    }
    assert (s3.tags["av-status"], s3.tags["av-signature"]) == ("ERROR", "engine-interrupted")
    assert sink.calls == [(KEY, AvStatus.ERROR)]


def test_gl_rel_01_the_timeouts_and_deliveries_are_settings() -> None:
    defaults = ScannerConfig.from_environment({"TABLE_NAME": "t"})
    assert defaults.clamd_timeouts == ClamdTimeouts(10.0, 0.8)
    assert defaults.max_deliveries == MAX_SCAN_DELIVERIES == 5
    configured = ScannerConfig.from_environment(
        {
            "TABLE_NAME": "t",
            "CLAMD_TIMEOUT_SECONDS": "2.5",
            "CLAMD_SECONDS_PER_MIB": "1.5",
            "SCAN_MAX_DELIVERIES": "3",
        }
    )
    assert configured.clamd_timeouts == ClamdTimeouts(2.5, 1.5)
    assert configured.max_deliveries == 3
    for name, value in [
        ("CLAMD_TIMEOUT_SECONDS", "0"),
        ("CLAMD_SECONDS_PER_MIB", "-1"),
        ("SCAN_MAX_DELIVERIES", "0"),
    ]:
        with pytest.raises(ConfigurationError, match=name):
            ScannerConfig.from_environment({"TABLE_NAME": "t", name: value})


# The definitions engine replaces a failed clamd


class FakePopen:
    def __init__(self) -> None:
        self.returncode: int | None = None
        self.killed = False

    def poll(self) -> int | None:
        return self.returncode

    def kill(self) -> None:
        self.killed, self.returncode = True, -9

    def terminate(self) -> None:
        self.returncode = -15

    def wait(self, timeout: float | None = None) -> int | None:
        return self.returncode


class FakeClient(ClamdClient):
    def __init__(self, failure: Exception | None) -> None:
        super().__init__("/fake.sock")
        self.failure = failure

    def instream(self, chunks: Iterable[bytes]) -> StreamResult:
        if self.failure is not None:
            raise self.failure
        return StreamResult(False, "")


class Starts:
    """start_clamd: each clamd fails as `failures` says (None: healthy), in turn."""

    def __init__(self, *failures: Exception | None, refuse_after: int | None = None) -> None:
        self.failures = list(failures)
        self.started: list[tuple[Path, str]] = []
        self.refuse_after = refuse_after

    def __call__(self, db_dir: Path, db_version: str) -> ClamdProcess:
        if self.refuse_after is not None and len(self.started) >= self.refuse_after:
            raise RuntimeError("clamd did not start")
        self.started.append((db_dir, db_version))
        failure = self.failures.pop(0) if self.failures else None
        return ClamdProcess(cast(Any, FakePopen()), FakeClient(failure), db_dir, db_version)


def _engine(starts: Starts, tmp_path: Path) -> DefinitionsEngine:
    engine = DefinitionsEngine(
        None, tmp_path / "sets", tmp_path / "db", "local-1", starts, timedelta(minutes=60)
    )
    engine.start()
    return engine


@pytest.mark.parametrize(
    "failure",
    [
        ScanInterrupted("clamd did not answer within 10 s"),
        ScanInterrupted("the stream to clamd broke: [Errno 32] Broken pipe"),
        ClamdUnreachable("clamd is unreachable: [Errno 111] Connection refused"),
    ],
)
def test_mp_av_02_a_clamd_that_failed_a_scan_is_killed_and_started_again(
    failure: Exception, tmp_path: Path
) -> None:
    starts = Starts(failure)
    engine = _engine(starts, tmp_path)
    failed = engine.process
    assert failed is not None
    with pytest.raises(ScanInterrupted, match="clamd was restarted"):
        engine.scan([b"x"])
    assert cast(FakePopen, failed.process).killed  # SIGKILL: a frozen clamd ignores SIGTERM
    assert engine.restarts == 1
    assert starts.started == [(tmp_path / "db", "local-1")] * 2  # the same set again
    assert engine.scan([b"x"]) == StreamResult(False, "")  # the next scan: the new clamd
    assert engine.db_version() == "local-1"


def test_mp_av_02_an_error_answer_keeps_clamd(tmp_path: Path) -> None:
    engine = _engine(Starts(ClamdError("INSTREAM size limit exceeded. ERROR")), tmp_path)
    with pytest.raises(ClamdError, match="size limit") as raised:
        engine.scan([b"x"])
    assert not isinstance(raised.value, ScanInterrupted)
    assert engine.restarts == 0  # clamd answered: it is healthy


def test_mp_av_02_a_clamd_that_exited_is_started_again_before_the_scan(tmp_path: Path) -> None:
    engine = _engine(Starts(), tmp_path)
    assert engine.process is not None
    cast(FakePopen, engine.process.process).returncode = -9  # OOM-killed between scans
    assert engine.scan([b"x"]) == StreamResult(False, "")
    assert engine.restarts == 1


def test_mp_av_02_a_clamd_that_does_not_start_again_leaves_scans_unscanned(
    tmp_path: Path,
) -> None:
    """Until the next batch starts it again (refresh_if_due), scans are interrupted, not
    verdicts."""
    starts = Starts(ScanInterrupted("clamd did not answer"), refuse_after=1)
    engine = _engine(starts, tmp_path)
    with pytest.raises(ScanInterrupted):
        engine.scan([b"x"])
    assert engine.process is None
    with pytest.raises(ScanInterrupted, match="not running"):
        engine.scan([b"x"])
    starts.refuse_after = None
    assert engine.refresh_if_due()  # at the next batch
    assert engine.scan([b"x"]) == StreamResult(False, "")
