"""AWS::SNS::Topic: the operators' alert topic (its subscriptions stay in the cloud)."""

from __future__ import annotations

from typing import Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    TypeRules,
    attribute_string,
    pick,
)
from manabi_local.template import Resource

_TOPIC_PASSED = frozenset({"TopicName", "DisplayName", "KmsMasterKeyId", "FifoTopic", "Tags"})
_TOPIC_IGNORED = {
    "Subscription": "subscriptions (alert e-mails) have no local recipient",
    "TracingConfig": "X-Ray is cloud only",
}


def _topic(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    name: str = props.get("TopicName") or resource.logical_id
    attributes = {
        key: attribute_string(value)
        for key, value in pick(props, "DisplayName", "KmsMasterKeyId", "FifoTopic").items()
    }
    arn: str = ctx.clients.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return Created(arn, {"TopicArn": arn, "TopicName": name})


RULES = {"AWS::SNS::Topic": TypeRules(_topic, _TOPIC_PASSED, _TOPIC_IGNORED)}
