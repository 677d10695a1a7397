"""The security baseline of an environment's account in one region (GL-SEC-01/02,
docs/decisions/0032): deployed before the environment's other stacks, one stack per account and
region so that no account singleton is created twice.

Tokyo: every service, the Security Hub aggregator, Config's global types, Macie over the data
bucket and the Security Hub alert rule. Osaka and us-east-1: Security Hub, Config, GuardDuty,
Inspector and Access Analyzer, and the GuardDuty alert rule.
"""

from __future__ import annotations

from constructs import Construct

from manabi_infra import names
from manabi_infra.baseline.finding_alerts import FindingAlerts
from manabi_infra.baseline.macie import Macie
from manabi_infra.baseline.services import AGGREGATION_REGION, SecurityServices
from manabi_infra.config import TOKYO, SecurityOwner
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.deployment_stack import DeploymentStack


class BaselineStack(DeploymentStack):
    def __init__(self, scope: Construct, *, deployment: Deployment, region: str) -> None:
        super().__init__(
            scope,
            names.baseline_stack_id(deployment.config, region),
            deployment=deployment,
            region=region,
            description=f"Manabi Plus account security baseline in {region}",
        )
        config = deployment.config
        self.services = SecurityServices(self, "Services", deployment=deployment)
        owned = config.security_owner is SecurityOwner.ACCOUNT
        FindingAlerts(
            self,
            "FindingAlerts",
            deployment=deployment,
            security_hub=owned and region == AGGREGATION_REGION,
        )
        if owned and region == TOKYO:
            Macie(
                self,
                "Macie",
                deployment=deployment,
                bucket_name=deployment.resource_names.data_bucket,
            )
