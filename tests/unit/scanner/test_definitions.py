"""MP-AV-04: the definitions store (in-memory fake), the updater's core with fake ports."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from manabi_contract.environment import ConfigurationError
from manabi_scanner import config
from manabi_scanner.clamd import StreamResult
from manabi_scanner.definitions import DefinitionsStore
from manabi_scanner.engine import EICAR
from manabi_scanner.sources import Fetched, GeneratedSource, SourceError, freshclam_config
from manabi_scanner.updater import (
    NO_DEFINITIONS_AGE_HOURS,
    DefinitionsRejected,
    DefinitionsUpdate,
    ProofEngine,
    UpdateResult,
    emf_emitter,
    version_for,
)
from tests.contract.definitions_store import DefinitionsStoreContract, make_set
from tests.fakes.memory_definitions import MemoryDefinitionsStore


class TestMemoryDefinitionsStore(DefinitionsStoreContract):
    @pytest.fixture
    def store(self) -> MemoryDefinitionsStore:
        return MemoryDefinitionsStore()

    def raw_put(self, store: DefinitionsStore, key: str, data: bytes) -> None:
        assert isinstance(store, MemoryDefinitionsStore)
        store.objects[key] = data

    def raw_keys(self, store: DefinitionsStore) -> set[str]:
        assert isinstance(store, MemoryDefinitionsStore)
        return set(store.objects)


def test_configuration_defaults() -> None:
    scanner = config.ScannerConfig.from_environment({"TABLE_NAME": "t"})
    assert (scanner.definitions_bucket, scanner.refresh_minutes) == ("", 60)
    assert scanner.definitions_dir == Path("/tmp/clamav")  # noqa: S108
    updater = config.UpdaterConfig.from_environment({"DEFINITIONS_BUCKET": "b"})
    assert (updater.update_after_hours, updater.metrics_namespace) == (24, "ManabiPlus")


class Clock:
    def __init__(self, start: datetime) -> None:
        self.moment = start

    def __call__(self) -> datetime:
        return self.moment


class FakeEngine:
    """A proof engine answering from a table instead of clamd."""

    def __init__(self, eicar: StreamResult, clean: StreamResult | None = None) -> None:
        self.eicar, self.clean = eicar, clean or StreamResult(False, "")
        self.stopped = False

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        return self.eicar if b"".join(chunks) == EICAR else self.clean

    def version(self) -> str:
        return "ClamAV 1.4.6/27123/Sun Nov 22 02:00:00 2026"

    def stop(self) -> None:
        self.stopped = True


class Source:
    def __init__(self, content: str = "a") -> None:
        self.content = content
        self.fetches = 0

    def fetch(self, directory: Path) -> Fetched:
        self.fetches += 1
        (directory / "daily.ndb").write_text(
            f"Daily.{self.content}:0:*:{self.content.encode().hex()}\n"
        )
        return Fetched("http://mirror.test", "fake")


NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def updater(
    store: MemoryDefinitionsStore,
    source: Source,
    engine: FakeEngine,
    clock: Clock,
    tmp_path: Path,
    ages: list[float],
) -> UpdateResult:
    def factory(db_dir: Path, work_dir: Path) -> ProofEngine:
        assert (db_dir / "daily.ndb").exists()
        return engine

    return DefinitionsUpdate(
        store, source, factory, clock, tmp_path / "work", timedelta(hours=24)
    ).run(ages.append)


def test_mp_av_04_updater_publishes_a_proven_set_with_its_manifest(tmp_path: Path) -> None:
    """MP-AV-04: fetched, EICAR proven, published under a sortable version with a manifest."""
    store, ages = MemoryDefinitionsStore(), list[float]()
    engine = FakeEngine(StreamResult(True, "Eicar-Signature"))
    result = updater(store, Source(), engine, Clock(NOW), tmp_path, ages)
    assert result == UpdateResult("published", "20261122T030000Z-daily27123", 0.0, ())
    manifest = store.newest()
    assert manifest is not None
    assert manifest.version == "20261122T030000Z-daily27123"
    assert manifest.published_at == "2026-11-22T03:00:00Z"
    assert manifest.eicar_detected_as == "Eicar-Signature"
    assert manifest.mirror == "http://mirror.test"
    assert manifest.engine.startswith("ClamAV 1.4.6/27123/")
    assert [f.name for f in manifest.files] == ["daily.ndb"]
    assert manifest.signatures == 1
    assert manifest.fetched_by == "fake"
    assert engine.stopped
    assert ages == [0.0]
    assert list((tmp_path / "work").iterdir()) == []  # the temporary set is gone


@pytest.mark.parametrize(
    "eicar",
    [StreamResult(False, ""), StreamResult(True, "Heuristics.Limits.Exceeded.MaxFileSize")],
)
def test_mp_av_04_eicar_proof_refuses_a_set_that_does_not_detect_eicar(
    tmp_path: Path, eicar: StreamResult
) -> None:
    """MP-AV-04: a set that does not report EICAR as infected is not published; the old stays."""
    store, ages = MemoryDefinitionsStore(), list[float]()
    old, directory = make_set(tmp_path, "20261120T030000Z")
    old = replace(old, published_at="2026-11-20T03:00:00Z")
    store.publish(old, directory)
    engine = FakeEngine(eicar)
    with pytest.raises(DefinitionsRejected, match=r"do not detect EICAR.*not published"):
        updater(store, Source(), engine, Clock(NOW), tmp_path, ages)
    assert store.newest() == old
    assert [m.version for m in store.manifests()] == ["20261120T030000Z"]
    assert engine.stopped
    assert ages == [48.0]  # the metric still reports the current set's age (→ the alarm)


def test_mp_av_04_eicar_proof_refuses_a_set_that_flags_a_clean_sample(tmp_path: Path) -> None:
    store, ages = MemoryDefinitionsStore(), list[float]()
    engine = FakeEngine(StreamResult(True, "Eicar-Signature"), StreamResult(True, "Over.Eager"))
    with pytest.raises(DefinitionsRejected, match=r"flag a clean sample as Over\.Eager"):
        updater(store, Source(), engine, Clock(NOW), tmp_path, ages)
    assert store.newest() is None
    assert ages == [NO_DEFINITIONS_AGE_HOURS]


def test_mp_av_04_a_young_set_is_only_reported(tmp_path: Path) -> None:
    store, ages = MemoryDefinitionsStore(), list[float]()
    source, clock = Source(), Clock(NOW)
    engine = FakeEngine(StreamResult(True, "Eicar-Signature"))
    updater(store, source, engine, clock, tmp_path, ages)
    clock.moment = NOW + timedelta(hours=23, minutes=30)
    result = updater(store, source, engine, clock, tmp_path, ages)
    assert result == UpdateResult("fresh", "20261122T030000Z-daily27123", 23.5, ())
    assert source.fetches == 1
    assert ages == [0.0, 23.5]


def test_mp_av_04_same_definitions_are_not_published_again(tmp_path: Path) -> None:
    """A mirror without news leaves the set's age growing, so the 26 h alarm can fire."""
    store, ages = MemoryDefinitionsStore(), list[float]()
    source, clock = Source(), Clock(NOW)
    engine = FakeEngine(StreamResult(True, "Eicar-Signature"))
    updater(store, source, engine, clock, tmp_path, ages)
    clock.moment = NOW + timedelta(hours=25)
    result = updater(store, source, engine, clock, tmp_path, ages)
    assert result.action == "unchanged"
    assert len(store.manifests()) == 1
    assert ages == [0.0, 25.0]


def test_mp_av_04_a_daily_run_publishes_and_prunes(tmp_path: Path) -> None:
    store, ages = MemoryDefinitionsStore(), list[float]()
    clock = Clock(NOW)
    engine = FakeEngine(StreamResult(True, "Eicar-Signature"))
    for day in range(5):
        clock.moment = NOW + timedelta(days=day)
        updater(store, Source(f"day{day}"), engine, clock, tmp_path, ages)
    assert [m.version for m in store.manifests()] == [
        "20261126T030000Z-daily27123",
        "20261125T030000Z-daily27123",
        "20261124T030000Z-daily27123",
    ]


def test_a_failed_fetch_publishes_nothing_and_still_reports_the_age(tmp_path: Path) -> None:
    class Broken:
        def fetch(self, directory: Path) -> Fetched:
            raise SourceError("freshclam failed fetching definitions from http://mirror.test")

    ages: list[float] = []
    store = MemoryDefinitionsStore()
    with pytest.raises(SourceError, match=r"http://mirror\.test"):
        DefinitionsUpdate(
            store,
            Broken(),
            lambda d, w: FakeEngine(StreamResult(True, "x")),
            Clock(NOW),
            tmp_path,
            timedelta(hours=24),
        ).run(ages.append)
    assert store.newest() is None
    assert ages == [NO_DEFINITIONS_AGE_HOURS]


def test_mp_av_04_age_metric_is_emitted_as_emf(capsys: pytest.CaptureFixture[str]) -> None:
    """MP-AV-04: `VirusDefinitionsAgeHours` in namespace ManabiPlus, dimension service."""
    emf_emitter("ManabiPlus")(27.5)
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    (directive,) = record["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "ManabiPlus"
    assert directive["Dimensions"] == [["service"]]
    assert [m["Name"] for m in directive["Metrics"]] == ["VirusDefinitionsAgeHours"]
    assert record["service"] == "manabi-scanner"
    assert record["VirusDefinitionsAgeHours"] == [27.5]


def test_versions_sort_by_time_and_carry_the_daily_number() -> None:
    moment = datetime(2026, 11, 22, 3, 4, 5, tzinfo=UTC)
    assert version_for(moment, "ClamAV 1.4.6/27123/Sun Nov 22") == "20261122T030405Z-daily27123"
    assert version_for(moment, "ClamAV 1.4.6") == "20261122T030405Z"
    assert version_for(moment, "x") < version_for(moment + timedelta(seconds=1), "x")


def test_generated_source_writes_the_test_database(tmp_path: Path) -> None:
    fetched = GeneratedSource().fetch(tmp_path)
    assert fetched.mirror.startswith("generated:")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["manabi.hdb", "manabi.ndb"]


def test_freshclam_configuration_points_at_the_private_mirror(tmp_path: Path) -> None:
    text = freshclam_config(tmp_path / "db", "http://127.0.0.1:8000/clamav/", 60)
    assert f"DatabaseDirectory {tmp_path / 'db'}" in text.splitlines()
    assert "PrivateMirror http://127.0.0.1:8000/clamav" in text.splitlines()
    assert "DNSDatabaseInfo no" in text.splitlines()
    official = freshclam_config(tmp_path, "https://database.clamav.net", 60).splitlines()
    assert "DatabaseMirror database.clamav.net" in official
    assert not any(line.startswith("PrivateMirror") for line in official)


@pytest.mark.parametrize(
    ("settings", "environ", "named"),
    [
        (config.ScannerConfig, {}, "TABLE_NAME"),
        (config.ScannerConfig, {"TABLE_NAME": "t", "MAX_SCAN_BYTES": "many"}, "MAX_SCAN_BYTES"),
        (config.UpdaterConfig, {}, "DEFINITIONS_BUCKET"),
        (config.ReconcilerConfig, {"DATA_BUCKET": "b"}, "SCAN_QUEUE_URL"),
        (config.GuardDutyVerdictConfig, {"TABLE_NAME": " "}, "TABLE_NAME"),
    ],
)
def test_a_missing_or_malformed_setting_stops_the_init_naming_the_variable(
    settings: type, environ: dict[str, str], named: str
) -> None:
    with pytest.raises(ConfigurationError, match=named):
        settings.from_environment(environ)
