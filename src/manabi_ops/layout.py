"""Keys of the backup bucket, shared by the daily jobs and the restore (docs/dr-runbook.md).

    dynamodb/<table>/<YYYY-MM-DD>/AWSDynamoDB/<export id>/data/*.json.gz   the table's export
    data/<YYYY-MM-DD>/objects/<data key>                                   copies made that day
    data/<YYYY-MM-DD>/manifest.json                                        EVERY object that day

A day's manifest lists every current object of the data bucket, its version, its tags (the
verdicts) and which dated copy holds it, so a restore reads one manifest. A copy older than
REFRESH_AFTER_DAYS is made again, so every manifest points only at copies still under their
Object Lock retention (RETENTION_DAYS) and the lifecycle may expire older ones.
"""

from __future__ import annotations

import datetime as dt

from manabi_contract.backups import (
    DATA_PREFIX,
    EXPIRE_AFTER_DAYS,
    REFRESH_AFTER_DAYS,
    RETENTION_DAYS,
    TABLE_PREFIX,
)

__all__ = [
    "DATA_PREFIX",
    "EXPIRE_AFTER_DAYS",
    "REFRESH_AFTER_DAYS",
    "RETENTION_DAYS",
    "TABLE_PREFIX",
]


def day(value: dt.date) -> str:
    return value.isoformat()


def export_prefix(table: str, date: str) -> str:
    return f"{TABLE_PREFIX}{table}/{date}"


def export_token(table: str, date: str) -> str:
    """ClientToken of the day's export: a retried export of the same day is the same export."""
    return f"{table}-{date}"


def data_copy_key(date: str, key: str) -> str:
    return f"{DATA_PREFIX}{date}/objects/{key}"


def manifest_key(date: str) -> str:
    return f"{DATA_PREFIX}{date}/manifest.json"
