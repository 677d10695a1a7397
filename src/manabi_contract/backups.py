"""Retention of the backup copies, shared by the backup buckets (infra) and the daily jobs
(manabi_ops): MP-BAK-04, docs/decisions/0034."""

from __future__ import annotations

RETENTION_DAYS = 35  # Object Lock (COMPLIANCE) default retention of the backup buckets
EXPIRE_AFTER_DAYS = RETENTION_DAYS + 1  # the lifecycle removes copies once unlocked
REFRESH_AFTER_DAYS = 28  # an unchanged object is copied again after this many days
TABLE_PREFIX = "dynamodb/"  # the table's daily exports
DATA_PREFIX = "data/"  # the data bucket's daily copies and manifests
# `restore-table` creates a NEW table named `<the environment's table>-restored-<anything>`
# (docs/dr-runbook.md uses the day): the only names the operations role may create and fill.
RESTORED_INFIX = "-restored-"
