"""MP-AVL-01, MP-RST-01, MP-BAK-02, MP-BAK-03: the DR drill and the backup/restore jobs on the
embedded emulator (moto in-process)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest

from manabi_ops import backups, cli, layout, restores
from manabi_ops.adapters import AwsObjects, AwsTables
from manabi_ops.progress import Silent
from tests.integration import dr_drill

pytestmark = pytest.mark.integration
DAY = dt.date(2026, 12, 1)


def test_mp_avl_01_dr_drill_brings_every_record_and_file_back() -> None:
    """Seed through the API, back up, destroy, restore, switch, compare through the API."""
    result = dr_drill.run_drill(learners=4)
    assert result.ok, result.report()
    assert result.items > 0
    assert result.objects == 4


def test_mp_avl_01_tokyo_lost_the_drill_restores_into_osaka() -> None:
    """Tokyo's table, data and backup copies destroyed; the restore reads only the Osaka DR
    bucket into the Osaka workload's table and data bucket, and the API serves every record."""
    result = dr_drill.run_drill(learners=3, region=dr_drill.OSAKA)
    assert result.ok, result.report()
    assert result.region == dr_drill.OSAKA
    assert result.restored_table.startswith(f"{dr_drill.TABLE}-osaka-restored-")
    assert result.replication_seconds is not None
    assert "(ap-northeast-3)" in result.report()


def test_mp_rst_01_drill_fails_when_one_restored_item_differs() -> None:
    result = dr_drill.run_drill(learners=3, tamper=True)
    assert not result.ok
    assert dr_drill.main(["--learners", "2"]) == 0


@pytest.fixture
def emulated() -> Iterator[dict[str, Any]]:
    with dr_drill._emulated():
        api = dr_drill.Api(dr_drill.TABLE)
        dr_drill._provision(api.dynamodb, api.s3)
        yield {
            "api": api,
            "objects": AwsObjects(dr_drill.REGION),
            "tables": AwsTables(dr_drill.REGION, poll_seconds=0.05, timeout_seconds=60),
        }


def _put(api: Any, key: str, body: bytes, status: str | None) -> str:
    version: str = api.s3.put_object(Bucket=dr_drill.DATA_BUCKET, Key=key, Body=body)["VersionId"]
    if status is not None:
        api.s3.put_object_tagging(
            Bucket=dr_drill.DATA_BUCKET,
            Key=key,
            VersionId=version,
            Tagging={"TagSet": [{"Key": "av-status", "Value": status}]},
        )
    return version


def test_mp_bak_03_daily_copy_takes_only_changes_and_verdicts(emulated: dict[str, Any]) -> None:
    """A tag change (the verdict after the upload) is a change; an unchanged object is listed
    in the next day's manifest at its earlier copy; a deleted object stays in the old day."""
    api, objects = emulated["api"], emulated["objects"]
    data, backup = dr_drill.DATA_BUCKET, dr_drill.BACKUP_BUCKET
    _put(api, "submissions/c/a/l1/u1", b"one", None)
    _put(api, "submissions/c/a/l2/u2", b"two", "CLEAN")
    first = backups.backup_data(objects, data, backup, DAY, Silent())
    assert (first.copied, first.unchanged) == (2, 0)
    again = backups.backup_data(objects, data, backup, DAY, Silent())
    assert (again.copied, again.unchanged) == (0, 2)  # a rerun of the day copies nothing
    version = api.s3.head_object(Bucket=data, Key="submissions/c/a/l1/u1")["VersionId"]
    api.s3.put_object_tagging(
        Bucket=data,
        Key="submissions/c/a/l1/u1",
        VersionId=version,
        Tagging={"TagSet": [{"Key": "av-status", "Value": "INFECTED"}]},
    )
    next_day = DAY + dt.timedelta(days=1)
    second = backups.backup_data(objects, data, backup, next_day, Silent())
    assert second.copied_keys == ["submissions/c/a/l1/u1"]
    entries = {e.key: e for e in backups.read_manifest(objects, backup, layout.day(next_day)) or []}
    assert entries["submissions/c/a/l1/u1"].tags == {"av-status": "INFECTED"}
    assert entries["submissions/c/a/l2/u2"].copy_key == layout.data_copy_key(
        layout.day(DAY), "submissions/c/a/l2/u2"
    )
    copied = api.s3.get_object_tagging(Bucket=backup, Key=entries["submissions/c/a/l1/u1"].copy_key)
    assert copied["TagSet"] == [{"Key": "av-status", "Value": "INFECTED"}]
    # a copy older than REFRESH_AFTER_DAYS is made again, so it is still under its retention
    later = DAY + dt.timedelta(days=layout.REFRESH_AFTER_DAYS + 1)
    refreshed = backups.backup_data(objects, data, backup, later, Silent())
    assert "submissions/c/a/l2/u2" in refreshed.copied_keys
    assert backups.manifest_dates(objects, backup) == [
        layout.day(DAY),
        layout.day(next_day),
        layout.day(later),
    ]


def test_mp_rst_01_restore_keeps_unscanned_closed_and_queues_it(emulated: dict[str, Any]) -> None:
    api, objects = emulated["api"], emulated["objects"]
    data, backup = dr_drill.DATA_BUCKET, dr_drill.BACKUP_BUCKET
    _put(api, "submissions/c/a/l1/u1", b"unscanned", None)
    _put(api, "submissions/c/a/l2/u2", b"infected", "INFECTED")
    _put(api, "submissions/d/a/l3/u3", b"other course", "CLEAN")
    backups.backup_data(objects, data, backup, DAY, Silent())
    queued: list[tuple[str, str | None]] = []

    class Queue:
        def request_scan(self, bucket: str, key: str, version_id: str | None) -> None:
            queued.append((key, version_id))

    summary = restores.restore_data(
        objects, backup, data, layout.day(DAY), Silent(), prefix="submissions/c/", scans=Queue()
    )
    assert (summary.restored, summary.queued_for_scan, summary.held_infected) == (2, 1, 1)
    assert [k for k, _ in queued] == ["submissions/c/a/l1/u1"]
    infected = api.s3.get_object_tagging(Bucket=data, Key="submissions/c/a/l2/u2")["TagSet"]
    assert infected == [{"Key": "av-status", "Value": "INFECTED"}]
    assert api.s3.get_object_tagging(Bucket=data, Key="submissions/c/a/l1/u1")["TagSet"] == []
    with pytest.raises(restores.RestoreError, match="list-backups"):
        restores.restore_data(objects, backup, data, "2020-01-01", Silent())


def test_mp_bak_02_export_is_one_per_day_and_restores_verified(emulated: dict[str, Any]) -> None:
    """MP-BAK-02: the day's export under its dated prefix; MP-BAK-01: a PITR restore (latest)
    into a new table, hardened again and its count verified (moto ignores the time)."""
    api, objects, tables = emulated["api"], emulated["objects"], emulated["tables"]
    for n in range(5):
        api.dynamodb.put_item(
            TableName=dr_drill.TABLE, Item={"PK": {"S": f"P{n}"}, "SK": {"S": "S"}}
        )
    export = backups.export_table(tables, dr_drill.TABLE, dr_drill.BACKUP_BUCKET, DAY)
    assert export.status == "COMPLETED"
    assert export.prefix == f"dynamodb/{dr_drill.TABLE}/2026-12-01"
    prefix = restores.export_data_prefix(
        objects, dr_drill.BACKUP_BUCKET, dr_drill.TABLE, export.date
    )
    assert restores.exported_items(objects, dr_drill.BACKUP_BUCKET, prefix) == 5
    with pytest.raises(restores.RestoreError, match="exists"):
        restores.restore_table_to_time(tables, dr_drill.TABLE, dr_drill.TABLE, None, {})
    restored = restores.restore_table_to_time(tables, dr_drill.TABLE, "pitr-copy", None, {"a": "b"})
    assert restored.verified
    assert restored.restored == 5
    described = api.dynamodb.describe_table(TableName="pitr-copy")["Table"]
    assert described["DeletionProtectionEnabled"] is True
    backups_on = api.dynamodb.describe_continuous_backups(TableName="pitr-copy")
    pitr = backups_on["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    assert pitr["PointInTimeRecoveryStatus"] == "ENABLED"


def test_mp_rst_01_cli_dry_run_changes_nothing(
    emulated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    api = emulated["api"]
    data, backup = dr_drill.DATA_BUCKET, dr_drill.BACKUP_BUCKET
    _put(api, "submissions/c/a/l1/u1", b"x", "CLEAN")
    common = ["--backup-bucket", backup, "--region", dr_drill.REGION]
    argv = ["backup-data", *common, "--data-bucket", data, "--date", "2026-12-01", "--dry-run"]
    assert cli.main(argv) == 0
    assert "would copy 1" in capsys.readouterr().out
    assert "Contents" not in api.s3.list_objects_v2(Bucket=backup)
    assert cli.main(["backup-data", *common, "--data-bucket", data, "--date", "2026-12-01"]) == 0
    out = capsys.readouterr()
    assert "copied 1" in out.out
    assert "1/1" in out.err
    restore = ["restore-data", *common, "--data-bucket", data, "--date", "2026-12-01"]
    assert cli.main([*restore, "--dry-run"]) == 0
    assert "would restore 1" in capsys.readouterr().out
    assert cli.main([*restore[:-1], "2020-01-01"]) == 2
    assert "list-backups" in capsys.readouterr().err
    table = ["restore-table", *common, "--source-table", dr_drill.TABLE]
    target = ["--target-table", f"{dr_drill.TABLE}-restored-2026-12-02"]
    assert cli.main([*table, *target, "--from-export", "2026-12-01"]) == 2
    assert cli.main([*table, *target, "--latest", "--dry-run"]) == 0
    assert "would restore" in capsys.readouterr().out
    # a name the operations role may not create is refused before any AWS call (MP-RST-01)
    assert cli.main([*table, "--target-table", "new", "--latest", "--dry-run"]) == 2
    assert f"{dr_drill.TABLE}-restored-" in capsys.readouterr().err


def test_mp_rst_01_switch_table_refuses_an_unprotected_table(
    emulated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    tables = emulated["tables"]
    argv = ["switch-table", "--env", "production", "--region", dr_drill.REGION]
    assert cli.main([*argv, "missing-table"]) == 2
    assert cli.main([*argv, dr_drill.TABLE]) == 2  # the drill's source has no deletion protection
    assert "deletion protection" in capsys.readouterr().err
    restores.restore_table_to_time(tables, dr_drill.TABLE, "restored", None, {})
    assert cli.main([*argv, "restored"]) == 0
    out = capsys.readouterr().out
    assert "cdk deploy ManabiPlus-Production-Workload -c servingTable.production=restored" in out


def test_mp_avl_01_switch_table_in_osaka_names_the_osaka_workload(
    emulated: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    """After a restore into Osaka the switch deploys the Osaka workload with its own key."""
    import boto3

    osaka = boto3.client("dynamodb", region_name=dr_drill.OSAKA)
    name = "prod-manabiplus-table-osaka-restored-2026-12-01"
    osaka.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
        ProvisionedThroughput={"ReadCapacityUnits": 5, "WriteCapacityUnits": 5},
    )
    AwsTables(dr_drill.OSAKA).harden(name, {})
    argv = ["switch-table", "--env", "production", "--region", dr_drill.OSAKA, name]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert (
        "cdk deploy ManabiPlus-Production-Workload-osaka -c workloadRegion=ap-northeast-3 "
        f"-c servingTable.production-osaka={name}"
    ) in out
