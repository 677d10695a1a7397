"""AWS::KMS::Key: the alert topic's key, created so the resources that name it resolve."""

from __future__ import annotations

from typing import Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    TypeRules,
    existing,
    pick,
)
from manabi_local.template import Resource

_KEY_PASSED = frozenset({"Description", "EnableKeyRotation", "KeyUsage", "KeySpec", "Tags"})
_KEY_IGNORED = {"KeyPolicy": "moto does not enforce key policies (IAM)"}


def _key(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    kms = ctx.clients.kms
    # Keys have no names: a local alias finds the key again when provisioning runs twice.
    alias = f"alias/manabi-local/{resource.logical_id}"
    key = existing(lambda: kms.describe_key(KeyId=alias)["KeyMetadata"], "NotFoundException")
    if key is None:
        key = kms.create_key(**pick(props, "Description", "KeyUsage", "KeySpec"))["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
    return Created(key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]})


RULES = {"AWS::KMS::Key": TypeRules(_key, _KEY_PASSED, _KEY_IGNORED)}
