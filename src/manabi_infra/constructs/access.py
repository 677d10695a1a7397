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

from aws_cdk import Duration, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

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
