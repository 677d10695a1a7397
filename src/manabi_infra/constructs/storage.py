"""The S3 buckets of the design in Tokyo (MP-S3-01..06, MP-WAF-03, MP-CF-04, MP-ENC-01).

Every bucket: Block Public Access (all four), TLS-only (1.2+) bucket policy, SSE-S3, kept when the
stack is deleted, tagged with its data classification (GL-AUD-01). The web, data, application,
backup and cloudtrail buckets log their server access to the log bucket under the design's
prefixes; S3 log delivery is granted by the log bucket's policy (feature flag
`serverAccessLogsUseBucketPolicy`).

The log bucket keeps ACLs enabled for the log-delivery account only (BucketOwnerPreferred):
CloudFront's access logs with the design's prefixes `cf-website/` and `cf-api/` are written with
an ACL grant (docs/decisions/0005). WAF logs go to a sibling bucket whose name starts with
`aws-waf-logs-`, the name WAF requires for direct delivery to S3 (MP-WAF-03).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

from aws_cdk import Aws, Duration, RemovalPolicy, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract import backups as backup_layout
from manabi_infra import names
from manabi_infra.deployment import Deployment, DeploymentConstruct

# The design keeps logs for 25 months (761 days), then deletes them for good (MP-S3-05/06).
LOG_EXPIRATION_DAYS = 761
LOG_EXPIRATION = Duration.days(LOG_EXPIRATION_DAYS)
# Old versions in versioned buckets: kept as long as the DB's PITR window (MP-BAK-01).
NONCURRENT_VERSION_DAYS = 35
# Backup copies: Object Lock in COMPLIANCE mode for the retention (nobody, not even the account's
# root user, shortens or removes it), then the lifecycle expires them (MP-BAK-04, decision 0034).
BACKUP_RETENTION_DAYS = backup_layout.RETENTION_DAYS
BACKUP_EXPIRE_AFTER_DAYS = backup_layout.EXPIRE_AFTER_DAYS
# What no principal may do on a backup bucket: weaken its lock or bypass a retention.
LOCK_CHANGING_ACTIONS = (
    "s3:PutBucketObjectLockConfiguration",
    "s3:BypassGovernanceRetention",
    "s3:PutObjectRetention",
    "s3:PutObjectLegalHold",
)


@dataclass(frozen=True)
class BucketSpec:
    """What differs between the buckets: name, classification, lifecycle, versions."""

    name: str
    classification: str
    function: str
    expire_after_days: int | None = None
    versioned: bool = False
    acl_log_delivery: bool = False  # ACLs enabled for CloudFront's legacy log delivery
    upload_origin: str | None = None  # the web origin that POSTs files straight to the bucket
    locked_days: int | None = None  # Object Lock COMPLIANCE default retention (backups)


class AccessLogs(NamedTuple):
    """Where a bucket's server access logs go: a log bucket of its region, under a prefix."""

    bucket: s3.IBucket
    prefix: str


def _upload_cors(origin: str | None) -> list[s3.CorsRule] | None:
    """Presigned POST uploads from the SPA (APP-ASG-02); downloads are plain links."""
    if origin is None:
        return None
    return [
        s3.CorsRule(
            id="browser-uploads",
            allowed_methods=[s3.HttpMethods.POST],
            allowed_origins=[origin],
            allowed_headers=["*"],
            exposed_headers=["ETag", "x-amz-version-id"],
            max_age=3000,
        )
    ]


def expiring_logs(days: int, *, keep_old_versions: bool = False) -> list[s3.LifecycleRule]:
    """Delete logs after `days`; an overwritten or deleted log version is kept as long where
    `keep_old_versions` (the versioned CloudTrail bucket, MP-BAK-04), else for a day."""
    return [
        s3.LifecycleRule(
            id="expire-logs",
            expiration=Duration.days(days),
            noncurrent_version_expiration=Duration.days(days if keep_old_versions else 1),
            abort_incomplete_multipart_upload_after=Duration.days(7),
        )
    ]


def private_bucket(
    scope: Construct,
    construct_id: str,
    spec: BucketSpec,
    *,
    access_logs: AccessLogs | None = None,
) -> s3.Bucket:
    """One bucket of the design: private, TLS-only, SSE-S3, retained, tagged; it logs its
    server access where `access_logs` says."""
    lifecycle: list[s3.LifecycleRule] = []
    if spec.expire_after_days is not None:
        lifecycle = expiring_logs(spec.expire_after_days, keep_old_versions=spec.versioned)
    elif spec.locked_days is not None:
        lifecycle = [
            s3.LifecycleRule(
                id="expire-backups-after-retention",
                expiration=Duration.days(BACKUP_EXPIRE_AFTER_DAYS),
                noncurrent_version_expiration=Duration.days(1),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ]
    elif spec.versioned:
        lifecycle = [
            s3.LifecycleRule(
                id="expire-old-versions",
                noncurrent_version_expiration=Duration.days(NONCURRENT_VERSION_DAYS),
                abort_incomplete_multipart_upload_after=Duration.days(7),
            )
        ]
    bucket = s3.Bucket(
        scope,
        construct_id,
        bucket_name=spec.name,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        minimum_tls_version=1.2,
        encryption=s3.BucketEncryption.S3_MANAGED,
        object_ownership=(
            s3.ObjectOwnership.BUCKET_OWNER_PREFERRED
            if spec.acl_log_delivery
            else s3.ObjectOwnership.BUCKET_OWNER_ENFORCED
        ),
        versioned=spec.versioned or None,
        server_access_logs_bucket=access_logs.bucket if access_logs else None,
        server_access_logs_prefix=access_logs.prefix if access_logs else None,
        lifecycle_rules=lifecycle or None,
        cors=_upload_cors(spec.upload_origin),
        removal_policy=RemovalPolicy.RETAIN,
        object_lock_enabled=True if spec.locked_days is not None else None,
        object_lock_default_retention=(
            s3.ObjectLockRetention.compliance(Duration.days(spec.locked_days))
            if spec.locked_days is not None
            else None
        ),
    )
    Tags.of(bucket).add(names.TAG_DATA_CLASSIFICATION, spec.classification)
    Tags.of(bucket).add(names.TAG_FUNCTION, spec.function)
    return bucket


def expiring_log_bucket(
    scope: Construct,
    construct_id: str,
    name: str,
    function: str,
    *,
    acl_log_delivery: bool = False,
    access_logs: AccessLogs | None = None,
    versioned: bool = False,
) -> s3.Bucket:
    """A bucket of logs: confidential, each object deleted after 761 days (MP-S3-05/06)."""
    spec = BucketSpec(
        name,
        names.CLASS_CONFIDENTIAL,
        function,
        expire_after_days=LOG_EXPIRATION_DAYS,
        versioned=versioned,
        acl_log_delivery=acl_log_delivery,
    )
    return private_bucket(scope, construct_id, spec, access_logs=access_logs)


def waf_log_bucket(
    scope: Construct, construct_id: str, name: str, *, source_region: str
) -> s3.Bucket:
    """The bucket a WebACL of `source_region` logs to directly (MP-WAF-03)."""
    bucket = expiring_log_bucket(scope, construct_id, name, names.FUNCTION_SECURITY)
    allow_log_delivery(bucket, source_region)
    return bucket


def backup_bucket(
    scope: Construct, construct_id: str, name: str, *, log_bucket: s3.IBucket
) -> s3.Bucket:
    """A bucket of the daily backups, in Tokyo or Osaka (MP-S3-04, MP-BAK-04). Versioned:
    replication needs it on both ends, and a backup must survive an overwrite. Object Lock in
    COMPLIANCE mode keeps every copy for BACKUP_RETENTION_DAYS; the policy denies everyone the
    calls that change a lock, so the operations role restores but never shortens a retention."""
    bucket = private_bucket(
        scope,
        construct_id,
        BucketSpec(
            name,
            names.CLASS_PERSONAL,
            names.FUNCTION_OPS,
            versioned=True,
            locked_days=BACKUP_RETENTION_DAYS,
        ),
        access_logs=AccessLogs(log_bucket, names.ACCESS_LOG_PREFIX_BACKUP),
    )
    bucket.add_to_resource_policy(
        iam.PolicyStatement(
            sid="DenyChangingLocks",
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=list(LOCK_CHANGING_ACTIONS),
            resources=[bucket.bucket_arn, bucket.arn_for_objects("*")],
        )
    )
    return bucket


def allow_log_delivery(bucket: s3.Bucket, source_region: str) -> None:
    """Bucket policy for WAF's direct log delivery (`delivery.logs.amazonaws.com`)."""
    acl_check, write = log_delivery_statements(
        bucket,
        service="delivery.logs.amazonaws.com",
        sid="AWSLogDelivery",
        conditions={
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
            "ArnLike": {
                "aws:SourceArn": f"arn:{Aws.PARTITION}:logs:{source_region}:{Aws.ACCOUNT_ID}:*"
            },
        },
    )
    bucket.add_to_resource_policy(write)
    bucket.add_to_resource_policy(acl_check)


def log_delivery_statements(
    bucket: s3.IBucket, *, service: str, sid: str, conditions: dict[str, dict[str, str]]
) -> tuple[iam.PolicyStatement, iam.PolicyStatement]:
    """What a service that delivers logs into `bucket` is allowed, under `conditions`: check the
    bucket's ACL (`<sid>AclCheck`), and write under `AWSLogs/<account>/` objects the bucket owner
    fully controls (`<sid>Write`)."""
    principal = iam.ServicePrincipal(service)
    acl_check = iam.PolicyStatement(
        sid=f"{sid}AclCheck",
        principals=[principal],
        actions=["s3:GetBucketAcl"],
        resources=[bucket.bucket_arn],
        conditions=conditions,
    )
    owner_controls = {"s3:x-amz-acl": "bucket-owner-full-control"}
    write = iam.PolicyStatement(
        sid=f"{sid}Write",
        principals=[principal],
        actions=["s3:PutObject"],
        resources=[bucket.arn_for_objects(f"AWSLogs/{Aws.ACCOUNT_ID}/*")],
        conditions={
            **conditions,
            "StringEquals": {**conditions.get("StringEquals", {}), **owner_controls},
        },
    )
    return acl_check, write


class Storage(DeploymentConstruct):
    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.log_bucket = expiring_log_bucket(
            self,
            "LogBucket",
            self.resource_names.log_bucket,
            names.FUNCTION_OPS,
            acl_log_delivery=True,
        )
        self.web_bucket = self._logged_bucket(
            "WebBucket",
            names.ACCESS_LOG_PREFIX_WEB,
            BucketSpec(self.resource_names.web_bucket, names.CLASS_PUBLIC, names.FUNCTION_FRONTEND),
        )
        self.data_bucket = self._logged_bucket(
            "DataBucket",
            names.ACCESS_LOG_PREFIX_DATA,
            BucketSpec(
                self.resource_names.data_bucket,
                names.CLASS_PERSONAL,
                names.FUNCTION_BACKEND,
                # verdicts are tags on the exact version the scanner read (MP-AV-02)
                versioned=True,
                upload_origin=self.config.web_origin,
            ),
        )
        self.application_bucket = self._logged_bucket(
            "ApplicationBucket",
            names.ACCESS_LOG_PREFIX_APPLICATION,
            BucketSpec(
                self.resource_names.application_bucket, names.CLASS_INTERNAL, names.FUNCTION_BACKEND
            ),
        )
        self.backup_bucket = backup_bucket(
            self, "BackupBucket", self.resource_names.backup_bucket, log_bucket=self.log_bucket
        )
        self.cloudtrail_bucket = expiring_log_bucket(
            self,
            "CloudTrailBucket",
            self.resource_names.cloudtrail_bucket,
            names.FUNCTION_OPS,
            access_logs=AccessLogs(self.log_bucket, names.ACCESS_LOG_PREFIX_CLOUDTRAIL),
            # an overwritten or deleted trail file stays as an old version for the logs' whole
            # retention (GL-SEC-03, MP-BAK-04)
            versioned=True,
        )
        # Not one of the design's six: the published virus definitions (MP-AV-04). Sets are
        # pruned by the updater, which keeps the newest few; old object versions expire.
        self.definitions_bucket = self._logged_bucket(
            "DefinitionsBucket",
            names.ACCESS_LOG_PREFIX_DEFINITIONS,
            BucketSpec(
                self.resource_names.definitions_bucket,
                names.CLASS_INTERNAL,
                names.FUNCTION_SECURITY,
                versioned=True,
            ),
        )
        self.waf_log_bucket = waf_log_bucket(
            self, "WafLogBucket", self.resource_names.waf_log_bucket_api, source_region=Aws.REGION
        )
        self._cloudtrail_policy()
        if self.config.replicate_backups:
            self._replicate_backups()

    def _logged_bucket(self, construct_id: str, log_prefix: str, spec: BucketSpec) -> s3.Bucket:
        """A bucket that logs its server access to the log bucket, under `log_prefix`."""
        access_logs = AccessLogs(self.log_bucket, log_prefix)
        return private_bucket(self, construct_id, spec, access_logs=access_logs)

    def _cloudtrail_policy(self) -> None:
        """Written by the environment's trail only (MP-S3-06)."""
        trail = self.resource_names.trail
        trail_arn = f"arn:{Aws.PARTITION}:cloudtrail:{Aws.REGION}:{Aws.ACCOUNT_ID}:trail/{trail}"
        for statement in log_delivery_statements(
            self.cloudtrail_bucket,
            service="cloudtrail.amazonaws.com",
            sid="CloudTrail",
            conditions={"StringEquals": {"aws:SourceArn": trail_arn}},
        ):
            self.cloudtrail_bucket.add_to_resource_policy(statement)

    def _replicate_backups(self) -> None:
        """Production: every backup object is copied to the Osaka DR bucket (MP-S3-04)."""
        destination_arn = f"arn:{Aws.PARTITION}:s3:::{self.resource_names.dr_backup_bucket}"
        role = iam.Role(
            self,
            "ReplicationRole",
            assumed_by=iam.ServicePrincipal("s3.amazonaws.com"),
            description="S3 replication of the backup bucket to the Osaka DR bucket",
        )
        Tags.of(role).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        source = self.backup_bucket
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:GetReplicationConfiguration", "s3:ListBucket"],
                resources=[source.bucket_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "s3:GetObjectVersionForReplication",
                    "s3:GetObjectVersionAcl",
                    "s3:GetObjectVersionTagging",
                    # the source is locked: replicas carry its retention (MP-BAK-04)
                    "s3:GetObjectRetention",
                    "s3:GetObjectLegalHold",
                ],
                resources=[source.arn_for_objects("*")],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags"],
                resources=[f"{destination_arn}/*"],
            )
        )
        cfn = source.node.default_child
        if not isinstance(cfn, s3.CfnBucket):  # pragma: no cover - CDK's structure
            raise TypeError("the backup bucket has no CfnBucket")
        cfn.replication_configuration = s3.CfnBucket.ReplicationConfigurationProperty(
            role=role.role_arn,
            rules=[
                s3.CfnBucket.ReplicationRuleProperty(
                    id="to-osaka",
                    status="Enabled",
                    priority=1,
                    filter=s3.CfnBucket.ReplicationRuleFilterProperty(prefix=""),
                    delete_marker_replication=s3.CfnBucket.DeleteMarkerReplicationProperty(
                        status="Disabled"
                    ),
                    destination=s3.CfnBucket.ReplicationDestinationProperty(bucket=destination_arn),
                )
            ],
        )
        self.replication_role = role
