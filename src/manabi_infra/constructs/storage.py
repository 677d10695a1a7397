"""The S3 buckets of the design (MP-S3-01..03, MP-S3-05).

Every bucket: Block Public Access (all four), TLS-only (1.2+) bucket policy, SSE-S3, ACLs disabled
(BucketOwnerEnforced), kept when the stack is deleted. The web, data and application buckets log
their server access to the log bucket under the design's prefixes; with ACLs disabled, S3 log
delivery is granted by the log bucket's policy (feature flag `serverAccessLogsUseBucketPolicy`).
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_infra import names

# The design keeps logs for 25 months (761 days), then deletes them for good (MP-S3-05).
LOG_EXPIRATION = Duration.days(761)


class Storage(Construct):
    def __init__(
        self, scope: Construct, construct_id: str, *, resource_names: names.ResourceNames
    ) -> None:
        super().__init__(scope, construct_id)
        self.log_bucket = _bucket(
            self,
            "LogBucket",
            resource_names.log_bucket,
            lifecycle_rules=[s3.LifecycleRule(id="expire-logs", expiration=LOG_EXPIRATION)],
        )
        self.web_bucket = _bucket(
            self,
            "WebBucket",
            resource_names.web_bucket,
            access_logs=(self.log_bucket, names.ACCESS_LOG_PREFIX_WEB),
        )
        self.data_bucket = _bucket(
            self,
            "DataBucket",
            resource_names.data_bucket,
            access_logs=(self.log_bucket, names.ACCESS_LOG_PREFIX_DATA),
        )
        self.application_bucket = _bucket(
            self,
            "ApplicationBucket",
            resource_names.application_bucket,
            access_logs=(self.log_bucket, names.ACCESS_LOG_PREFIX_APPLICATION),
        )


def _bucket(
    scope: Construct,
    construct_id: str,
    bucket_name: str,
    *,
    access_logs: tuple[s3.IBucket, str] | None = None,
    lifecycle_rules: list[s3.LifecycleRule] | None = None,
) -> s3.Bucket:
    log_bucket, log_prefix = access_logs if access_logs else (None, None)
    return s3.Bucket(
        scope,
        construct_id,
        bucket_name=bucket_name,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        server_access_logs_bucket=log_bucket,
        server_access_logs_prefix=log_prefix,
        lifecycle_rules=lifecycle_rules,
        removal_policy=RemovalPolicy.RETAIN,
    )
