"""The environment's CloudTrail trail (GL-SEC-03, the trail side of MP-LOG-02).

One multi-region trail per account (each environment has its own account and one workload stack):
management events of every region, S3 data events of the data and backup buckets (not the trail's
own bucket, which would log its own writes), log file validation, log files encrypted with a key
of its own and delivered to CloudWatch Logs too. The bucket (Storage, MP-S3-06) is versioned and
expires logs after 761 days. CDK's `Trail` does not add `cloudtrail.amazonaws.com` to a customer
key's policy: the statements below do, limited to this account's trails.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import Aws, RemovalPolicy, Tags
from aws_cdk import aws_cloudtrail as cloudtrail
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import retained_log_group
from manabi_infra.deployment import Deployment, DeploymentConstruct


class AuditTrail(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        bucket: s3.Bucket,
        data_event_buckets: Sequence[s3.IBucket],
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        trail_name = self.resource_names.trail
        trail_arn = (
            f"arn:{Aws.PARTITION}:cloudtrail:{Aws.REGION}:{Aws.ACCOUNT_ID}:trail/{trail_name}"
        )
        self.key = kms.Key(
            self,
            "Key",
            description="Encrypts the Manabi Plus CloudTrail log files",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudTrailEncryptLogs",
                principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
                actions=["kms:GenerateDataKey*"],
                resources=["*"],
                conditions={
                    "StringEquals": {"aws:SourceArn": trail_arn},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": (
                            f"arn:{Aws.PARTITION}:cloudtrail:*:{Aws.ACCOUNT_ID}:trail/*"
                        )
                    },
                },
            )
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudTrailDescribeKey",
                principals=[iam.ServicePrincipal("cloudtrail.amazonaws.com")],
                actions=["kms:DescribeKey"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
            )
        )
        # Readers of the log files (the operators' roles) decrypt them within this account.
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="AccountDecryptLogs",
                principals=[iam.AccountRootPrincipal()],
                actions=["kms:Decrypt", "kms:ReEncryptFrom"],
                resources=["*"],
                conditions={
                    "StringEquals": {"kms:CallerAccount": Aws.ACCOUNT_ID},
                    "StringLike": {
                        "kms:EncryptionContext:aws:cloudtrail:arn": (
                            f"arn:{Aws.PARTITION}:cloudtrail:*:{Aws.ACCOUNT_ID}:trail/*"
                        )
                    },
                },
            )
        )
        self.log_group = retained_log_group(self, "Logs", f"/aws/cloudtrail/{trail_name}")
        self.trail = cloudtrail.Trail(
            self,
            "Trail",
            trail_name=trail_name,
            # Imported: CDK's Trail would add its own bucket-policy statements, without the
            # aws:SourceArn condition of Storage's (MP-S3-06).
            bucket=s3.Bucket.from_bucket_attributes(
                self, "Bucket", bucket_arn=bucket.bucket_arn, bucket_name=bucket.bucket_name
            ),
            encryption_key=self.key,
            is_multi_region_trail=True,
            include_global_service_events=True,
            enable_file_validation=True,
            send_to_cloud_watch_logs=True,
            cloud_watch_log_group=self.log_group,
            management_events=cloudtrail.ReadWriteType.ALL,
        )
        self.trail.node.add_dependency(bucket)  # its policy exists before the trail
        self.trail.add_s3_event_selector(
            [cloudtrail.S3EventSelector(bucket=b) for b in data_event_buckets],
            read_write_type=cloudtrail.ReadWriteType.ALL,
            include_management_events=True,
        )
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        Tags.of(self.log_group).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
