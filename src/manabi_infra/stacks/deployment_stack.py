"""What the three stacks of an environment share: its account, its tags, its deployment."""

from __future__ import annotations

from aws_cdk import Environment, Stack
from constructs import Construct

from manabi_infra.deployment import Deployment
from manabi_infra.stacks.tagging import tag_environment


class DeploymentStack(Stack):
    """A stack of one deployment, in the environment's account and in `region`. Its description
    ends with the environment's name; it and every resource in it carry the environment's tags
    (MP-TAG-01)."""

    def __init__(
        self,
        scope: Construct,
        stack_id: str,
        *,
        deployment: Deployment,
        region: str,
        description: str,
        cross_region_references: bool = False,
    ) -> None:
        config = deployment.config
        super().__init__(
            scope,
            stack_id,
            env=Environment(account=config.account, region=region),
            description=f"{description} ({config.environment_tag})",
            tags=tag_environment(config),  # stack tags: CloudFormation adds them to what it creates
            cross_region_references=cross_region_references,
        )
        tag_environment(config, self)
        self.deployment = deployment
