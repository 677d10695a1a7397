"""MP-TAG-01: every taggable resource carries Project, Environment and System."""

from __future__ import annotations

from typing import Any

import pytest
from cfnlint.schema import PROVIDER_SCHEMA_MANAGER

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


def test_mp_tag_01_every_taggable_resource_tagged(stack: SynthesizedStack) -> None:
    expected = {
        names.TAG_PROJECT: names.PROJECT_TAG,
        names.TAG_ENVIRONMENT: stack.config.environment_tag,
        names.TAG_SYSTEM: names.SYSTEM,
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
    assert not untagged, f"missing or wrong tags: {untagged}"
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


def test_mp_tag_01_tags_on_every_property_named_tags(stack: SynthesizedStack) -> None:
    """Independent of the schema: any resource that has a Tags property has our tags in it."""
    for logical_id, resource in stack.resources.items():
        for prop in ("Tags", "UserPoolTags"):
            if prop in resource.get("Properties", {}):
                tags = _tags(resource, prop)
                assert tags.get(names.TAG_PROJECT) == names.PROJECT_TAG, logical_id
                assert tags.get(names.TAG_ENVIRONMENT) == stack.config.environment_tag, logical_id
