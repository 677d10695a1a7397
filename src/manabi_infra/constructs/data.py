"""The single DynamoDB table of the application (MP-DDB-01..04, MP-BAK-01)."""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_dynamodb as dynamodb
from constructs import Construct

from manabi_contract.table import PARTITION_KEY, SORT_KEY, TIME_TO_LIVE
from manabi_infra.deployment import Deployment, DeploymentConstruct

# Provisioned capacity with target tracking, as the design sets it (MP-DDB-02). The alternative
# (on-demand with caps) needs a written cost comparison first.
BASE_CAPACITY = 5
MAX_CAPACITY = 100
TARGET_UTILIZATION_PERCENT = 70
SCALING_COOLDOWN = Duration.seconds(60)
PITR_RECOVERY_DAYS = 35


class Data(DeploymentConstruct):
    """Single table: `PK`/`SK` strings, no secondary index; access patterns are Get/Query only."""

    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.table = dynamodb.Table(
            self,
            "Table",
            table_name=self.resource_names.table,
            partition_key=dynamodb.Attribute(
                name=PARTITION_KEY, type=dynamodb.AttributeType.STRING
            ),
            sort_key=dynamodb.Attribute(name=SORT_KEY, type=dynamodb.AttributeType.STRING),
            billing_mode=dynamodb.BillingMode.PROVISIONED,
            read_capacity=BASE_CAPACITY,
            write_capacity=BASE_CAPACITY,
            # AWS-owned key: the design's "default encryption type" (MP-DDB-03).
            encryption=dynamodb.TableEncryption.DEFAULT,
            point_in_time_recovery_specification=dynamodb.PointInTimeRecoverySpecification(
                point_in_time_recovery_enabled=True,
                recovery_period_in_days=PITR_RECOVERY_DAYS,
            ),
            # Usage counters (uploads per learner per hour, GL-SEC-04) expire by themselves.
            time_to_live_attribute=TIME_TO_LIVE,
            deletion_protection=self.config.deletion_protection,
            # Learner data outlives the stack: deleting the stack must never delete the table.
            removal_policy=RemovalPolicy.RETAIN,
        )
        # What every function reads and writes: the table, or after a restore the restored one
        # (`serving_table`, MP-RST-01); the table above is kept either way.
        self.serving: dynamodb.ITable = (
            self.table
            if self.config.serving_table is None
            else dynamodb.Table.from_table_name(self, "ServingTable", self.config.serving_table)
        )
        for scaling in (
            self.table.auto_scale_read_capacity(
                min_capacity=BASE_CAPACITY, max_capacity=MAX_CAPACITY
            ),
            self.table.auto_scale_write_capacity(
                min_capacity=BASE_CAPACITY, max_capacity=MAX_CAPACITY
            ),
        ):
            scaling.scale_on_utilization(
                target_utilization_percent=TARGET_UTILIZATION_PERCENT,
                scale_in_cooldown=SCALING_COOLDOWN,
                scale_out_cooldown=SCALING_COOLDOWN,
            )
