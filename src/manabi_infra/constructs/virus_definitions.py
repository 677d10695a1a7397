"""Daily ClamAV definitions (MP-AV-04): the updater, its schedule and the staleness alarm.

The updater (same image as the scanner, another handler) runs every hour. When the newest
published set is older than UPDATE_AFTER_HOURS it runs freshclam against the configured mirror,
proves that the new set detects EICAR and publishes it under `definitions/<version>/` with a
manifest written last; otherwise it only reports the age. So a set is published once a day, and a
failed refresh is tried again within the hour. Every run reports the age of the newest set; the
alarm fires when it passes STALE_AFTER_HOURS, or when the updater stops reporting.
"""

from __future__ import annotations

from aws_cdk import Duration, Size, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract import storage
from manabi_infra import names
from manabi_infra.constructs.alerts import RUNBOOK, Alerts
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment, DeploymentConstruct
from manabi_infra.scanner_image import scanner_image

UPDATE_EVERY_HOURS = 1
UPDATE_AFTER_HOURS = 24  # once a day
STALE_AFTER_HOURS = 26
# Memory of a function running clamd on a full set (bench/clamd_memory.py, docs/virus-scan.md):
# clamd peaked at 1.3 GB on 3.6 M signatures (today's set) and at 2.5 GB on 8.7 M (the set's size
# before ClamAV retired old signatures in 2025); with Python and boto3 (~80 MB) 3072 MB holds
# either, and the larger share of CPU that comes with it shortens the database load.
CLAMD_MEMORY_MB = 3072
UPDATER_MEMORY_MB = CLAMD_MEMORY_MB  # freshclam and the EICAR proof hold one set, like a scanner
UPDATER_TIMEOUT = Duration.minutes(10)
# The definitions live in /tmp: ~400 MB a set, twice while a new set replaces the old one.
DEFINITIONS_STORAGE = Size.mebibytes(2048)
SCANNER_REFRESH_MINUTES = 60  # how often a warm scanner looks for a newer set


class VirusDefinitions(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        bucket: s3.IBucket,
        alerts: Alerts,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.bucket = bucket
        self.sets = bucket.arn_for_objects(f"{storage.DEFINITIONS_PREFIX}*")
        log_group, self.role = function_logs_and_role(
            self,
            "Updater",
            log_group_name=self.resource_names.updater_log_group,
            role_name=self.resource_names.updater_role,
            description="Runtime role of the Manabi Plus virus-definitions updater",
        )
        self.role.add_to_policy(self._list_sets("ListDefinitionSets"))
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="PublishAndPruneSets",
                actions=["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
                resources=[self.sets],
            )
        )
        self.function = lambda_.DockerImageFunction(
            self,
            "Updater",
            function_name=self.resource_names.updater_function,
            description="Manabi Plus virus definitions: daily freshclam, EICAR proof, publish",
            code=scanner_image(contract.UPDATER_HANDLER),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=UPDATER_MEMORY_MB,
            ephemeral_storage_size=DEFINITIONS_STORAGE,
            timeout=UPDATER_TIMEOUT,
            reserved_concurrent_executions=1,  # one publisher at a time
            role=self.role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                env.DEFINITIONS_BUCKET: bucket.bucket_name,
                env.CLAMAV_MIRROR: self.config.clamav_mirror,
                env.UPDATE_AFTER_HOURS: str(UPDATE_AFTER_HOURS),
                **powertools_environment(self.config, contract.UPDATER_SERVICE),
            },
        )
        self.schedule = events.Rule(
            self,
            "UpdateSchedule",
            description="Refresh the ClamAV definitions once a day, check their age hourly",
            schedule=events.Schedule.rate(Duration.hours(UPDATE_EVERY_HOURS)),
            targets=[targets.LambdaFunction(self.function, retry_attempts=2)],
        )
        self.age_alarm = cloudwatch.Alarm(
            self,
            "StaleAlarm",
            alarm_name=f"{self.resource_names.updater_function}-stale",
            alarm_description=(
                f"The newest virus definitions are older than {STALE_AFTER_HOURS} h, or the "
                "updater stopped reporting (MP-AV-04). Check the updater's log and the mirror. "
                f"Runbook: {RUNBOOK}#definitions-stale"
            ),
            metric=cloudwatch.Metric(
                namespace=contract.METRICS_NAMESPACE,
                metric_name=contract.DEFINITIONS_AGE_METRIC,
                # The updater's code sets this dimension itself (manabi_scanner.updater
                # .emf_emitter), not from its POWERTOOLS_SERVICE_NAME.
                dimensions_map={"service": contract.SCANNER_SERVICE},
                statistic=cloudwatch.Stats.MAXIMUM,
                period=Duration.hours(UPDATE_EVERY_HOURS),
            ),
            threshold=STALE_AFTER_HOURS,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.BREACHING,
        )
        alerts.notify(self.age_alarm)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def _list_sets(self, sid: str) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid=sid,
            actions=["s3:ListBucket"],
            resources=[self.bucket.bucket_arn],
            conditions={"StringLike": {"s3:prefix": [f"{storage.DEFINITIONS_PREFIX}*"]}},
        )

    def grant_load(self, role: iam.IRole, function: lambda_.Function) -> None:
        """A scanner finds and downloads the newest set (read only)."""
        role.add_to_principal_policy(self._list_sets("ListDefinitionSets"))
        role.add_to_principal_policy(
            iam.PolicyStatement(
                sid="LoadDefinitionSets", actions=["s3:GetObject"], resources=[self.sets]
            )
        )
        function.add_environment(env.DEFINITIONS_BUCKET, self.bucket.bucket_name)
        function.add_environment(env.DEFINITIONS_REFRESH_MINUTES, str(SCANNER_REFRESH_MINUTES))
