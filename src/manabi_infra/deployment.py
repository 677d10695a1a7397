"""What every construct of one environment works from: its configuration and the physical names
derived from it (`manabi_contract.resources`), carried together as one `Deployment`.

    deployment = Deployment(STAGING)
    Alerts(stack, "Alerts", deployment=deployment)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from constructs import Construct

from manabi_contract.resources import ResourceNames
from manabi_infra import names
from manabi_infra.config import EnvironmentConfig


@dataclass(frozen=True)
class Deployment:
    """One environment as the CDK app builds it; its names always follow its configuration."""

    config: EnvironmentConfig

    @cached_property
    def resource_names(self) -> ResourceNames:
        return names.resource_names(self.config)


class DeploymentConstruct(Construct):
    """A construct of one deployment: `config` and `resource_names` are the environment's."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id)
        self.deployment = deployment

    @property
    def config(self) -> EnvironmentConfig:
        return self.deployment.config

    @property
    def resource_names(self) -> ResourceNames:
        return self.deployment.resource_names
