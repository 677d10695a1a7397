"""AWS::DynamoDB::Table: the single table, with its keys, indexes, stream, PITR and TTL."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    TypeRules,
    existing,
    pick,
    tags,
)
from manabi_local.template import Resource

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TableDescriptionTypeDef

_TABLE_PASSED = frozenset(
    {
        "TableName",
        "KeySchema",
        "AttributeDefinitions",
        "BillingMode",
        "ProvisionedThroughput",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "StreamSpecification",
        "SSESpecification",
        "TableClass",
        "DeletionProtectionEnabled",
        "Tags",
        "PointInTimeRecoverySpecification",
        "TimeToLiveSpecification",
    }
)
_TABLE_IGNORED = {
    "ContributorInsightsSpecification": "CloudWatch Contributor Insights is cloud only",
    "KinesisStreamSpecification": "no Kinesis locally",
    "OnDemandThroughput": "capacity caps do not matter locally",
    "WarmThroughput": "capacity does not matter locally",
    "ResourcePolicy": "moto does not enforce IAM",
    "ImportSourceSpecification": "imports are a cloud operation",
}
_INDEX_KEYS = ("IndexName", "KeySchema", "Projection", "ProvisionedThroughput")


def _table(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    name: str = props.get("TableName") or resource.logical_id
    dynamodb = ctx.clients.dynamodb
    description = existing(
        lambda: dynamodb.describe_table(TableName=name)["Table"], "ResourceNotFoundException"
    )
    if description is None:
        description = _create_table(dynamodb, name, props)
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Created(name, attributes)


def _create_table(
    dynamodb: DynamoDBClient, name: str, props: dict[str, Any]
) -> TableDescriptionTypeDef:
    params: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if "ProvisionedThroughput" in props:
        params["ProvisionedThroughput"] = _throughput(props["ProvisionedThroughput"])
    for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if key in props:
            params[key] = [_index(index) for index in props[key]]
    if "StreamSpecification" in props:
        view = props["StreamSpecification"]["StreamViewType"]
        params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
    if "SSESpecification" in props:
        sse = props["SSESpecification"]
        params["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled", False))} | pick(
            sse, "SSEType", "KMSMasterKeyId"
        )
    params |= pick(props, "TableClass", "DeletionProtectionEnabled")
    if props.get("Tags"):
        params["Tags"] = tags(props)
    description = dynamodb.create_table(**params)["TableDescription"]
    pitr = props.get("PointInTimeRecoverySpecification", {})
    if pitr.get("PointInTimeRecoveryEnabled"):
        dynamodb.update_continuous_backups(TableName=name, PointInTimeRecoverySpecification=pitr)
    ttl = props.get("TimeToLiveSpecification", {})
    if ttl.get("Enabled"):
        dynamodb.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
        )
    return description


def _throughput(raw: Mapping[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": int(raw["ReadCapacityUnits"]),
        "WriteCapacityUnits": int(raw["WriteCapacityUnits"]),
    }


def _index(raw: Mapping[str, Any]) -> dict[str, Any]:
    index = pick(raw, *_INDEX_KEYS)
    if "ProvisionedThroughput" in index:
        index["ProvisionedThroughput"] = _throughput(index["ProvisionedThroughput"])
    return index


RULES = {"AWS::DynamoDB::Table": TypeRules(_table, _TABLE_PASSED, _TABLE_IGNORED)}
