"""The daily backups (MP-BAK-02, MP-BAK-03; docs/decisions/0034): one function, once a day.

It exports the table (`ExportTableToPointInTime`, one per day) and copies the data bucket's
changed objects with their verdict tags into the backup bucket, which replicates to Osaka in
production (constructs/storage.py). Its role may do exactly that on the named table and buckets:
export and describe the table, read the data bucket's versions and tags (it is one of the readers
of unscanned objects, constructs/virus_scan.py), write and read the backup bucket.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment, DeploymentConstruct

HANDLER = "manabi_ops.handler.handler"
# 03:00 JST, after the day's classes; the export itself runs on inside DynamoDB.
SCHEDULE = events.Schedule.cron(minute="0", hour="18")
TIMEOUT = Duration.minutes(15)


class DailyBackups(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        code_dir: Path,
        table: dynamodb.ITable,
        data_bucket: s3.IBucket,
        backup_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        rn = self.resource_names
        log_group, self.role = function_logs_and_role(
            self,
            "Backup",
            log_group_name=rn.backup_log_group,
            role_name=rn.backup_function_role,
            description="Runtime role of the Manabi Plus daily backups",
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ExportTheTable",
                actions=["dynamodb:ExportTableToPointInTime", "dynamodb:DescribeTable"],
                resources=[table.table_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="DescribeItsExports",
                actions=["dynamodb:DescribeExport"],
                resources=[f"{table.table_arn}/export/*"],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ListTheData",
                actions=["s3:ListBucket", "s3:ListBucketVersions"],
                resources=[data_bucket.bucket_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadTheDataAndVerdicts",
                actions=[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                ],
                resources=[data_bucket.arn_for_objects("*")],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ListTheBackups",
                actions=["s3:ListBucket"],
                resources=[backup_bucket.bucket_arn],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="WriteTheBackups",
                actions=[
                    "s3:PutObject",
                    "s3:PutObjectTagging",
                    "s3:GetObject",
                    "s3:AbortMultipartUpload",
                ],
                resources=[backup_bucket.arn_for_objects("*")],
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=rn.backup_function,
            description="Manabi Plus daily backups: table export and data copy with verdicts",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            code=lambda_.Code.from_asset(str(code_dir)),
            handler=HANDLER,
            memory_size=512,
            timeout=TIMEOUT,
            reserved_concurrent_executions=1,  # one backup at a time
            role=self.role,
            log_group=log_group,
            environment={
                **powertools_environment(self.config, contract.BACKUP_SERVICE),
                env.TABLE_NAME: table.table_name,
                env.DATA_BUCKET: data_bucket.bucket_name,
                env.BACKUP_BUCKET: backup_bucket.bucket_name,
            },
        )
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        self.schedule = events.Rule(
            self,
            "Schedule",
            description="Daily backups of the table and the data bucket (MP-BAK-02/03)",
            schedule=SCHEDULE,
            targets=[targets.LambdaFunction(self.function, retry_attempts=2)],
        )
