"""MP-TAG-01: every taggable resource carries Project, Environment, System and Function, and
every data-holding one its DataClassification; MP-TAG-02: the tag-based resource group."""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

from manabi_contract import names as contract
from manabi_infra import names
from manabi_infra.config import TOKYO

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra


def _tag_property(cfn_type: str) -> str | None:
    """Name of the property that holds a type's tags, from the CloudFormation registry schema."""
    tagging: dict[str, Any] = PROVIDER_SCHEMA_MANAGER.get_resource_schema(
        TOKYO, cfn_type
    ).schema.get("tagging", {})
    if not tagging.get("taggable", False):
        return None
    return str(tagging.get("tagProperty", "/properties/Tags")).removeprefix("/properties/")


def _tags(resource: Resource, prop: str) -> dict[str, Any]:
    raw = resource.get("Properties", {}).get(prop)
    if isinstance(raw, list):  # [{"Key": …, "Value": …}]
        return {t["Key"]: t["Value"] for t in raw}
    return dict(raw or {})  # {"Key": "Value"}, e.g. Cognito's UserPoolTags


# Types that hold data: each carries a DataClassification tag (GL-AUD-01).
DATA_TYPES = {
    "AWS::S3::Bucket",
    "AWS::DynamoDB::Table",
    "AWS::Cognito::UserPool",
    "AWS::Logs::LogGroup",
    "AWS::SecretsManager::Secret",
}


def test_mp_tag_01_every_taggable_resource_tagged(every_stack: SynthesizedStack) -> None:
    stack = every_stack
    expected = {
        names.TAG_PROJECT: names.PROJECT_TAG,
        names.TAG_ENVIRONMENT: stack.config.environment_tag,
        names.TAG_SYSTEM: contract.SYSTEM,
    }
    untagged = {}
    taggable_types = set()
    for logical_id, resource in stack.resources.items():
        prop = _tag_property(resource["Type"])
        if prop is None:
            continue
        taggable_types.add(resource["Type"])
        tags = _tags(resource, prop)
        if any(tags.get(k) != v for k, v in expected.items()):
            untagged[logical_id] = tags
        if tags.get(names.TAG_FUNCTION) not in names.FUNCTIONS:
            untagged[logical_id] = tags
        if resource["Type"] in DATA_TYPES and (
            tags.get(names.TAG_DATA_CLASSIFICATION) not in names.CLASSIFICATION_LABELS
        ):
            untagged[logical_id] = tags
    assert not untagged, f"missing or wrong tags: {untagged}"
    if not stack.stack_id.endswith("-Workload"):
        assert "AWS::S3::Bucket" in taggable_types
        return
    # The schema lookup must really have found the data-holding and compute resources.
    assert {
        "AWS::Lambda::Function",
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::ApiGateway::RestApi",
        "AWS::ApiGateway::Stage",
        "AWS::Logs::LogGroup",
        "AWS::IAM::Role",
    } <= taggable_types


def test_mp_tag_01_tags_on_every_property_named_tags(every_stack: SynthesizedStack) -> None:
    """Independent of the schema: any resource that has a Tags property has our tags in it."""
    stack = every_stack
    for logical_id, resource in stack.resources.items():
        for prop in ("Tags", "UserPoolTags"):
            if prop in resource.get("Properties", {}):
                tags = _tags(resource, prop)
                assert tags.get(names.TAG_PROJECT) == names.PROJECT_TAG, logical_id
                assert tags.get(names.TAG_ENVIRONMENT) == stack.config.environment_tag, logical_id


@pytest.mark.parametrize(
    ("role", "classification"),
    [
        ("web_bucket", names.CLASS_PUBLIC),
        ("data_bucket", names.CLASS_PERSONAL),
        ("application_bucket", names.CLASS_INTERNAL),
        ("backup_bucket", names.CLASS_PERSONAL),
        ("log_bucket", names.CLASS_CONFIDENTIAL),
        ("cloudtrail_bucket", names.CLASS_CONFIDENTIAL),
    ],
)
def test_mp_tag_01_bucket_data_classification(
    stack: SynthesizedStack, role: str, classification: str
) -> None:
    _, bucket = stack.named("AWS::S3::Bucket", "BucketName", getattr(stack.names, role))
    assert _tags(bucket, "Tags")[names.TAG_DATA_CLASSIFICATION] == classification


def test_mp_tag_01_personal_data_in_table_and_user_pool(stack: SynthesizedStack) -> None:
    _, table = stack.only("AWS::DynamoDB::Table")
    _, pool = stack.only("AWS::Cognito::UserPool")
    assert _tags(table, "Tags")[names.TAG_DATA_CLASSIFICATION] == names.CLASS_PERSONAL
    assert _tags(pool, "UserPoolTags")[names.TAG_DATA_CLASSIFICATION] == names.CLASS_PERSONAL


def test_mp_tag_02_tag_based_resource_group(stack: SynthesizedStack) -> None:
    """Design 2.2.1: one group per environment, all supported types, Project + Environment.
    The design's name "Manabi Plus" is not a valid group name; the space becomes a hyphen."""
    _, group = stack.only("AWS::ResourceGroups::Group")
    props = group["Properties"]
    assert props["Name"] == "Manabi-Plus"
    assert props["ResourceQuery"] == {
        "Type": "TAG_FILTERS_1_0",
        "Query": {
            "ResourceTypeFilters": ["AWS::AllSupported"],
            "TagFilters": [
                {"Key": "Project", "Values": ["Manabi Plus"]},
                {"Key": "Environment", "Values": [stack.config.environment_tag]},
            ],
        },
    }
