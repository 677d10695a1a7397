"""AWS::SQS::Queue: the ClamAV scan queue and its dead-letter queue."""

from __future__ import annotations

import json
from typing import Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    TypeRules,
    attribute_string,
    tags,
)
from manabi_local.template import Resource

# Passed on as queue attributes, under the same names.
_QUEUE_ATTRIBUTES = frozenset(
    {
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "SqsManagedSseEnabled",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "RedrivePolicy",
        "RedriveAllowPolicy",
    }
)


def _queue(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    name: str = props.get("QueueName") or resource.logical_id
    attributes = {
        key: json.dumps(value) if isinstance(value, dict) else attribute_string(value)
        for key, value in props.items()
        if key in _QUEUE_ATTRIBUTES
    }
    queue_tags = {t["Key"]: t["Value"] for t in tags(props)}
    url: str = ctx.clients.sqs.create_queue(
        QueueName=name, Attributes=attributes, **({"tags": queue_tags} if queue_tags else {})
    )["QueueUrl"]
    arn = f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{name}"
    return Created(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})


RULES = {"AWS::SQS::Queue": TypeRules(_queue, _QUEUE_ATTRIBUTES | {"QueueName", "Tags"}, {})}
