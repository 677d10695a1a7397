"""What every provisioning function is given, what it returns, and the helpers they share.

One `TypeRules` per PROVISIONED type: the function that creates it, the properties it passes on
and the ones it ignores (with the reason). The service modules (dynamodb, s3, sqs, sns, kms,
cognito) declare them; `registry.RULES` collects them by CloudFormation type.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from manabi_local.emulator import ACCOUNT_ID, REGION
from manabi_local.provisioning.clients import EmulatorClients
from manabi_local.template import Resolver, Resource, TemplateError

T = TypeVar("T")


class ProvisioningError(TemplateError):
    """The template cannot be reproduced locally as it is."""


@dataclass(frozen=True)
class Created:
    """What Ref returns for the new resource, and its Fn::GetAtt attributes."""

    physical_id: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class ProvisioningContext:
    clients: EmulatorClients
    resolver: Resolver
    web_origin: str
    region: str = REGION
    account_id: str = ACCOUNT_ID


# The function gets the resource and its properties resolved, without the ignored ones.
CreateFunction = Callable[[Resource, dict[str, Any], ProvisioningContext], Created]


@dataclass(frozen=True)
class TypeRules:
    """How one PROVISIONED type is created: the function, and what it does with each property."""

    create: CreateFunction
    passed: frozenset[str]
    ignored: Mapping[str, str]  # property -> why the local mode does without it

    def source_file(self) -> str:
        """The module that declares these rules, where a new property must be classified."""
        return f"src/{self.create.__module__.replace('.', '/')}.py"


def check_properties(resource: Resource, rules: TypeRules) -> None:
    unknown = set(resource.properties) - rules.passed - set(rules.ignored)
    if unknown:
        raise ProvisioningError(
            f"{resource.logical_id} ({resource.type}) has properties the local mode does not "
            f"handle: {', '.join(sorted(unknown))}. Pass them on or ignore them with a reason in "
            f"{rules.source_file()}."
        )


def existing(describe: Callable[[], T], *not_found: str) -> T | None:
    """What `describe` returns, or None when the emulator answers with one of the `not_found`
    error codes: every provisioning function looks before it creates (idempotent runs)."""
    try:
        return describe()
    except ClientError as error:
        if str(error.response.get("Error", {}).get("Code", "")) in not_found:
            return None
        raise


def pick(properties: Mapping[str, Any], *keys: str) -> dict[str, Any]:
    """The `keys` that `properties` has, in the order of `properties`."""
    return {k: v for k, v in properties.items() if k in keys}


def tags(properties: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags", [])]


def attribute_string(value: Any) -> str:
    """SQS and SNS attributes are strings; JSON booleans become "true"/"false"."""
    return str(value).lower() if isinstance(value, bool) else str(value)
