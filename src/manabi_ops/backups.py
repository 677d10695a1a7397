"""The daily backups (MP-BAK-02, MP-BAK-03).

- `export_table`: `ExportTableToPointInTime` into the backup bucket under the day's prefix,
  with the day as ClientToken: run twice on one day, it is the same export.
- `backup_data`: every object of the data bucket whose version or tags changed since the last
  manifest (a verdict is a tag change, which does not touch LastModified), or whose last copy is
  older than REFRESH_AFTER_DAYS, is copied with its tags under `data/<day>/objects/`; the day's
  manifest lists every object and the copy that holds it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field
from typing import Any

from manabi_ops import layout
from manabi_ops.ports import Objects, Progress, Tables


@dataclass(frozen=True)
class Entry:
    """One object of the data bucket in a day's manifest."""

    key: str
    version_id: str | None
    size: int
    tags: dict[str, str]
    copy_key: str
    copied_on: str


@dataclass
class DataBackupSummary:
    date: str
    objects: int = 0
    copied: int = 0
    bytes_copied: int = 0
    unchanged: int = 0
    dry_run: bool = False
    copied_keys: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        verb = "would copy" if self.dry_run else "copied"
        return [
            f"data backup {self.date}: {self.objects} objects, {verb} {self.copied} "
            f"({self.bytes_copied} bytes), {self.unchanged} unchanged since the last manifest"
        ]


def read_manifest(objects: Objects, bucket: str, date: str) -> list[Entry] | None:
    body = objects.read(bucket, layout.manifest_key(date))
    if body is None:
        return None
    return [Entry(**e) for e in json.loads(body)["objects"]]


def manifest_dates(objects: Objects, bucket: str) -> list[str]:
    """The days that have a manifest, oldest first."""
    found = objects.keys(bucket, layout.DATA_PREFIX)
    suffix = "/manifest.json"
    return sorted(
        k[len(layout.DATA_PREFIX) : -len(suffix)]
        for k in found
        if k.endswith(suffix) and k.count("/") == 2
    )


def latest_manifest(objects: Objects, bucket: str, before: str) -> list[Entry]:
    earlier = [d for d in manifest_dates(objects, bucket) if d < before]
    if not earlier:
        return []
    return read_manifest(objects, bucket, earlier[-1]) or []


def backup_data(
    objects: Objects,
    data_bucket: str,
    backup_bucket: str,
    today: dt.date,
    progress: Progress,
    *,
    dry_run: bool = False,
) -> DataBackupSummary:
    date = layout.day(today)
    refresh_before = layout.day(today - dt.timedelta(days=layout.REFRESH_AFTER_DAYS))
    previous = {e.key: e for e in latest_manifest(objects, backup_bucket, date)}
    # A run again on the same day keeps what that day's run already copied.
    previous.update({e.key: e for e in read_manifest(objects, backup_bucket, date) or []})
    current = list(objects.current(data_bucket, ""))
    summary = DataBackupSummary(date, objects=len(current), dry_run=dry_run)
    entries: list[Entry] = []
    progress.start(f"data backup {date}", len(current))
    for found in current:
        tags = objects.tags(data_bucket, found.key, found.version_id)
        last = previous.get(found.key)
        if (
            last is not None
            and last.version_id == found.version_id
            and last.tags == tags
            and last.copied_on > refresh_before
        ):
            entries.append(last)
            summary.unchanged += 1
        else:
            copy_key = layout.data_copy_key(date, found.key)
            if not dry_run:
                objects.copy(
                    data_bucket,
                    found.key,
                    found.version_id,
                    backup_bucket,
                    copy_key,
                    tags,
                    {"source-version-id": found.version_id or "null"},
                )
            entries.append(Entry(found.key, found.version_id, found.size, tags, copy_key, date))
            summary.copied += 1
            summary.bytes_copied += found.size
            summary.copied_keys.append(found.key)
        progress.advance()
    progress.done()
    if not dry_run:
        body: dict[str, Any] = {
            "date": date,
            "bucket": data_bucket,
            "objects": [asdict(e) for e in entries],
        }
        objects.write(backup_bucket, layout.manifest_key(date), json.dumps(body).encode())
    return summary


@dataclass(frozen=True)
class TableExport:
    table: str
    date: str
    prefix: str
    export_arn: str | None
    status: str


def export_table(
    tables: Tables,
    table: str,
    backup_bucket: str,
    today: dt.date,
    *,
    wait: bool = True,
    dry_run: bool = False,
) -> TableExport:
    date = layout.day(today)
    prefix = layout.export_prefix(table, date)
    if dry_run:
        return TableExport(table, date, prefix, None, "DRY-RUN")
    arn = tables.export(table, backup_bucket, prefix, layout.export_token(table, date))
    status = tables.wait_export(arn) if wait else "IN_PROGRESS"
    return TableExport(table, date, prefix, arn, status)
