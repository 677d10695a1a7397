"""Environment tags on every stack (MP-TAG-01)."""

from __future__ import annotations

from aws_cdk import Tags
from constructs import IConstruct

from manabi_contract import names as contract
from manabi_infra import names
from manabi_infra.config import EnvironmentConfig


def environment_tags(config: EnvironmentConfig) -> dict[str, str]:
    """Tags on every taggable resource of the environment (MP-TAG-01)."""
    return {
        names.TAG_PROJECT: names.PROJECT_TAG,
        names.TAG_ENVIRONMENT: config.environment_tag,
        names.TAG_SYSTEM: contract.SYSTEM,
    }


def tag_environment(config: EnvironmentConfig, scope: IConstruct | None = None) -> dict[str, str]:
    """Return the environment tags; with a scope, also tag every resource in it.

    Stack tags make CloudFormation tag what it creates; the resource tags put them into the
    template too, where tests, the inventory and the local provisioner read them.
    """
    tags = environment_tags(config)
    if scope is not None:
        for key, value in tags.items():
            Tags.of(scope).add(key, value)
    return tags
