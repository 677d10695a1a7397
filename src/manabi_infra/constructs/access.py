"""Access roles of the people who run the system (MP-IAM-01).

The design's IAM users (6.1) become roles: nobody has long-lived credentials in a workload
account. Users live in the IAM-management account and assume a role here with MFA.

- cfn-admin: the managed policies the design lists for the CloudFormation administrator.
- operations: read every log; back up and restore the data storage.
- backup: back up the data storage into the backup bucket.
- developer: Cognito power user, S3 read-only, manage the API function.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract.backups import RESTORED_INFIX
from manabi_infra import names
from manabi_infra.deployment import Deployment, DeploymentConstruct

CFN_ADMIN_POLICIES = (
    "AmazonS3FullAccess",
    "AmazonDynamoDBFullAccess",
    "AmazonAPIGatewayAdministrator",
    "AmazonCognitoPowerUser",
    "AWSWAFFullAccess",
    "AmazonRoute53FullAccess",
    "AWSCloudFormationFullAccess",
    "AWSLambda_FullAccess",
    "IAMFullAccess",
)
DEVELOPER_POLICIES = ("AmazonCognitoPowerUser", "AmazonS3ReadOnlyAccess")
OPERATIONS_POLICIES = ("CloudWatchLogsReadOnlyAccess",)
MAX_SESSION = Duration.hours(1)
# The log group DynamoDB's ImportTable writes its errors to, in the caller's name.
IMPORT_LOG_GROUPS = "/aws-dynamodb/*"
AUTOSCALING_SERVICE = "dynamodb.application-autoscaling.amazonaws.com"
AUTOSCALING_ROLE = (
    f"aws-service-role/{AUTOSCALING_SERVICE}/AWSServiceRoleForApplicationAutoScaling_DynamoDBTable"
)
SCALED_DIMENSIONS = ("dynamodb:table:ReadCapacityUnits", "dynamodb:table:WriteCapacityUnits")


def restored_tables(table: str) -> str:
    """The names `restore-table` may create for the environment's `table`: `<table>-restored-*`
    (a restore of a restored table, after a switch, still matches)."""
    return f"{table}{RESTORED_INFIX}*"


@dataclass(frozen=True)
class TableRestoreArns:
    """The ARNs of `grant_table_restores` in one region and account (cdk-nag's acknowledgments
    in manabi_infra.nag name the same wildcards)."""

    partition: str
    region: str
    account: str
    table: str

    def table_arn(self, name: str) -> str:
        return f"arn:{self.partition}:dynamodb:{self.region}:{self.account}:table/{name}"

    @property
    def restored(self) -> str:
        return self.table_arn(restored_tables(self.table))

    @property
    def imports(self) -> str:
        return f"{self.restored}/import/*"

    @property
    def import_logs(self) -> str:
        return (
            f"arn:{self.partition}:logs:{self.region}:{self.account}:log-group:{IMPORT_LOG_GROUPS}"
        )

    @property
    def scalable_targets(self) -> str:
        """Application Auto Scaling authorizes on `scalable-target/*`: no table in the ARN."""
        return (
            f"arn:{self.partition}:application-autoscaling:{self.region}:{self.account}:"
            "scalable-target/*"
        )

    @property
    def scaling_alarms(self) -> str:
        """The target-tracking alarms of a restored table (`TargetTracking-table/<name>-…`)."""
        return (
            f"arn:{self.partition}:cloudwatch:{self.region}:{self.account}:alarm:"
            f"TargetTracking-table/{restored_tables(self.table)}"
        )

    @property
    def autoscaling_role(self) -> str:
        return f"arn:{self.partition}:iam::{self.account}:role/{AUTOSCALING_ROLE}"


class AccessRoles(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        data_bucket: s3.IBucket,
        backup_bucket: s3.IBucket,
        log_bucket: s3.IBucket,
        api_function: lambda_.IFunction,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        prefix = self.resource_names.access_role_prefix
        self.cfn_admin = self._role("CfnAdmin", f"{prefix}-cfn-admin", CFN_ADMIN_POLICIES)
        self.operations = self._role("Operations", f"{prefix}-operations", OPERATIONS_POLICIES)
        self.backup = self._role("Backup", f"{prefix}-backup", ())
        self.developer = self._role("Developer", f"{prefix}-developer", DEVELOPER_POLICIES)

        # Operations: read the S3-held logs; back up and restore the data storage.
        log_bucket.grant_read(self.operations)
        data_bucket.grant_read_write(self.operations)
        backup_bucket.grant_read_write(self.operations)
        # Backup: copy the data storage into the backup bucket.
        data_bucket.grant_read(self.backup)
        backup_bucket.grant_put(self.backup)
        # Developer: manage the API function (code, configuration, logs).
        self.developer.add_to_policy(
            iam.PolicyStatement(
                sid="ManageApiFunction",
                actions=[
                    "lambda:GetFunction",
                    "lambda:GetFunctionConfiguration",
                    "lambda:UpdateFunctionCode",
                    "lambda:UpdateFunctionConfiguration",
                    "lambda:PublishVersion",
                    "lambda:InvokeFunction",
                ],
                resources=[api_function.function_arn],
            )
        )
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def grant_restores(self, backup_bucket_arns: Sequence[str], data_bucket: s3.IBucket) -> None:
        """What `python -m manabi_ops restore-data` needs (MP-RST-01): read the backup buckets'
        copies with their tags and versions, and copy them with those tags into the data
        bucket. The data bucket's policy lets these copies through only when their source is a
        backup bucket (constructs/virus_scan.py, DenyRestorerButBackupCopies)."""
        self.operations.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ListBucket", "s3:ListBucketVersions"],
                resources=[*backup_bucket_arns, data_bucket.bucket_arn],
            )
        )
        self.operations.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:GetObject",
                    "s3:GetObjectVersion",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                ],
                resources=[f"{arn}/*" for arn in backup_bucket_arns],
            )
        )
        self.operations.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:PutObject",
                    "s3:PutObjectTagging",
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                ],
                resources=[data_bucket.arn_for_objects("*")],
            )
        )

    def grant_table_restores(self, table: str, serving_table: str | None = None) -> None:
        """What `python -m manabi_ops restore-table` (and `switch-table`, and `restore-data
        --table`) call (MP-RST-01, manabi_ops/adapters.py `AwsTables`), in this workload's
        region and account only, never `dynamodb:DeleteTable` nor any backup deletion:

        - the sources: the environment's `table`, the restored tables and the `serving_table`
          a switch points at: DescribeTable, DescribeContinuousBackups (switch-table), Scan (the
          item count, restore-data's re-pointing), PutItem (restore-data `--table`),
          RestoreTableToPointInTime (PITR reads the source);
        - the new tables, `<table>-restored-*` only: ImportTable/DescribeImport, the read and
          write actions PITR needs on its target (AWS: "DynamoDB RestoreTableToPointInTime
          permissions are necessary on the source table, and DynamoDB read and write permissions
          on the target table"), UpdateContinuousBackups, UpdateTable, TagResource (harden), the
          target-tracking alarms Application Auto Scaling creates for them;
        - the import's logs (`/aws-dynamodb/*`, as the DynamoDB import guide lists them);
        - RegisterScalableTarget/PutScalingPolicy: Application Auto Scaling authorizes them on
          `scalable-target/*` only (no table in the ARN), narrowed to DynamoDB tables' read and
          write capacity by its condition keys; its service-linked role may be created, for
          DynamoDB only.
        The table the functions serve from (the environment's, or the `serving_table` of a
        switch) keeps its items: UpdateItem/DeleteItem/BatchWriteItem on it are denied (PutItem
        stays: restore-data re-points its submissions). The S3 reads ImportTable makes (the
        export under `dynamodb/` of a backup bucket) are those `grant_restores` gives on every
        backup bucket restored from. Nothing is granted on `*`: every action here takes a
        resource. ExportTableToPointInTime/DescribeExport are not granted: restore-table never
        exports (`backup-table` is the daily backup function's, constructs/backups.py)."""
        stack = Stack.of(self)
        arns = TableRestoreArns(stack.partition, stack.region, stack.account, table)
        restored = arns.restored
        sources = [arns.table_arn(table), restored]
        if serving_table is not None and not serving_table.startswith(f"{table}{RESTORED_INFIX}"):
            sources.append(arns.table_arn(serving_table))
        served = [arns.table_arn(table)]
        if serving_table is not None:
            served.append(arns.table_arn(serving_table))

        def allow(sid: str, actions: Sequence[str], resources: Sequence[str], **extra: Any) -> None:
            self.operations.add_to_policy(
                iam.PolicyStatement(
                    sid=sid, actions=list(actions), resources=list(resources), **extra
                )
            )

        allow(
            "ReadTheTables",
            [
                "dynamodb:DescribeTable",
                "dynamodb:DescribeContinuousBackups",
                "dynamodb:Scan",
                "dynamodb:PutItem",
                "dynamodb:RestoreTableToPointInTime",
            ],
            sources,
        )
        allow(
            "CreateAndHardenRestoredTables",
            [
                "dynamodb:ImportTable",
                # what RestoreTableToPointInTime needs on its target, besides Scan and PutItem
                "dynamodb:GetItem",
                "dynamodb:Query",
                "dynamodb:UpdateItem",
                "dynamodb:DeleteItem",
                "dynamodb:BatchWriteItem",
                "dynamodb:UpdateContinuousBackups",
                "dynamodb:UpdateTable",
                "dynamodb:TagResource",
            ],
            [restored],
        )
        allow("FollowTheImports", ["dynamodb:DescribeImport"], [arns.imports])
        # The restored table a switch made the serving one keeps its items: only PutItem (the
        # re-pointing of restore-data) writes there.
        self.operations.add_to_policy(
            iam.PolicyStatement(
                sid="KeepTheServedItems",
                effect=iam.Effect.DENY,
                actions=["dynamodb:UpdateItem", "dynamodb:DeleteItem", "dynamodb:BatchWriteItem"],
                resources=served,
            )
        )
        allow(
            "WriteTheImportLogs",
            [
                "logs:CreateLogGroup",
                "logs:CreateLogStream",
                "logs:DescribeLogGroups",
                "logs:DescribeLogStreams",
                "logs:PutLogEvents",
                "logs:PutRetentionPolicy",
            ],
            [arns.import_logs],
        )
        allow(
            "ScaleTheRestoredTables",
            [
                "application-autoscaling:RegisterScalableTarget",
                "application-autoscaling:PutScalingPolicy",
            ],
            [arns.scalable_targets],
            conditions={
                "StringEquals": {
                    "application-autoscaling:service-namespace": "dynamodb",
                    "application-autoscaling:scalable-dimension": list(SCALED_DIMENSIONS),
                }
            },
        )
        allow(
            "AlarmsOfTheScaling",
            ["cloudwatch:PutMetricAlarm", "cloudwatch:DescribeAlarms", "cloudwatch:DeleteAlarms"],
            [arns.scaling_alarms],
        )
        allow(
            "AutoScalingServiceLinkedRole",
            ["iam:CreateServiceLinkedRole"],
            [arns.autoscaling_role],
            conditions={"StringEquals": {"iam:AWSServiceName": AUTOSCALING_SERVICE}},
        )

    def _role(self, construct_id: str, role_name: str, managed: tuple[str, ...]) -> iam.Role:
        principal = iam.AccountPrincipal(self.config.iam_management_account).with_conditions(
            {"Bool": {"aws:MultiFactorAuthPresent": "true"}}
        )
        return iam.Role(
            self,
            construct_id,
            role_name=role_name,
            assumed_by=principal,
            max_session_duration=MAX_SESSION,
            description=f"Manabi Plus access role {role_name}, assumed with MFA",
            managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name(p) for p in managed],
        )
