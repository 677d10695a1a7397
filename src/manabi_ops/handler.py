"""The daily backup function (MP-BAK-02, MP-BAK-03), scheduled once a day by EventBridge.

Starts the day's table export (idempotent per day through its ClientToken; the export runs on
after the function returns) and copies the data bucket's changed objects with their verdict tags
into the backup bucket. Its configuration is read here, once: TABLE_NAME, DATA_BUCKET,
BACKUP_BUCKET, AWS_REGION.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from typing import Any

from manabi_contract import environment as env
from manabi_ops import backups
from manabi_ops.adapters import AwsObjects, AwsTables
from manabi_ops.progress import Silent


class ConfigurationError(RuntimeError):
    """A variable the function needs is missing: the deploy is broken, fail loudly."""


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise ConfigurationError(f"{name} is not set: deploy the workload stack again")
    return value


def handler(
    event: Mapping[str, Any], context: object, environ: Mapping[str, str] = os.environ
) -> dict[str, Any]:
    table = _required(environ, env.TABLE_NAME)
    data_bucket = _required(environ, env.DATA_BUCKET)
    backup_bucket = _required(environ, env.BACKUP_BUCKET)
    region = _required(environ, "AWS_REGION")
    today = dt.datetime.now(dt.UTC).date()
    export = backups.export_table(AwsTables(region), table, backup_bucket, today, wait=False)
    data = backups.backup_data(AwsObjects(region), data_bucket, backup_bucket, today, Silent())
    result = {
        "date": export.date,
        "export": export.export_arn,
        "objects": data.objects,
        "copied": data.copied,
        "bytesCopied": data.bytes_copied,
    }
    print(json.dumps(result))  # one structured line in the function's log group
    return result
