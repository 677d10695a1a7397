"""The staging template provisioned into the emulator with its own properties (manabi_local)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import boto3
import pytest

from manabi_contract.environment import DATA_BUCKET, TABLE_NAME, USER_POOL_ID
from manabi_contract.names import API_HANDLER, GROUPS
from manabi_local.provisioning import LocalResources, provision
from manabi_local.template import Template

pytestmark = pytest.mark.integration


def _only(template: Template, resource_type: str) -> dict[str, Any]:
    (resource,) = template.of_type(resource_type)
    return resource.properties


def test_table_has_the_template_key_schema(
    local_resources: LocalResources, workload_template: Template
) -> None:
    expected = _only(workload_template, "AWS::DynamoDB::Table")
    table = boto3.client("dynamodb").describe_table(TableName=local_resources.table_name)["Table"]
    assert local_resources.table_name == expected["TableName"]
    assert table["KeySchema"] == expected["KeySchema"]
    assert {a["AttributeName"] for a in table["AttributeDefinitions"]} == {
        a["AttributeName"] for a in expected["AttributeDefinitions"]
    }
    backups = boto3.client("dynamodb").describe_continuous_backups(
        TableName=local_resources.table_name
    )["ContinuousBackupsDescription"]["PointInTimeRecoveryDescription"]
    pitr = expected.get("PointInTimeRecoverySpecification", {})
    assert (backups["PointInTimeRecoveryStatus"] == "ENABLED") == bool(
        pitr.get("PointInTimeRecoveryEnabled")
    )


def test_buckets_exist_with_the_template_names_and_settings(
    local_resources: LocalResources, workload_template: Template
) -> None:
    s3 = boto3.client("s3")
    existing = {b["Name"] for b in s3.list_buckets()["Buckets"]}
    for bucket in workload_template.of_type("AWS::S3::Bucket"):
        name = bucket.properties["BucketName"]
        assert local_resources.buckets[bucket.logical_id] == name
        assert name in existing
        if "VersioningConfiguration" in bucket.properties:
            status = s3.get_bucket_versioning(Bucket=name).get("Status")
            assert status == bucket.properties["VersioningConfiguration"]["Status"]
        if "PublicAccessBlockConfiguration" in bucket.properties:
            block = s3.get_public_access_block(Bucket=name)["PublicAccessBlockConfiguration"]
            assert block == bucket.properties["PublicAccessBlockConfiguration"]


def test_user_pool_client_and_groups_as_the_template_says(
    local_resources: LocalResources, workload_template: Template
) -> None:
    cognito = boto3.client("cognito-idp")
    expected = _only(workload_template, "AWS::Cognito::UserPool")
    pool = cognito.describe_user_pool(UserPoolId=local_resources.user_pool_id)["UserPool"]
    assert pool["Name"] == expected["UserPoolName"]
    assert pool["Policies"]["PasswordPolicy"] == expected["Policies"]["PasswordPolicy"]
    for key in (
        "AliasAttributes",
        "UsernameAttributes",
        "UsernameConfiguration",
        "AutoVerifiedAttributes",
        "VerificationMessageTemplate",
        "AccountRecoverySetting",
        "AdminCreateUserConfig",
    ):
        if key in expected:
            assert pool[key] == expected[key], key

    client_expected = _only(workload_template, "AWS::Cognito::UserPoolClient")
    client = cognito.describe_user_pool_client(
        UserPoolId=local_resources.user_pool_id, ClientId=local_resources.user_pool_client_id
    )["UserPoolClient"]
    assert client["ClientName"] == client_expected["ClientName"]
    assert client["ExplicitAuthFlows"] == client_expected["ExplicitAuthFlows"]
    assert "ClientSecret" not in client

    groups = cognito.list_groups(UserPoolId=local_resources.user_pool_id)["Groups"]
    assert {g["GroupName"] for g in groups} == set(GROUPS)


def test_api_environment_is_resolved_from_the_function(local_resources: LocalResources) -> None:
    environment = local_resources.api_environment
    assert environment[TABLE_NAME] == local_resources.table_name
    assert environment[USER_POOL_ID] == local_resources.user_pool_id
    assert environment[DATA_BUCKET] in local_resources.buckets.values()
    assert all(isinstance(v, str) for v in environment.values())


def test_provisioning_twice_changes_nothing(
    emulator: str, local_resources: LocalResources, workload_template: Template
) -> None:
    again = provision(workload_template, emulator, web_origin="http://127.0.0.1:8080")
    assert again.physical_ids == local_resources.physical_ids
    assert again.api_environment == local_resources.api_environment
    cognito = boto3.client("cognito-idp")
    pools = cognito.list_user_pools(MaxResults=60)["UserPools"]
    assert [p["Id"] for p in pools].count(local_resources.user_pool_id) == 1
    clients = cognito.list_user_pool_clients(UserPoolId=local_resources.user_pool_id)
    assert len(clients["UserPoolClients"]) == 1


def _minimal_template(prefix: str) -> dict[str, Any]:
    """Queue with DLQ, topic and a bucket notification next to what every template has."""
    return {
        "Resources": {
            "Table": {
                "Type": "AWS::DynamoDB::Table",
                "Properties": {
                    "TableName": f"{prefix}-table",
                    "KeySchema": [{"AttributeName": "PK", "KeyType": "HASH"}],
                    "AttributeDefinitions": [{"AttributeName": "PK", "AttributeType": "S"}],
                    "BillingMode": "PAY_PER_REQUEST",
                },
            },
            "Pool": {"Type": "AWS::Cognito::UserPool", "Properties": {"UserPoolName": prefix}},
            "Client": {
                "Type": "AWS::Cognito::UserPoolClient",
                "Properties": {"UserPoolId": {"Ref": "Pool"}, "GenerateSecret": False},
            },
            "Dlq": {
                "Type": "AWS::SQS::Queue",
                "Properties": {"QueueName": f"{prefix}-dlq", "MessageRetentionPeriod": 1209600},
            },
            "Queue": {
                "Type": "AWS::SQS::Queue",
                "Properties": {
                    "QueueName": f"{prefix}-scan",
                    "VisibilityTimeout": 180,
                    "RedrivePolicy": {
                        "deadLetterTargetArn": {"Fn::GetAtt": ["Dlq", "Arn"]},
                        "maxReceiveCount": 5,
                    },
                },
            },
            "Topic": {"Type": "AWS::SNS::Topic", "Properties": {"TopicName": f"{prefix}-alerts"}},
            "Bucket": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": f"{prefix}-data"}},
            "Notifications": {
                "Type": "Custom::S3BucketNotifications",
                "Properties": {
                    "ServiceToken": {"Fn::GetAtt": ["NotificationsHandler", "Arn"]},
                    "BucketName": {"Ref": "Bucket"},
                    "NotificationConfiguration": {
                        "QueueConfigurations": [
                            {
                                "Events": ["s3:ObjectCreated:*"],
                                "QueueArn": {"Fn::GetAtt": ["Queue", "Arn"]},
                            }
                        ]
                    },
                    "Managed": True,
                },
            },
            "NotificationsHandler": {
                "Type": "AWS::Lambda::Function",
                "Properties": {"Handler": "index.handler"},
            },
            "Function": {
                "Type": "AWS::Lambda::Function",
                "Properties": {
                    "Handler": API_HANDLER,
                    "Environment": {
                        "Variables": {
                            "TABLE_NAME": {"Ref": "Table"},
                            "USER_POOL_ID": {"Ref": "Pool"},
                            "SCAN_QUEUE_URL": {"Ref": "Queue"},
                            "ALERT_TOPIC_ARN": {"Ref": "Topic"},
                        }
                    },
                },
            },
        }
    }


def test_queues_topic_and_bucket_notifications(emulator: str) -> None:
    template = Template(_minimal_template("it-notify"))
    resources = provision(template, emulator, web_origin="http://127.0.0.1:8080")
    environment = resources.api_environment
    sqs = boto3.client("sqs")
    attributes = sqs.get_queue_attributes(
        QueueUrl=environment["SCAN_QUEUE_URL"], AttributeNames=["All"]
    )["Attributes"]
    assert attributes["VisibilityTimeout"] == "180"
    assert "it-notify-dlq" in attributes["RedrivePolicy"]
    assert environment["ALERT_TOPIC_ARN"].endswith(":it-notify-alerts")

    s3 = boto3.client("s3")
    s3.put_object(Bucket="it-notify-data", Key="uploads/a b.txt", Body=b"x")
    messages = sqs.receive_message(
        QueueUrl=environment["SCAN_QUEUE_URL"], WaitTimeSeconds=2, MaxNumberOfMessages=10
    ).get("Messages", [])
    records = [r for m in messages for r in json.loads(m["Body"]).get("Records", [])]
    # Keys arrive URL-encoded (moto encodes "/" too, where S3 keeps it): unquote_plus them.
    assert [unquote_plus(r["s3"]["object"]["key"]) for r in records] == ["uploads/a b.txt"]
