"""The Osaka DR stack of one environment: the DR backup bucket and its own log bucket (MP-S3-04).

S3 server access logs must go to a bucket in the same region, so Osaka has a log bucket of its
own (761-day lifecycle, like the Tokyo one). The production backup bucket in Tokyo replicates
into the DR bucket; deploy this stack before the workload stack.
"""

from __future__ import annotations

from constructs import Construct

from manabi_infra import names
from manabi_infra.config import OSAKA
from manabi_infra.constructs.alerts import Alerts
from manabi_infra.constructs.storage import backup_bucket, expiring_log_bucket
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.deployment_stack import DeploymentStack


class DrStack(DeploymentStack):
    def __init__(self, scope: Construct, *, deployment: Deployment) -> None:
        super().__init__(
            scope,
            names.dr_stack_id(deployment.config),
            deployment=deployment,
            region=OSAKA,
            description="Manabi Plus DR backups in Osaka",
        )
        resource_names = deployment.resource_names
        self.log_bucket = expiring_log_bucket(
            self, "DrLogBucket", resource_names.dr_log_bucket, names.FUNCTION_OPS
        )
        # The replication destination of the Tokyo backup bucket.
        self.backup_bucket = backup_bucket(
            self, "DrBackupBucket", resource_names.dr_backup_bucket, log_bucket=self.log_bucket
        )
        # AWS Health events of Osaka reach the operators through a topic of this region.
        self.alerts = Alerts(self, "Alerts", deployment=deployment)
