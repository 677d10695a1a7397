"""DynamoDB, S3 and SQS through boto3: the only module of manabi_ops that imports the AWS SDK."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import quote_plus, urlencode

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from manabi_ops.ports import ObjectVersion

PITR_DAYS = 35
BASE_CAPACITY = 5
MAX_CAPACITY = 100
TARGET_UTILIZATION = 70.0
_KEYS = {
    "KeySchema": [
        {"AttributeName": "PK", "KeyType": "HASH"},
        {"AttributeName": "SK", "KeyType": "RANGE"},
    ],
    "AttributeDefinitions": [
        {"AttributeName": "PK", "AttributeType": "S"},
        {"AttributeName": "SK", "AttributeType": "S"},
    ],
}


class AwsObjects:
    def __init__(self, region: str) -> None:
        self.s3: Any = boto3.client("s3", region_name=region)

    def current(self, bucket: str, prefix: str) -> Iterator[ObjectVersion]:
        for page in self.s3.get_paginator("list_object_versions").paginate(
            Bucket=bucket, Prefix=prefix
        ):
            for v in page.get("Versions", []):
                if v.get("IsLatest"):
                    version = v.get("VersionId")
                    yield ObjectVersion(v["Key"], None if version == "null" else version, v["Size"])

    def tags(self, bucket: str, key: str, version_id: str | None) -> dict[str, str]:
        extra = {} if version_id is None else {"VersionId": version_id}
        found = self.s3.get_object_tagging(Bucket=bucket, Key=key, **extra)
        return {t["Key"]: t["Value"] for t in found["TagSet"]}

    def copy(
        self,
        source_bucket: str,
        source_key: str,
        source_version: str | None,
        bucket: str,
        key: str,
        tags: Mapping[str, str] | None,
        metadata: Mapping[str, str] | None = None,
    ) -> str | None:
        source: dict[str, str] = {"Bucket": source_bucket, "Key": source_key}
        if source_version is not None:
            source["VersionId"] = source_version
        extra: dict[str, Any] = {}
        if metadata is not None:
            extra = {"Metadata": dict(metadata), "MetadataDirective": "REPLACE"}
        # None: the copy keeps the source's own tags (a restore copies a backup copy that
        # carries its verdicts; the request names no tags, the data bucket's policy lets it in
        # because its copy source is the backup bucket).
        tagging: dict[str, str] = (
            {"TaggingDirective": "COPY"}
            if tags is None
            else {"TaggingDirective": "REPLACE", "Tagging": urlencode(dict(tags))}
        )
        copied = self.s3.copy_object(CopySource=source, Bucket=bucket, Key=key, **tagging, **extra)
        version: str | None = copied.get("VersionId")
        return version

    def read(self, bucket: str, key: str) -> bytes | None:
        try:
            body: bytes = self.s3.get_object(Bucket=bucket, Key=key)["Body"].read()
        except self.s3.exceptions.NoSuchKey:
            return None
        return body

    def write(self, bucket: str, key: str, body: bytes) -> None:
        # Object Lock buckets need a checksum on every PUT; boto3 sends CRC32 by default.
        self.s3.put_object(Bucket=bucket, Key=key, Body=body, ContentType="application/json")

    def keys(self, bucket: str, prefix: str) -> list[str]:
        found: list[str] = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found.extend(o["Key"] for o in page.get("Contents", []))
        return found


class AwsTables:
    def __init__(self, region: str, *, poll_seconds: float = 2.0, timeout_seconds: float = 7200):
        self.dynamodb: Any = boto3.client("dynamodb", region_name=region)
        self.scaling: Any = boto3.client("application-autoscaling", region_name=region)
        self._poll = poll_seconds
        self._timeout = timeout_seconds

    def _arn(self, table: str) -> str:
        arn: str = self.dynamodb.describe_table(TableName=table)["Table"]["TableArn"]
        return arn

    def export(self, table: str, bucket: str, prefix: str, token: str) -> str:
        found = self.dynamodb.export_table_to_point_in_time(
            TableArn=self._arn(table),
            S3Bucket=bucket,
            S3Prefix=prefix,
            ExportFormat="DYNAMODB_JSON",
            ClientToken=token,
        )
        arn: str = found["ExportDescription"]["ExportArn"]
        return arn

    def _wait(self, read: Any, done: set[str], failed: set[str]) -> str:
        deadline = time.monotonic() + self._timeout
        while True:
            status: str = read()
            if status in done:
                return status
            if status in failed or time.monotonic() > deadline:
                raise RuntimeError(f"ended as {status}")
            time.sleep(self._poll)

    def wait_export(self, export_arn: str) -> str:
        def read() -> str:
            d = self.dynamodb.describe_export(ExportArn=export_arn)["ExportDescription"]
            return str(d["ExportStatus"])

        return self._wait(read, {"COMPLETED"}, {"FAILED"})

    def import_table(self, bucket: str, prefix: str, table: str) -> str:
        found = self.dynamodb.import_table(
            S3BucketSource={"S3Bucket": bucket, "S3KeyPrefix": prefix},
            InputFormat="DYNAMODB_JSON",
            InputCompressionType="GZIP",
            TableCreationParameters={
                "TableName": table,
                **_KEYS,
                "BillingMode": "PROVISIONED",
                "ProvisionedThroughput": {
                    "ReadCapacityUnits": BASE_CAPACITY,
                    "WriteCapacityUnits": BASE_CAPACITY,
                },
            },
        )
        arn: str = found["ImportTableDescription"]["ImportArn"]

        def read() -> str:
            d = self.dynamodb.describe_import(ImportArn=arn)["ImportTableDescription"]
            return str(d["ImportStatus"])

        self._wait(read, {"COMPLETED"}, {"FAILED", "CANCELLED"})
        return arn

    def restore_point_in_time(self, source: str, table: str, to_time: str | None) -> None:
        when: dict[str, Any] = (
            {"UseLatestRestorableTime": True}
            if to_time is None
            else {"RestoreDateTime": _timestamp(to_time)}
        )
        self.dynamodb.restore_table_to_point_in_time(
            SourceTableName=source, TargetTableName=table, **when
        )

    def wait_active(self, table: str) -> None:
        def read() -> str:
            return str(self.dynamodb.describe_table(TableName=table)["Table"]["TableStatus"])

        self._wait(read, {"ACTIVE"}, set())

    def count(self, table: str) -> int:
        total = 0
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table, Select="COUNT"):
            total += int(page["Count"])
        return total

    def harden(self, table: str, tags: Mapping[str, str]) -> None:
        self.dynamodb.update_continuous_backups(
            TableName=table,
            PointInTimeRecoverySpecification={
                "PointInTimeRecoveryEnabled": True,
                "RecoveryPeriodInDays": PITR_DAYS,
            },
        )
        self.dynamodb.update_table(TableName=table, DeletionProtectionEnabled=True)
        for dimension, metric in (
            ("dynamodb:table:ReadCapacityUnits", "DynamoDBReadCapacityUtilization"),
            ("dynamodb:table:WriteCapacityUnits", "DynamoDBWriteCapacityUtilization"),
        ):
            self.scaling.register_scalable_target(
                ServiceNamespace="dynamodb",
                ResourceId=f"table/{table}",
                ScalableDimension=dimension,
                MinCapacity=BASE_CAPACITY,
                MaxCapacity=MAX_CAPACITY,
            )
            self.scaling.put_scaling_policy(
                PolicyName=f"{table}-{metric}",
                ServiceNamespace="dynamodb",
                ResourceId=f"table/{table}",
                ScalableDimension=dimension,
                PolicyType="TargetTrackingScaling",
                TargetTrackingScalingPolicyConfiguration={
                    "TargetValue": TARGET_UTILIZATION,
                    "PredefinedMetricSpecification": {"PredefinedMetricType": metric},
                    "ScaleInCooldown": 60,
                    "ScaleOutCooldown": 60,
                },
            )
        if tags:
            self.dynamodb.tag_resource(
                ResourceArn=self._arn(table),
                Tags=[{"Key": k, "Value": v} for k, v in tags.items()],
            )

    def exists(self, table: str) -> bool:
        try:
            self.dynamodb.describe_table(TableName=table)
        except self.dynamodb.exceptions.ResourceNotFoundException:
            return False
        return True

    def missing_protection(self, table: str) -> list[str]:
        described = self.dynamodb.describe_table(TableName=table)["Table"]
        backups = self.dynamodb.describe_continuous_backups(TableName=table)
        pitr = backups["ContinuousBackupsDescription"].get("PointInTimeRecoveryDescription", {})
        missing = []
        if described["TableStatus"] != "ACTIVE":
            missing.append(f"status {described['TableStatus']} (wait for ACTIVE)")
        if pitr.get("PointInTimeRecoveryStatus") != "ENABLED":
            missing.append("PITR")
        if not described.get("DeletionProtectionEnabled"):
            missing.append("deletion protection")
        return missing

    def items(self, table: str) -> Iterator[dict[str, object]]:
        read = TypeDeserializer()
        for page in self.dynamodb.get_paginator("scan").paginate(TableName=table):
            for item in page.get("Items", []):
                yield {k: read.deserialize(v) for k, v in item.items()}

    def put(self, table: str, item: Mapping[str, object]) -> None:
        write = TypeSerializer()
        self.dynamodb.put_item(
            TableName=table, Item={k: write.serialize(v) for k, v in item.items()}
        )


class SqsScanQueue:
    """A scan request in the shape of the S3 notification the scanner reads."""

    def __init__(self, region: str, queue_url: str) -> None:
        self.sqs: Any = boto3.client("sqs", region_name=region)
        self._url = queue_url

    def request_scan(self, bucket: str, key: str, version_id: str | None) -> None:
        record = {
            "eventSource": "manabi:restore",
            "eventName": "ObjectCreated:Restored",
            "s3": {
                "bucket": {"name": bucket},
                "object": {"key": quote_plus(key), "versionId": version_id},
            },
        }
        self.sqs.send_message(QueueUrl=self._url, MessageBody=json.dumps({"Records": [record]}))


def _timestamp(value: str) -> Any:
    import datetime as dt

    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
