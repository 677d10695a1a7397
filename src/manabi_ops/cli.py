"""`python -m manabi_ops <command>`: the daily backups and the restores (docs/dr-runbook.md).

Every command takes `--dry-run` (says what it would do, changes nothing), draws a progress bar
on stderr and ends with a summary; a restore that does not verify exits 1, bad input exits 2
with a message that says what to pass.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence

from manabi_contract.backups import RESTORED_INFIX
from manabi_ops import backups, restores
from manabi_ops.adapters import AwsObjects, AwsTables, SqsScanQueue
from manabi_ops.progress import Bar

TOKYO = "ap-northeast-1"
SERVING_TABLE_CONTEXT = "servingTable"  # manabi_infra.app reads the same context key
OSAKA = "ap-northeast-3"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m manabi_ops", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def command(name: str, text: str) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=text, description=text)
        p.add_argument("--region", default=TOKYO, help=f"{TOKYO} (default) or {OSAKA} for DR")
        p.add_argument(
            "--dry-run", action="store_true", help="say what would happen, change nothing"
        )
        p.add_argument("--backup-bucket", required=True, help="the backup bucket of --region")
        return p

    p = command("backup-table", "export the table into the backup bucket (once per day)")
    p.add_argument("--table", required=True)
    p.add_argument("--date", type=dt.date.fromisoformat, default=None)
    p = command("backup-data", "copy changed data objects with their tags (once per day)")
    p.add_argument("--data-bucket", required=True)
    p.add_argument("--date", type=dt.date.fromisoformat, default=None)
    command("list-backups", "the days that have a data manifest")
    p = command("restore-table", "restore the table into a NEW table and verify its item count")
    when = p.add_mutually_exclusive_group(required=True)
    when.add_argument("--to-time", help="PITR to this ISO time (within 35 days)")
    when.add_argument("--latest", action="store_true", help="PITR to the latest restorable time")
    when.add_argument("--from-export", metavar="DATE", help="the daily export of DATE")
    p.add_argument("--source-table", required=True, help="the table that was backed up")
    p.add_argument("--target-table", required=True, help="the new table (must not exist)")
    p.add_argument("--tag", action="append", default=[], metavar="KEY=VALUE")
    p = command("restore-data", "objects of a day's backup back into the data bucket, with tags")
    p.add_argument("--date", required=True)
    p.add_argument("--data-bucket", required=True)
    p.add_argument("--prefix", default="", help="e.g. submissions/<course>/")
    p.add_argument("--table", help="the (restored) table whose records get the new versions")
    p.add_argument("--scan-queue-url", help="queue unscanned objects for a scan")
    p = sub.add_parser(
        "switch-table",
        help="check a restored table and print the deploy that points every function at it",
    )
    p.add_argument("table", metavar="NAME")
    p.add_argument("--env", required=True, choices=["staging", "production"])
    p.add_argument("--region", default=TOKYO)
    p.add_argument("--dry-run", action="store_true", help="the same: this command changes nothing")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except restores.RestoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _run(args: argparse.Namespace) -> int:
    objects = AwsObjects(args.region)
    tables = AwsTables(args.region)
    if args.command == "switch-table":
        return _switch(args, tables)
    today = getattr(args, "date", None) or dt.datetime.now(dt.UTC).date()
    if args.command == "backup-table":
        export = backups.export_table(
            tables, args.table, args.backup_bucket, today, dry_run=args.dry_run
        )
        print(f"table export {export.date} of {export.table}: {export.status} ({export.prefix})")
        return 0
    if args.command == "backup-data":
        summary = backups.backup_data(
            objects, args.data_bucket, args.backup_bucket, today, Bar(), dry_run=args.dry_run
        )
        print("\n".join(summary.lines()))
        return 0
    if args.command == "list-backups":
        print("\n".join(backups.manifest_dates(objects, args.backup_bucket)) or "no backups")
        return 0
    if args.command == "restore-table":
        return _restore_table(args, tables, objects)
    return _restore_data(args, tables, objects)


def _restore_table(args: argparse.Namespace, tables: AwsTables, objects: AwsObjects) -> int:
    if RESTORED_INFIX not in args.target_table:
        example = f"{args.source_table.split(RESTORED_INFIX)[0]}{RESTORED_INFIX}{dt.date.today()}"
        print(
            f"--target-table {args.target_table!r}: the operations role may create only tables "
            f"named <the environment's table>{RESTORED_INFIX}<…>, e.g. {example} "
            "(docs/dr-runbook.md)",
            file=sys.stderr,
        )
        return 2
    tags = dict(t.split("=", 1) for t in args.tag if "=" in t)
    bar = Bar()
    bar.start(f"restore {args.source_table} -> {args.target_table}", 1)
    if args.from_export:
        summary = restores.restore_table_from_export(
            tables,
            objects,
            args.backup_bucket,
            args.source_table,
            args.from_export,
            args.target_table,
            tags,
            dry_run=args.dry_run,
        )
    else:
        summary = restores.restore_table_to_time(
            tables,
            args.source_table,
            args.target_table,
            None if args.latest else args.to_time,
            tags,
            dry_run=args.dry_run,
        )
    bar.advance()
    bar.done()
    print("\n".join(summary.lines()))
    return 0 if summary.verified else 1


def _restore_data(args: argparse.Namespace, tables: AwsTables, objects: AwsObjects) -> int:
    scans = SqsScanQueue(args.region, args.scan_queue_url) if args.scan_queue_url else None
    summary = restores.restore_data(
        objects,
        args.backup_bucket,
        args.data_bucket,
        args.date,
        Bar(),
        prefix=args.prefix,
        scans=scans,
        dry_run=args.dry_run,
    )
    if args.table and not args.dry_run:
        restores.repoint_versions(tables, args.table, summary)
    print("\n".join(summary.lines()))
    return 1 if summary.mismatched else 0


def _switch(args: argparse.Namespace, tables: AwsTables) -> int:
    """The switch goes through a normal deploy (the functions' configuration); the old table is
    kept. This command refuses a table that is not ready to serve."""
    if not tables.exists(args.table):
        raise restores.RestoreError(f"The table {args.table} does not exist in {args.region}.")
    missing = tables.missing_protection(args.table)
    if missing:
        raise restores.RestoreError(
            f"{args.table} lacks {', '.join(missing)}: restore it with `restore-table`, which "
            "re-applies them, or fix them before switching."
        )
    # The Osaka DR workload has its own stack and context key (docs/decisions/0039).
    suffix = "-osaka" if args.region == OSAKA else ""
    stack = f"ManabiPlus-{args.env.capitalize()}-Workload{suffix}"
    region = f" -c workloadRegion={OSAKA}" if suffix else ""
    print(f"{args.table} is ready to serve (ACTIVE, PITR, deletion protection). Deploy:")
    key = f"{SERVING_TABLE_CONTEXT}.{args.env}{suffix}"
    print(f"  npx cdk deploy {stack}{region} -c {key}={args.table}")
    where = f" WORKLOAD_REGION={OSAKA}" if suffix else ""
    print(f"  (or: make deploy ENV={args.env}{where} SERVING_TABLE={args.table})")
    print("every function (API, scanner, verdicts, backups) then uses it; the old table is kept")
    return 0
