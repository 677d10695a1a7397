"""The DR drill (MP-AVL-01, MP-RST-01): docs/dr-runbook.md end to end on one machine.

Against the embedded emulator (moto, in-process): seed learners, a course, lessons, progress,
submissions (clean and infected) and grades THROUGH THE API; run the daily backups
(`manabi_ops.backups`); destroy the table and every version of every data object; restore with
the restore code the CLI runs (`manabi_ops.restores`) into a new table; switch the API to it; then
prove through the API that every record reads back exactly, the clean files download
byte-identical and the infected one is still refused. Prints the measured times.

    make dr-drill            (python -m tests.integration.dr_drill [--learners N])
    python -m tests.integration.dr_drill --region ap-northeast-3

`--region ap-northeast-3` is the Tokyo-lost case (docs/dr-runbook.md §5): the backup bucket's
objects reach the Osaka DR bucket as S3 replication would copy them (moto does not replicate:
the drill copies every object with its tags), then Tokyo's table, data objects AND backup copies
are destroyed, and the restore reads only the Osaka DR bucket into the Osaka workload's new
table and data bucket (`…-osaka`), which the API then serves from.

What moto cannot run (PITR time semantics, Object Lock enforcement, replication to Osaka, the
schedules) is proven on the synthesized templates (tests/infra/test_infra_backup.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # run as a script by `make dr-drill`
    sys.path.insert(0, str(ROOT))

from tests.support_events import TEACHER, rest_event  # noqa: E402

REGION = "ap-northeast-1"
OSAKA = "ap-northeast-3"
TABLE = "drill-manabiplus-table"
DATA_BUCKET = "drill-manabiplus-data"
BACKUP_BUCKET = "drill-manabiplus-backup"
# The Osaka side: the DR bucket the backups replicate into, the Osaka workload's data bucket.
DR_BUCKET = "drill-dr-manabiplus-backup"
OSAKA_DATA_BUCKET = "drill-manabiplus-data-osaka"
EICAR = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@dataclass
class DrillResult:
    learners: int
    items: int
    objects: int
    backup_seconds: float
    restore_seconds: float
    restored_table: str
    differences: list[str] = field(default_factory=list)
    summaries: list[str] = field(default_factory=list)
    region: str = REGION
    replication_seconds: float | None = None

    @property
    def ok(self) -> bool:
        return not self.differences

    def report(self) -> str:
        lines = [
            f"DR drill ({self.region}): {self.learners} learners, {self.items} table items, "
            f"{self.objects} data objects",
            *(f"  {s}" for s in self.summaries),
            f"  backup (export + data copy): {self.backup_seconds:.2f} s",
            *(
                [f"  replication to the Osaka DR bucket (emulated): {replicated:.2f} s"]
                if (replicated := self.replication_seconds) is not None
                else []
            ),
            f"  RTO of the drill (restore table + data + switch): {self.restore_seconds:.2f} s",
            "  RPO of the drill: 0 (destroyed right after the backup); in the cloud: the daily "
            "backup's age (<= 24 h) from the exports, PITR: ~5 min within 35 days",
        ]
        if self.differences:
            lines.append(f"  FAILED: {len(self.differences)} differences")
            lines.extend(f"    {d}" for d in self.differences[:20])
        else:
            lines.append("  every seeded record and file is back exactly: OK")
        return "\n".join(lines)


@contextmanager
def _emulated() -> Iterator[None]:
    from moto import mock_aws

    saved = dict(os.environ)
    os.environ.update(
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="drill",
        AWS_SECRET_ACCESS_KEY="drill",
    )
    for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE"):
        os.environ.pop(name, None)
    try:
        with mock_aws():
            yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _provision(dynamodb: Any, s3: Any) -> None:
    """What the template provisions for the drill: the table with PITR, the versioned buckets
    (the backup bucket with Object Lock, as in the cloud)."""
    dynamodb.create_table(
        TableName=TABLE,
        KeySchema=[
            {"AttributeName": "PK", "KeyType": "HASH"},
            {"AttributeName": "SK", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "PK", "AttributeType": "S"},
            {"AttributeName": "SK", "AttributeType": "S"},
        ],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    dynamodb.update_continuous_backups(
        TableName=TABLE,
        PointInTimeRecoverySpecification={"PointInTimeRecoveryEnabled": True},
    )
    location = {"CreateBucketConfiguration": {"LocationConstraint": REGION}}
    s3.create_bucket(Bucket=DATA_BUCKET, **location)
    s3.put_bucket_versioning(Bucket=DATA_BUCKET, VersioningConfiguration={"Status": "Enabled"})
    s3.create_bucket(Bucket=BACKUP_BUCKET, ObjectLockEnabledForBucket=True, **location)


class Api:
    """The real API (routes, domain, DynamoDB and S3 adapters) on one table."""

    def __init__(self, table: str, region: str = REGION, data_bucket: str = DATA_BUCKET) -> None:
        import boto3

        from manabi_api.adapters.dynamodb import DynamoDbLearningStore
        from manabi_api.adapters.s3_files import S3FileStore
        from manabi_api.api.application import create_api
        from tests.fakes.services import fake_services

        self.data_bucket = data_bucket
        self.dynamodb: Any = boto3.client("dynamodb", region_name=region)
        self.s3: Any = boto3.client("s3", region_name=region)
        store = DynamoDbLearningStore(self.dynamodb, table)
        files = S3FileStore(lambda: self.s3, data_bucket)
        self._api = create_api(fake_services(store, files=files), None)

    def call(self, method: str, path: str, claims: Any, body: Any = None) -> tuple[int, Any]:
        answer = self._api.resolve(rest_event(method, path, claims=claims, body=body), None)
        text = answer.get("body") or "null"
        return int(answer["statusCode"]), json.loads(text)

    def ok(self, method: str, path: str, claims: Any, body: Any = None) -> Any:
        status, found = self.call(method, path, claims, body)
        if status >= 300:
            raise AssertionError(f"{method} {path}: {status} {found}")
        return found


def _learner(n: int) -> dict[str, str]:
    return {"sub": f"learner-{n}", "email": f"l{n}@example.com", "cognito:groups": "learners"}


def _seed(api: Api, learners: int) -> dict[str, Any]:
    from manabi_contract.storage import submission_object_key
    from manabi_contract.verdicts import TAG_STATUS, AvStatus
    from manabi_scanner.submissions import DynamoDbSubmissionVerdicts

    verdicts = DynamoDbSubmissionVerdicts(api.dynamodb, TABLE)
    course = api.ok("POST", "/courses", TEACHER, {"title": "DR 訓練コース"})["courseId"]
    lessons = [
        api.ok(
            "POST", f"/courses/{course}/lessons", TEACHER, {"title": f"第{i}回", "body": "本文"}
        )["lessonId"]
        for i in range(1, 4)
    ]
    due = {"title": "レポート", "instructions": "PDF で提出", "dueAt": "2999-01-01T00:00:00Z"}
    assignment = api.ok("POST", f"/courses/{course}/assignments", TEACHER, due)["assignmentId"]
    api.ok("POST", f"/courses/{course}/publish", TEACHER, {"version": 1})
    files: dict[str, bytes] = {}
    for n in range(learners):
        who = _learner(n)
        api.ok("POST", f"/courses/{course}/enrolment", who)
        for lesson in lessons[: 1 + n % len(lessons)]:
            api.ok("PUT", f"/courses/{course}/lessons/{lesson}/completion", who)
        infected = n == 0
        body = EICAR if infected else f"learner {n} のレポート\n".encode() * (1 + n)
        upload = f"U{n}"
        key = submission_object_key(course, assignment, who["sub"], upload)
        api.s3.put_object(Bucket=DATA_BUCKET, Key=key, Body=body, ContentType="text/plain")
        meta = {"fileName": f"r{n}.txt", "contentType": "text/plain", "sizeBytes": len(body)}
        api.ok(
            "PUT",
            f"/courses/{course}/assignments/{assignment}/submission",
            who,
            {**meta, "uploadId": upload},
        )
        verdict = AvStatus.INFECTED if infected else AvStatus.CLEAN
        # as the scanner records a verdict: the tag on the version, then the record
        version = api.s3.head_object(Bucket=DATA_BUCKET, Key=key)["VersionId"]
        tags = [{"Key": TAG_STATUS, "Value": verdict.value}]
        api.s3.put_object_tagging(
            Bucket=DATA_BUCKET, Key=key, VersionId=version, Tagging={"TagSet": tags}
        )
        assert verdicts.record(key, verdict)
        if not infected:
            grade = {"grade": 60 + n % 40, "feedback": "よくできました", "version": 2}
            path = f"/courses/{course}/assignments/{assignment}/submissions/{who['sub']}/grade"
            api.ok("PUT", path, TEACHER, grade)
            files[who["sub"]] = body
    return {
        "course": course,
        "lessons": lessons,
        "assignment": assignment,
        "learners": learners,
        "files": files,
    }


def _observe(api: Api, seeded: dict[str, Any]) -> dict[str, Any]:
    """Everything the seeded users read through the API (download links reduced to the bytes)."""
    course, assignment = seeded["course"], seeded["assignment"]
    seen: dict[str, Any] = {
        "course": api.call("GET", f"/courses/{course}", TEACHER),
        "lessons": api.call("GET", f"/courses/{course}/lessons", TEACHER),
        "enrolments": api.call("GET", f"/courses/{course}/enrolments", TEACHER),
        "submissions": api.call(
            "GET", f"/courses/{course}/assignments/{assignment}/submissions", TEACHER
        ),
    }
    for n in range(seeded["learners"]):
        who = _learner(n)
        learner = who["sub"]
        seen[f"{learner}/progress"] = api.call("GET", f"/courses/{course}/progress", who)
        seen[f"{learner}/enrolments"] = api.call("GET", "/me/enrolments", who)
        seen[f"{learner}/submission"] = api.call(
            "GET", f"/courses/{course}/assignments/{assignment}/submission", who
        )
        status, link = api.call(
            "GET",
            f"/courses/{course}/assignments/{assignment}/submissions/{learner}/download",
            TEACHER,
        )
        seen[f"{learner}/download"] = (
            (status, _download(api, link["url"])) if status == 200 else (status, link)
        )
    return seen


def _download(api: Api, url: str) -> bytes:
    """The bytes a presigned GET returns (moto in-process serves boto3, not HTTP)."""
    parsed = urlparse(url)
    key = unquote(parsed.path.lstrip("/").removeprefix(f"{api.data_bucket}/"))
    version = parse_qs(parsed.query).get("versionId", [None])[0]
    extra = {} if version is None else {"VersionId": version}
    body: bytes = api.s3.get_object(Bucket=api.data_bucket, Key=key, **extra)["Body"].read()
    return body


def _unescape_export_for_moto(api: Api, prefix: str, bucket: str = BACKUP_BUCKET) -> int:
    """Emulator workaround, not part of the restore: moto 5.2.5 writes its export with JSON
    `\\uXXXX` escapes for non-ASCII text but its ImportTable parser (py_partiql_parser) does not
    decode them, so 'コース' would come back as the 12 characters of its escapes. The drill
    rewrites the export's data files with literal UTF-8 (the same JSON values) before the
    import; AWS's ImportTable reads standard JSON. Returns the files rewritten."""
    import gzip

    rewritten = 0
    listing = api.s3.list_objects_v2(Bucket=bucket, Prefix=prefix)
    for found in listing.get("Contents", []):
        key = found["Key"]
        text = gzip.decompress(api.s3.get_object(Bucket=bucket, Key=key)["Body"].read())
        lines = [json.loads(line) for line in text.decode().splitlines() if line.strip()]
        body = "".join(json.dumps(v, ensure_ascii=False) + "\n" for v in lines).encode()
        api.s3.put_object(Bucket=bucket, Key=key, Body=gzip.compress(body))
        rewritten += 1
    return rewritten


def _destroy(api: Api, buckets: tuple[str, ...] = (DATA_BUCKET,)) -> None:
    """Tokyo's table and every version of every object of `buckets` are gone."""
    api.dynamodb.delete_table(TableName=TABLE)
    for bucket in buckets:
        listing = api.s3.list_object_versions(Bucket=bucket)
        for v in [*listing.get("Versions", []), *listing.get("DeleteMarkers", [])]:
            api.s3.delete_object(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"])


def _provision_osaka() -> Any:
    """What exists in Osaka before the disaster: the DR bucket (Object Lock, the replication
    destination); what the Osaka workload deploy creates: its versioned data bucket."""
    import boto3

    s3 = boto3.client("s3", region_name=OSAKA)
    location = {"CreateBucketConfiguration": {"LocationConstraint": OSAKA}}
    s3.create_bucket(Bucket=DR_BUCKET, ObjectLockEnabledForBucket=True, **location)
    s3.create_bucket(Bucket=OSAKA_DATA_BUCKET, **location)
    s3.put_bucket_versioning(
        Bucket=OSAKA_DATA_BUCKET, VersioningConfiguration={"Status": "Enabled"}
    )
    return s3


def _replicate(s3: Any) -> int:
    """Emulator stand-in for S3 replication (production's rule, constructs/storage.py): every
    object of the backup bucket into the Osaka DR bucket with its tags. Returns the objects."""
    copied = 0
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=BACKUP_BUCKET):
        for found in page.get("Contents", []):
            s3.copy_object(
                CopySource={"Bucket": BACKUP_BUCKET, "Key": found["Key"]},
                Bucket=DR_BUCKET,
                Key=found["Key"],
                TaggingDirective="COPY",
            )
            copied += 1
    return copied


def _compare(before: dict[str, Any], after: dict[str, Any], seeded: dict[str, Any]) -> list[str]:
    differences = [
        f"{name}: before {before[name]!r:.200} after {after.get(name)!r:.200}"
        for name in before
        if before[name] != after.get(name)
    ]
    for learner, body in seeded["files"].items():
        status, found = after[f"{learner}/download"]
        if status != 200 or found != body:
            differences.append(f"{learner}: the clean file does not download byte-identical")
    status, _ = after["learner-0/download"]
    if status == 200:
        differences.append("learner-0: the INFECTED file downloads after the restore")
    return differences


def run_drill(learners: int = 6, *, tamper: bool = False, region: str = REGION) -> DrillResult:
    """The drill; `tamper` deletes one restored item before the comparison (the drill must
    then fail); `region` OSAKA restores from the Osaka DR bucket into Osaka (Tokyo lost)."""
    from manabi_ops import backups, restores
    from manabi_ops.adapters import AwsObjects, AwsTables
    from manabi_ops.progress import Silent

    with _emulated():
        api = Api(TABLE)
        _provision(api.dynamodb, api.s3)
        seeded = _seed(api, learners)
        before = _observe(api, seeded)
        items = api.dynamodb.scan(TableName=TABLE, Select="COUNT")["Count"]
        objects = AwsObjects(REGION)
        tables = AwsTables(REGION, poll_seconds=0.05, timeout_seconds=60)
        today = dt.datetime.now(dt.UTC).date()

        started = time.perf_counter()
        export = backups.export_table(tables, TABLE, BACKUP_BUCKET, today)
        data = backups.backup_data(objects, DATA_BUCKET, BACKUP_BUCKET, today, Silent())
        backup_seconds = time.perf_counter() - started

        replication_seconds = None
        backup_bucket, data_bucket, restored = BACKUP_BUCKET, DATA_BUCKET, TABLE
        if region == OSAKA:
            osaka_s3 = _provision_osaka()
            started = time.perf_counter()
            _replicate(osaka_s3)
            replication_seconds = time.perf_counter() - started
            # Tokyo is lost: its table, its data and its backup copies are out of reach.
            _destroy(api, (DATA_BUCKET, BACKUP_BUCKET))
            objects = AwsObjects(OSAKA)
            tables = AwsTables(OSAKA, poll_seconds=0.05, timeout_seconds=60)
            backup_bucket, data_bucket, restored = DR_BUCKET, OSAKA_DATA_BUCKET, f"{TABLE}-osaka"
        else:
            _destroy(api)

        started = time.perf_counter()
        restored = f"{restored}-restored-{export.date}"
        osaka_or_tokyo = Api(TABLE, region, data_bucket)
        _unescape_export_for_moto(
            osaka_or_tokyo,
            restores.export_data_prefix(objects, backup_bucket, TABLE, export.date),
            backup_bucket,
        )
        table = restores.restore_table_from_export(
            tables, objects, backup_bucket, TABLE, export.date, restored, {"drill": "yes"}
        )
        files = restores.restore_data(objects, backup_bucket, data_bucket, export.date, Silent())
        restores.repoint_versions(tables, restored, files)
        # the switch: every function now gets the restored table's name (and, in Osaka, the
        # Osaka workload's data bucket)
        api = Api(restored, region, data_bucket)
        restore_seconds = time.perf_counter() - started

        if tamper:
            first = api.dynamodb.scan(TableName=restored, Limit=1)["Items"][0]
            key = {"PK": first["PK"], "SK": first["SK"]}
            api.dynamodb.delete_item(TableName=restored, Key=key)
        after = _observe(api, seeded)
        differences = _compare(before, after, seeded)
        if not table.verified:
            differences.append(f"item count: {table.restored} restored, {table.expected} exported")
        if files.mismatched:
            differences.append(f"tags differ on {files.mismatched}")
        return DrillResult(
            learners,
            items,
            data.objects,
            backup_seconds,
            restore_seconds,
            restored,
            differences,
            [f"table export: {export.status}", *data.lines(), *table.lines(), *files.lines()],
            region,
            replication_seconds,
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--learners", type=int, default=6)
    parser.add_argument(
        "--region", default=REGION, choices=(REGION, OSAKA), help=f"{OSAKA}: Tokyo is lost"
    )
    args = parser.parse_args(argv)
    result = run_drill(args.learners, region=args.region)
    print(result.report())
    return 0 if result.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
