"""Every PROVISIONED resource type -> the rules of its service module.

The keys must equal resource_types.PROVISIONED (a unit test checks it): classifying a type and
writing its provisioning function are two deliberate steps.
"""

from __future__ import annotations

from collections.abc import Mapping

from manabi_local.provisioning import cognito, dynamodb, kms, s3, sns, sqs
from manabi_local.provisioning.rules import TypeRules


def _merged(*services: Mapping[str, TypeRules]) -> dict[str, TypeRules]:
    merged: dict[str, TypeRules] = {}
    for rules in services:
        twice = set(merged) & set(rules)
        if twice:
            raise ValueError(f"resource types with two provisioning functions: {sorted(twice)}")
        merged |= rules
    return merged


RULES: Mapping[str, TypeRules] = _merged(
    dynamodb.RULES, s3.RULES, sqs.RULES, sns.RULES, kms.RULES, cognito.RULES
)
