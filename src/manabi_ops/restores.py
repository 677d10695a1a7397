"""Restores (MP-RST-01): always into something new or next to what exists, never in place.

- a table from a day's export (ImportTable) or from PITR (RestoreTableToPointInTime): a NEW
  table, hardened again (PITR 35 days, deletion protection, auto scaling, tags) and its item
  count verified against the export's data files or the source table;
- the data objects of a day's manifest, copied back into the data bucket WITH the tags their
  backup copies carry (`TaggingDirective=COPY`; checked against the manifest): an INFECTED file
  stays INFECTED and an unscanned one has no verdict, so the bucket policy keeps both unreadable;
  the unscanned ones are queued for a scan. S3 gives every copy a new version id, and a
  submission names the exact version it was scanned as, so the restored table's `objectVersion`
  attributes are rewritten from the old to the new ids.
"""

from __future__ import annotations

import gzip
from collections.abc import Mapping
from dataclasses import dataclass, field

from manabi_contract.verdicts import TAG_STATUS, AvStatus
from manabi_ops import layout
from manabi_ops.backups import read_manifest
from manabi_ops.ports import Objects, Progress, ScanQueue, Tables

OBJECT_KEY_ATTRIBUTE = "objectKey"
OBJECT_VERSION_ATTRIBUTE = "objectVersion"


class RestoreError(RuntimeError):
    """A restore could not be done or did not verify; the message says what to do."""


@dataclass
class TableRestoreSummary:
    source: str
    table: str
    method: str
    expected: int | None
    restored: int | None
    dry_run: bool = False

    @property
    def verified(self) -> bool:
        return self.expected is None or self.expected == self.restored

    def lines(self) -> list[str]:
        if self.dry_run:
            return [
                f"would restore {self.source} into the new table {self.table} ({self.method}); "
                f"{self.expected if self.expected is not None else '?'} items expected"
            ]
        check = "verified" if self.verified else "COUNT MISMATCH"
        return [
            f"restored {self.source} into {self.table} ({self.method}): {self.restored} items, "
            f"expected {self.expected if self.expected is not None else 'n/a'}: {check}",
            "re-applied: PITR 35 days, deletion protection, auto scaling, tags",
        ]


def export_data_prefix(objects: Objects, bucket: str, table: str, date: str) -> str:
    """`.../AWSDynamoDB/<export id>/data/` of the day's export of `table`."""
    base = layout.export_prefix(table, date) + "/AWSDynamoDB/"
    ids = sorted({k[len(base) :].split("/", 1)[0] for k in objects.keys(bucket, base)})
    data = [i for i in ids if objects.keys(bucket, f"{base}{i}/data/")]
    if not data:
        raise RestoreError(
            f"No export of {table} for {date} in s3://{bucket}/{base}: list the days with "
            f"`python -m manabi_ops list-backups` and pass one of them to --from-export."
        )
    if len(data) > 1:
        raise RestoreError(f"More than one export of {table} for {date}: {data}; keep one.")
    return f"{base}{data[0]}/data/"


def exported_items(objects: Objects, bucket: str, prefix: str) -> int:
    """Items in an export's data files (one DynamoDB JSON line each)."""
    total = 0
    for key in objects.keys(bucket, prefix):
        body = objects.read(bucket, key)
        if body is None:
            continue
        text = gzip.decompress(body) if key.endswith(".gz") else body
        total += sum(1 for line in text.splitlines() if line.strip())
    return total


def restore_table_from_export(
    tables: Tables,
    objects: Objects,
    backup_bucket: str,
    source: str,
    date: str,
    new_table: str,
    tags: Mapping[str, str],
    *,
    dry_run: bool = False,
) -> TableRestoreSummary:
    _refuse_existing(tables, new_table)
    prefix = export_data_prefix(objects, backup_bucket, source, date)
    expected = exported_items(objects, backup_bucket, prefix)
    summary = TableRestoreSummary(source, new_table, f"export {date}", expected, None, dry_run)
    if dry_run:
        return summary
    tables.import_table(backup_bucket, prefix, new_table)
    tables.wait_active(new_table)
    tables.harden(new_table, tags)
    summary.restored = tables.count(new_table)
    return summary


def restore_table_to_time(
    tables: Tables,
    source: str,
    new_table: str,
    to_time: str | None,
    tags: Mapping[str, str],
    *,
    dry_run: bool = False,
) -> TableRestoreSummary:
    """PITR; `to_time` None is the latest restorable time, verified against the source's count
    (a restore to an earlier time has no count to compare with)."""
    _refuse_existing(tables, new_table)
    method = "PITR latest" if to_time is None else f"PITR {to_time}"
    if dry_run:
        return TableRestoreSummary(source, new_table, method, None, None, True)
    tables.restore_point_in_time(source, new_table, to_time)
    tables.wait_active(new_table)
    tables.harden(new_table, tags)
    expected = tables.count(source) if to_time is None else None
    return TableRestoreSummary(source, new_table, method, expected, tables.count(new_table))


def _refuse_existing(tables: Tables, table: str) -> None:
    if tables.exists(table):
        raise RestoreError(
            f"The table {table} exists: a restore always creates a new table. Pass another "
            "--target-table (e.g. with the date), or delete that table if it is a failed restore."
        )


@dataclass
class DataRestoreSummary:
    date: str
    restored: int = 0
    clean: int = 0
    held_infected: int = 0
    queued_for_scan: int = 0
    records_repointed: int = 0
    dry_run: bool = False
    mismatched: list[str] = field(default_factory=list)
    versions: dict[tuple[str, str | None], str | None] = field(default_factory=dict)

    def lines(self) -> list[str]:
        verb = "would restore" if self.dry_run else "restored"
        return [
            f"data restore {self.date}: {verb} {self.restored} objects with their tags: "
            f"{self.clean} CLEAN (readable), {self.held_infected} INFECTED/ERROR (stay "
            f"unreadable), {self.queued_for_scan} without a verdict (unreadable, queued for a "
            f"scan); {self.records_repointed} submission records point at the new versions",
            "tags verified on every restored object"
            if not self.mismatched
            else f"TAG MISMATCH on {len(self.mismatched)} objects: {self.mismatched[:5]}",
        ]


def restore_data(
    objects: Objects,
    backup_bucket: str,
    data_bucket: str,
    date: str,
    progress: Progress,
    *,
    prefix: str = "",
    scans: ScanQueue | None = None,
    dry_run: bool = False,
) -> DataRestoreSummary:
    entries = read_manifest(objects, backup_bucket, date)
    if entries is None:
        raise RestoreError(
            f"No data backup of {date} in s3://{backup_bucket}/{layout.manifest_key(date)}: "
            "list the days with `python -m manabi_ops list-backups`."
        )
    chosen = [e for e in entries if e.key.startswith(prefix)]
    summary = DataRestoreSummary(date, dry_run=dry_run)
    progress.start(f"data restore {date}", len(chosen))
    for entry in chosen:
        status = entry.tags.get(TAG_STATUS)
        summary.restored += 1
        if status == AvStatus.CLEAN:
            summary.clean += 1
        elif status is None:
            summary.queued_for_scan += 1
        else:
            summary.held_infected += 1
        if not dry_run:
            # The backup copy carries the verdict tags it was made with: copy them (COPY), so
            # the restore never writes verdicts of its own; then check them against the manifest.
            version = objects.copy(
                backup_bucket, entry.copy_key, None, data_bucket, entry.key, None
            )
            summary.versions[(entry.key, entry.version_id)] = version
            if objects.tags(data_bucket, entry.key, version) != entry.tags:
                summary.mismatched.append(entry.key)
            if status is None and scans is not None:
                scans.request_scan(data_bucket, entry.key, version)
        progress.advance()
    progress.done()
    return summary


def repoint_versions(tables: Tables, table: str, summary: DataRestoreSummary) -> int:
    """Submissions of `table` that name a restored object's old version name its new one."""
    moved = 0
    for item in list(tables.items(table)):
        key = item.get(OBJECT_KEY_ATTRIBUTE)
        old = item.get(OBJECT_VERSION_ATTRIBUTE)
        if not isinstance(key, str) or (key, old) not in summary.versions:
            continue
        new = summary.versions[(key, old if isinstance(old, str) else None)]
        tables.put(table, {**item, OBJECT_VERSION_ATTRIBUTE: new})
        moved += 1
    summary.records_repointed = moved
    return moved
