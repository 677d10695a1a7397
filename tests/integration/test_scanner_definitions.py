"""MP-AV-04 on the emulator with real clamd (and real freshclam): publish, prove, load, refresh.

- The S3 definitions store passes the same contract as the in-memory fake.
- The updater proves each new set with a throwaway clamd (EICAR FOUND, clean sample OK) and
  refuses a set that does not detect EICAR.
- freshclam fetches from the configured mirror (a local HTTP server here); what it serves is not
  a signed ClamAV database, so the updater fails closed and publishes nothing.
- Scanners load the newest set, tag every verdict with its version, refresh to a newer set and
  keep the old engine when a refresh fails; without a set they use the built-in database.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from manabi_scanner import handler
from manabi_scanner.config import ScannerConfig
from manabi_scanner.definitions import DefinitionsStore, Manifest, S3DefinitionsStore, describe
from manabi_scanner.definitions_engine import DefinitionsEngine, StartClamd
from manabi_scanner.engine import (
    EICAR,
    TEST_MARKER,
    ClamdProcess,
    start_clamd,
    write_test_database,
)
from manabi_scanner.scan import Target
from manabi_scanner.sources import Fetched, FreshclamSource, GeneratedSource, SourceError
from manabi_scanner.updater import (
    DefinitionsRejected,
    DefinitionsUpdate,
    UpdateResult,
    clamd_proof_engine,
)
from manabi_scanner.wiring import build_definitions_engine, build_scanner
from tests.contract.definitions_store import DefinitionsStoreContract
from tests.support_events import lambda_context

pytestmark = pytest.mark.integration
SECOND_MARKER = b"MANABI-PLUS-SECOND-DEFINITIONS-SET-MARKER"
NOW = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)


def new_bucket(prefix: str) -> str:
    name = f"{prefix}-{uuid.uuid4().hex[:12]}"
    boto3.client("s3").create_bucket(
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "ap-northeast-1"}
    )
    return name


@pytest.fixture
def definitions(emulator: str) -> S3DefinitionsStore:
    return S3DefinitionsStore(boto3.client("s3"), new_bucket("defs"))


class TestS3DefinitionsStore(DefinitionsStoreContract):
    @pytest.fixture
    def store(self, definitions: S3DefinitionsStore) -> S3DefinitionsStore:
        return definitions

    def raw_put(self, store: DefinitionsStore, key: str, data: bytes) -> None:
        assert isinstance(store, S3DefinitionsStore)
        boto3.client("s3").put_object(Bucket=store.bucket, Key=key, Body=data)

    def raw_keys(self, store: DefinitionsStore) -> set[str]:
        assert isinstance(store, S3DefinitionsStore)
        listed = boto3.client("s3").list_objects_v2(Bucket=store.bucket)
        return {o["Key"] for o in listed.get("Contents", [])}


class SecondSet:
    """The test database plus a second marker: a newer set that scans differently."""

    def fetch(self, directory: Path) -> Fetched:
        write_test_database(directory)
        (directory / "second.ndb").write_text(f"Manabi.Test.Second:0:*:{SECOND_MARKER.hex()}\n")
        return Fetched("generated:second", "test")


class WithoutEicar:
    """A set that loads fine but does not detect EICAR."""

    def fetch(self, directory: Path) -> Fetched:
        (directory / "only.ndb").write_text(f"Manabi.Test.Marker:0:*:{TEST_MARKER.hex()}\n")
        return Fetched("generated:without-eicar", "test")


def publish(store: DefinitionsStore, source: Any, moment: datetime, tmp_path: Path) -> UpdateResult:
    ages: list[float] = []
    return DefinitionsUpdate(
        store, source, clamd_proof_engine, lambda: moment, tmp_path / "updater", timedelta(hours=24)
    ).run(ages.append)


def test_mp_av_04_updater_proves_eicar_with_clamd_and_publishes_to_s3(
    definitions: S3DefinitionsStore, tmp_path: Path
) -> None:
    """MP-AV-04: a real clamd on the new set reports EICAR; the set and its manifest go to S3."""
    result = publish(definitions, GeneratedSource(), NOW, tmp_path)
    assert result.action == "published"
    manifest = definitions.newest()
    assert manifest is not None
    assert manifest.version == result.version == "20261122T030000Z"
    assert manifest.eicar_detected_as.startswith("Manabi.Test.EICAR")
    assert manifest.engine.startswith("ClamAV ")
    assert manifest.signatures == 3
    keys = {
        o["Key"] for o in boto3.client("s3").list_objects_v2(Bucket=definitions.bucket)["Contents"]
    }
    assert keys == {
        "definitions/20261122T030000Z/manabi.hdb",
        "definitions/20261122T030000Z/manabi.ndb",
        "definitions/20261122T030000Z/manifest.json",
    }


def test_mp_av_04_eicar_proof_refuses_with_clamd_a_set_that_does_not_detect_eicar(
    definitions: S3DefinitionsStore, tmp_path: Path
) -> None:
    """MP-AV-04: clamd loads the set, answers OK for EICAR: refused, nothing is published."""
    with pytest.raises(DefinitionsRejected, match="do not detect EICAR"):
        publish(definitions, WithoutEicar(), NOW, tmp_path)
    assert definitions.newest() is None
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=definitions.bucket)


class _Mirror(BaseHTTPRequestHandler):
    requests: list[str]

    def do_GET(self) -> None:
        self.requests.append(self.path)
        body = b"this is not a signed ClamAV database" * 20
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_HEAD(self) -> None:
        self.requests.append(self.path)
        self.send_response(404)
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def mirror() -> Iterator[tuple[str, list[str]]]:
    requests: list[str] = []
    handler_class = type("Mirror", (_Mirror,), {"requests": requests})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", requests
    finally:
        server.shutdown()
        server.server_close()


def test_mp_av_04_freshclam_fetches_from_the_configured_mirror_and_the_updater_fails_closed(
    definitions: S3DefinitionsStore, tmp_path: Path, mirror: tuple[str, list[str]]
) -> None:
    """MP-AV-04: the real freshclam asks THAT mirror; an unsigned database publishes nothing."""
    url, requests = mirror
    with pytest.raises(SourceError) as raised:
        publish(definitions, FreshclamSource(url, timeout=60), NOW, tmp_path)
    message = str(raised.value)
    assert url in message
    assert "freshclam failed" in message
    assert "daily" in message  # freshclam's own last lines name what it tried
    assert any(path.endswith((".cvd", ".cdiff", ".cld")) for path in requests), requests
    assert definitions.newest() is None
    assert "Contents" not in boto3.client("s3").list_objects_v2(Bucket=definitions.bucket)


# -- scanners ---------------------------------------------------------------------------------


class NoSubmissions:
    def record(self, key: str, status: Any) -> bool:
        return True


def scanner_config(bucket: str, tmp_path: Path) -> ScannerConfig:
    builtin = tmp_path / "builtin"
    write_test_database(builtin)
    return ScannerConfig(
        table_name="",
        max_scan_bytes=1024 * 1024,
        db_dir=builtin,
        db_version="",
        work_dir=tmp_path / "clamd",
        definitions_bucket=bucket,
        definitions_dir=tmp_path / "clamav",
        refresh_minutes=60,
    )


def clamd_starter(config: ScannerConfig) -> StartClamd:
    def start(db_dir: Path, db_version: str) -> ClamdProcess:
        return start_clamd(config.work_dir, db_dir, db_version, config.max_scan_bytes)

    return start


def clocked_engine(
    definitions: S3DefinitionsStore,
    config: ScannerConfig,
    refresh_every: timedelta,
    clock: list[float],
) -> DefinitionsEngine:
    """A scanner engine on the published sets whose refresh interval follows `clock[0]`."""
    return DefinitionsEngine(
        definitions,
        config.definitions_dir,
        config.db_dir,
        "",
        clamd_starter(config),
        refresh_every,
        clock=lambda: clock[0],
    )


def tags_of(bucket: str, key: str) -> dict[str, str]:
    tag_set = boto3.client("s3").get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
    return {t["Key"]: t["Value"] for t in tag_set}


def scan(engine: DefinitionsEngine, bucket: str, key: str, body: bytes) -> dict[str, str]:
    s3 = boto3.client("s3")
    s3.put_object(Bucket=bucket, Key=key, Body=body)
    build_scanner(s3, engine, 1024 * 1024).scan(Target(bucket, key, None, None))
    return tags_of(bucket, key)


@pytest.fixture
def data_bucket(emulator: str) -> str:
    return new_bucket("data")


def test_mp_av_04_scanners_load_the_newest_set_and_verdicts_record_its_version(
    definitions: S3DefinitionsStore, data_bucket: str, tmp_path: Path
) -> None:
    """MP-AV-04: the scanner's clamd runs on the newest manifest's files; av-db-version = it."""
    publish(definitions, GeneratedSource(), NOW - timedelta(days=2), tmp_path)
    newest = publish(definitions, SecondSet(), NOW, tmp_path)
    engine = build_definitions_engine(
        boto3.client("s3"), scanner_config(definitions.bucket, tmp_path)
    )
    try:
        assert engine.db_version() == newest.version == "20261122T030000Z"
        assert engine.process is not None
        assert engine.process.db_dir == tmp_path / "clamav" / "20261122T030000Z"
        tags = scan(engine, data_bucket, "submissions/c/a/l/second", SECOND_MARKER)
        assert tags["av-status"] == "INFECTED"
        assert tags["av-signature"] == "Manabi.Test.Second.UNOFFICIAL"
        assert tags["av-db-version"] == "20261122T030000Z"
    finally:
        engine.stop()


def test_mp_av_04_a_warm_scanner_refreshes_to_a_newer_set_at_batch_start(
    definitions: S3DefinitionsStore, data_bucket: str, tmp_path: Path
) -> None:
    """MP-AV-04: a newer manifest is loaded at batch start (after the refresh interval) and the
    verdict tags carry the new version; the old set's clamd and files are gone."""
    first = publish(definitions, GeneratedSource(), NOW - timedelta(days=1), tmp_path)
    config = scanner_config(definitions.bucket, tmp_path)
    clock = [0.0]
    engine = clocked_engine(definitions, config, timedelta(minutes=60), clock)
    engine.start()
    handler.use_runtime(
        handler.Runtime(
            build_scanner(boto3.client("s3"), engine, config.max_scan_bytes),
            NoSubmissions(),
            engine.refresh_if_due,
        )
    )
    try:
        assert engine.db_version() == first.version
        assert scan(engine, data_bucket, "submissions/1", SECOND_MARKER)["av-status"] == "CLEAN"
        second = publish(definitions, SecondSet(), NOW, tmp_path)
        clock[0] = 59 * 60.0
        assert not engine.refresh_if_due()  # not due yet
        assert engine.db_version() == first.version
        old_process = engine.process
        assert old_process is not None
        clock[0] = 61 * 60.0
        s3 = boto3.client("s3")
        s3.put_object(Bucket=data_bucket, Key="submissions/2", Body=SECOND_MARKER)
        record = {
            "eventName": "ObjectCreated:Post",
            "s3": {"bucket": {"name": data_bucket}, "object": {"key": "submissions/2"}},
        }
        event = {"Records": [{"messageId": "m", "body": json.dumps({"Records": [record]})}]}
        assert handler.lambda_handler(event, lambda_context()) == {"batchItemFailures": []}
        tags = tags_of(data_bucket, "submissions/2")
        assert (tags["av-status"], tags["av-db-version"]) == ("INFECTED", second.version)
        assert engine.db_version() == second.version
        assert old_process.process.poll() is not None  # the old clamd was stopped
        assert not (tmp_path / "clamav" / str(first.version)).exists()
    finally:
        handler._runtime = None
        engine.stop()


def test_mp_av_04_a_failed_refresh_keeps_the_old_engine(
    definitions: S3DefinitionsStore, data_bucket: str, tmp_path: Path
) -> None:
    """A newer set whose file does not match its manifest is not used; scanning goes on."""
    first = publish(definitions, GeneratedSource(), NOW - timedelta(days=1), tmp_path)
    second = publish(definitions, SecondSet(), NOW, tmp_path)
    config = scanner_config(definitions.bucket, tmp_path)
    s3 = boto3.client("s3")
    s3.delete_object(Bucket=definitions.bucket, Key=f"definitions/{second.version}/manifest.json")
    clock = [0.0]
    engine = clocked_engine(definitions, config, timedelta(minutes=1), clock)
    engine.start()
    try:
        assert engine.db_version() == first.version  # the incomplete newer set is ignored
        manifest = definitions.manifests()[0]
        # the manifest comes back, but one of the files was tampered with
        s3.put_object(
            Bucket=definitions.bucket,
            Key=f"definitions/{second.version}/manifest.json",
            Body=json.dumps(
                {
                    **json.loads(manifest.to_json()),
                    "version": second.version,
                    "files": [
                        {"name": "second.ndb", "sha256": "0" * 64, "bytes": 10},
                    ],
                }
            ),
        )
        clock[0] = 120.0
        assert not engine.refresh_if_due()
        assert engine.db_version() == first.version
        tags = scan(engine, data_bucket, "submissions/eicar", EICAR)
        assert (tags["av-status"], tags["av-db-version"]) == ("INFECTED", first.version)
        assert not (tmp_path / "clamav" / str(second.version)).exists()
    finally:
        engine.stop()


@pytest.mark.parametrize("bucket", ["", "empty"])
def test_mp_av_04_without_published_definitions_the_built_in_database_is_used(
    bucket: str, data_bucket: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """No bucket, or no set in it: clamd runs on CLAMAV_DB_DIR, version = clamd's VERSION."""
    name = new_bucket("defs") if bucket else ""
    engine = build_definitions_engine(boto3.client("s3"), scanner_config(name, tmp_path))
    try:
        assert engine.db_version().startswith("ClamAV ")
        assert engine.manifest is None
        assert "built-in database" in caplog.text
        tags = scan(engine, data_bucket, "submissions/eicar", EICAR)
        assert tags["av-status"] == "INFECTED"
        assert tags["av-db-version"].startswith("ClamAV ")
    finally:
        engine.stop()


def test_a_set_clamd_cannot_load_keeps_the_old_engine(
    definitions: S3DefinitionsStore, data_bucket: str, tmp_path: Path
) -> None:
    """A published set whose database clamd refuses: the old clamd is started again."""
    first = publish(definitions, GeneratedSource(), NOW - timedelta(days=1), tmp_path)
    config = scanner_config(definitions.bucket, tmp_path)
    clock = [0.0]
    engine = clocked_engine(definitions, config, timedelta(minutes=1), clock)
    engine.start()
    try:
        broken = tmp_path / "broken"
        broken.mkdir()
        (broken / "broken.ndb").write_text("this is not a signature line\n")
        manifest = Manifest(
            "20261123T000000Z", "2026-11-23T00:00:00Z", "hand-made", describe(broken), "", "test"
        )
        definitions.publish(manifest, broken)  # bypassing the updater's proof
        clock[0] = 120.0
        assert not engine.refresh_if_due()
        assert engine.db_version() == first.version
        old_process = engine.process
        clock[0] = 240.0
        assert not engine.refresh_if_due()  # the refused set is not tried again
        assert engine.process is old_process
        tags = scan(engine, data_bucket, "submissions/after-broken", EICAR)
        assert (tags["av-status"], tags["av-db-version"]) == ("INFECTED", first.version)
    finally:
        engine.stop()


def test_a_dead_clamd_is_started_again_at_batch_start(
    definitions: S3DefinitionsStore, data_bucket: str, tmp_path: Path
) -> None:
    first = publish(definitions, GeneratedSource(), NOW, tmp_path)
    engine = build_definitions_engine(
        boto3.client("s3"), scanner_config(definitions.bucket, tmp_path)
    )
    try:
        assert engine.process is not None
        engine.process.process.kill()
        engine.process.process.wait()
        assert engine.refresh_if_due()
        tags = scan(engine, data_bucket, "submissions/after-restart", EICAR)
        assert (tags["av-status"], tags["av-db-version"]) == ("INFECTED", first.version)
    finally:
        engine.stop()


def test_mp_av_04_scanner_handler_wiring_loads_the_newest_set_from_the_environment(
    definitions: S3DefinitionsStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The Lambda's `_build`: DEFINITIONS_BUCKET set → clamd on the newest published set."""
    newest = publish(definitions, GeneratedSource(), NOW, tmp_path)
    write_test_database(tmp_path / "builtin")
    environment = {
        "TABLE_NAME": "unused",
        "CLAMAV_DB_DIR": str(tmp_path / "builtin"),
        "SCANNER_WORK_DIR": str(tmp_path / "clamd"),
        "DEFINITIONS_DIR": str(tmp_path / "clamav"),
        "DEFINITIONS_BUCKET": definitions.bucket,
        "DEFINITIONS_REFRESH_MINUTES": "5",
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    runtime = handler._build()
    engine = getattr(runtime.refresh, "__self__", None)
    assert isinstance(engine, DefinitionsEngine)
    try:
        assert engine.db_version() == newest.version
        assert (tmp_path / "clamav" / str(newest.version) / "manabi.ndb").exists()
    finally:
        engine.stop()


def test_mp_av_04_updater_handler_emits_the_age_metric_and_fails_closed(
    definitions: S3DefinitionsStore,
    tmp_path: Path,
    mirror: tuple[str, list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MP-AV-04: the Lambda handler fetches from CLAMAV_MIRROR_URL; on failure the old set stays
    and `VirusDefinitionsAgeHours` still reports its age (EMF, namespace ManabiPlus)."""
    from manabi_scanner import updater

    url, requests = mirror
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    published = publish(definitions, GeneratedSource(), two_days_ago, tmp_path)
    monkeypatch.setenv("DEFINITIONS_BUCKET", definitions.bucket)
    monkeypatch.setenv("CLAMAV_MIRROR_URL", url)
    monkeypatch.setenv("UPDATER_WORK_DIR", str(tmp_path / "work"))
    monkeypatch.setenv("POWERTOOLS_METRICS_NAMESPACE", "ManabiPlus")
    capsys.readouterr()
    with pytest.raises(SourceError, match="freshclam failed"):
        updater.lambda_handler({}, lambda_context())
    assert requests
    newest = definitions.newest()
    assert newest is not None
    assert newest.version == published.version
    record = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert record["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "ManabiPlus"
    assert record["service"] == "manabi-scanner"
    (age,) = record["VirusDefinitionsAgeHours"]
    assert 47.9 < age < 48.1
