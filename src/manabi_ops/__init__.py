"""Backup and restore of Manabi Plus (MP-BAK-01..04, MP-RST-01, MP-AVL-01).

- `layout`: where the daily copies live in the backup bucket (the contract of backup and restore).
- `ports`: what the jobs need from DynamoDB and S3; `adapters`: the boto3 side (the only module
  that imports the AWS SDK).
- `backups`: the daily table export and the daily copy of the data bucket with its verdict tags.
- `restores`: a new table from an export or from PITR, the data objects back with their tags.
- `cli`: `python -m manabi_ops …`, every command with `--dry-run`, a progress bar and a summary.
"""
