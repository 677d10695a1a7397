"""The virus-definitions updater (MP-AV-04), `manabi_scanner.updater.lambda_handler`.

Runs hourly. While the newest published set is younger than DEFINITIONS_UPDATE_AFTER_HOURS it
only reports that set's age. Otherwise it fetches a new set into a fresh directory (freshclam
from the configured mirror), PROVES it — a throwaway clamd on that directory must report EICAR
as infected and pass a clean sample — and only then publishes it under `definitions/<version>/`
with its manifest (written last) and prunes old sets. A set that fails the proof is refused
with a clear error; the current set stays. Every run ends by emitting the age of the newest
published set as the metric `VirusDefinitionsAgeHours` (CloudWatch EMF; the alarm fires past
26 h), also when the run failed.

The core (`DefinitionsUpdate`) takes its ports — store, source, engine factory, clock, metric
emitter — so it runs in unit tests; the handler only wires environment and boto3.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from manabi_contract.names import DEFINITIONS_AGE_METRIC, SCANNER_SERVICE, UPDATER_SERVICE
from manabi_contract.observability import function_logger, function_tracer
from manabi_contract.verdicts import AvStatus
from manabi_scanner.clamd import ClamdError, StreamResult
from manabi_scanner.config import UpdaterConfig
from manabi_scanner.definitions import (
    DefinitionsError,
    DefinitionsStore,
    Manifest,
    database_files,
    describe,
)
from manabi_scanner.engine import EICAR, start_clamd
from manabi_scanner.sources import DefinitionsSource
from manabi_scanner.verdict import classify

_log = logging.getLogger(__name__)
logger = function_logger(UPDATER_SERVICE)
tracer = function_tracer(UPDATER_SERVICE, patch=("botocore",))  # the definitions bucket's I/O
CLEAN_SAMPLE = b"Manabi Plus virus definitions proof: a clean sample, nothing to find here.\n"
NO_DEFINITIONS_AGE_HOURS = 1_000_000.0  # what the metric says when no set is published
KEEP_SETS = 3
PROOF_MAX_BYTES = 1024 * 1024
PROOF_START_TIMEOUT = 600.0  # clamd loads the full official set in well under this


class DefinitionsRejected(DefinitionsError):
    """The new set failed its proof (EICAR not detected, clean sample flagged, clamd refused it)."""


class ProofEngine(Protocol):
    def scan(self, chunks: Iterable[bytes]) -> StreamResult: ...

    def version(self) -> str: ...

    def stop(self) -> None: ...


# (database directory, work directory) → a running engine on that database
EngineFactory = Callable[[Path, Path], ProofEngine]


class _ClamdProof:
    def __init__(self, db_dir: Path, work_dir: Path) -> None:
        self._process = start_clamd(work_dir, db_dir, "", PROOF_MAX_BYTES, PROOF_START_TIMEOUT)

    def scan(self, chunks: Iterable[bytes]) -> StreamResult:
        return self._process.client.instream(chunks)

    def version(self) -> str:
        return self._process.client.version()

    def stop(self) -> None:
        self._process.stop()


def clamd_proof_engine(db_dir: Path, work_dir: Path) -> ProofEngine:
    """A throwaway clamd on `db_dir` (its own socket and config in `work_dir`)."""
    return _ClamdProof(db_dir, work_dir)


class Proof(NamedTuple):
    eicar_signature: str
    engine: str  # clamd's VERSION answer: `ClamAV 1.4.6/27000/…` with an official set


def prove(db_dir: Path, work_dir: Path, engine_factory: EngineFactory) -> Proof:
    """EICAR is INFECTED and a clean sample CLEAN with the set in `db_dir`, or it is refused"""
    try:
        engine = engine_factory(db_dir, work_dir)
    except Exception as error:
        raise DefinitionsRejected(
            f"clamd could not load the new definitions: {error}; not published, the current "
            "set stays"
        ) from error
    try:
        eicar = engine.scan([EICAR])
        clean = engine.scan([CLEAN_SAMPLE])
        version = engine.version()
    except ClamdError as error:
        raise DefinitionsRejected(
            f"clamd failed on the new definitions: {error}; not published, the current set stays"
        ) from error
    finally:
        engine.stop()
    if classify(eicar.found, eicar.signature) is not AvStatus.INFECTED:
        answer = f"{eicar.signature} FOUND" if eicar.found else "OK"
        raise DefinitionsRejected(
            f"the new definitions do not detect EICAR (clamd answered {answer!r}); "
            "not published, the current set stays"
        )
    if clean.found:
        raise DefinitionsRejected(
            f"the new definitions flag a clean sample as {clean.signature}; not published, the "
            "current set stays"
        )
    return Proof(eicar.signature, version)


def version_for(published: datetime, engine: str) -> str:
    """`20261122T030000Z-daily27000`: sortable by time; the daily number when clamd tells it."""
    stamp = published.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    parts = engine.split("/")
    if len(parts) >= 2 and parts[1].strip().isdigit():
        return f"{stamp}-daily{parts[1].strip()}"
    return stamp


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def age_hours(manifest: Manifest | None, now: datetime) -> float:
    if manifest is None:
        return NO_DEFINITIONS_AGE_HOURS
    published = datetime.fromisoformat(manifest.published_at)
    return max((now - published).total_seconds() / 3600, 0.0)


def count_signatures(directory: Path) -> int | None:
    """Signatures of the set: `sigtool --info` of each .cvd/.cld, lines of the text databases."""
    total = 0
    sigtool = shutil.which("sigtool")
    for path in database_files(directory):
        if path.suffix in {".cvd", ".cld", ".cud"}:
            if sigtool is None:
                return None
            try:
                info = subprocess.run(  # noqa: S603 - a fixed binary on our own file
                    [sigtool, f"--info={path}"],
                    capture_output=True,
                    text=True,
                    timeout=120,
                    check=False,
                ).stdout
            except (OSError, subprocess.TimeoutExpired):
                return None
            counts = [line.split(":", 1)[1] for line in info.splitlines() if "Signatures:" in line]
            if not counts or not counts[0].strip().isdigit():
                return None
            total += int(counts[0].strip())
        elif path.suffix != ".info":
            with path.open("rb") as stream:
                total += sum(1 for line in stream if line.strip() and not line.startswith(b"#"))
    return total


class UpdateResult(NamedTuple):
    action: str  # "fresh" (young enough), "unchanged" (the mirror had nothing new), "published"
    version: str | None  # the newest published set after the run
    age_hours: float
    pruned: tuple[str, ...] = ()


class DefinitionsUpdate(NamedTuple):
    """One run of the updater: fetch a new set when the newest published one is older than
    `update_after`, prove it on EICAR and a clean sample, publish it, keep the newest `keep`."""

    store: DefinitionsStore
    source: DefinitionsSource
    engine_factory: EngineFactory
    now: Callable[[], datetime]
    work_dir: Path
    update_after: timedelta
    keep: int = KEEP_SETS

    def update(self) -> UpdateResult:
        newest = self.store.newest()
        started = self.now()
        if (
            newest is not None
            and age_hours(newest, started) < self.update_after.total_seconds() / 3600
        ):
            _log.info("definitions %s are young enough", newest.version)
            return UpdateResult("fresh", newest.version, age_hours(newest, started))
        self.work_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=self.work_dir, prefix="definitions-") as temporary:
            db_dir = Path(temporary) / "db"
            db_dir.mkdir()
            fetched = self.source.fetch(db_dir)
            files = describe(db_dir)
            if not files:
                raise DefinitionsRejected(f"{fetched.mirror} delivered no database files")
            if newest is not None and set(files) == set(newest.files):
                _log.warning("%s serves the same definitions as %s", fetched.mirror, newest.version)
                return UpdateResult("unchanged", newest.version, age_hours(newest, self.now()))
            # the system's temporary directory: a unix socket path has at most 107 bytes
            with tempfile.TemporaryDirectory(prefix="clamd-proof-") as clamd_dir:
                proof = prove(db_dir, Path(clamd_dir), self.engine_factory)
            published = self.now()
            manifest = Manifest(
                version=version_for(published, proof.engine),
                published_at=iso_utc(published),
                engine=proof.engine,
                files=files,
                eicar_detected_as=proof.eicar_signature,
                mirror=fetched.mirror,
                signatures=count_signatures(db_dir),
                fetched_by=fetched.tool,
            )
            self.store.publish(manifest, db_dir)
        pruned = self.store.prune(self.keep)
        return UpdateResult(
            "published", manifest.version, age_hours(manifest, self.now()), tuple(pruned)
        )

    def run(self, emit_age: Callable[[float], None]) -> UpdateResult:
        """`update`, then the age of the newest published set — also after a failure (then the
        bucket is listed once more: the run may have failed before it knew the set)."""
        try:
            result = self.update()
        except BaseException:
            try:
                newest = self.store.newest()
            except Exception:
                _log.exception("the definitions bucket could not be listed")
                newest = None
            emit_age(age_hours(newest, self.now()))
            raise
        emit_age(result.age_hours)
        return result


def emf_emitter(namespace: str) -> Callable[[float], None]:
    """`VirusDefinitionsAgeHours` as one CloudWatch EMF record on stdout (dimension `service`)."""

    def emit(hours: float) -> None:
        from aws_lambda_powertools.metrics import MetricUnit, single_metric

        with single_metric(
            name=DEFINITIONS_AGE_METRIC,
            unit=MetricUnit.NoUnit,  # CloudWatch has no unit for hours
            value=hours,
            namespace=namespace,
            default_dimensions={"service": SCANNER_SERVICE},
        ):
            pass

    return emit


@logger.inject_lambda_context
@tracer.capture_lambda_handler
def lambda_handler(event: dict[str, Any], context: object) -> dict[str, Any]:
    """Hourly. `{"force": true}` fetches regardless of the newest set's age."""
    import boto3

    from manabi_scanner.definitions import S3DefinitionsStore
    from manabi_scanner.sources import FreshclamSource

    config = UpdaterConfig.from_environment()
    update_after = timedelta(hours=0 if event.get("force") else config.update_after_hours)
    result = DefinitionsUpdate(
        S3DefinitionsStore(boto3.client("s3"), config.definitions_bucket),
        FreshclamSource(config.mirror_url),
        clamd_proof_engine,
        lambda: datetime.now(UTC),
        config.work_dir,
        update_after,
    ).run(emf_emitter(config.metrics_namespace))
    return dict(result._asdict())
