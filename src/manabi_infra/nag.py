"""Accepted cdk-nag findings: each on its resource, with the requirement or decision behind it.

The AwsSolutions and NIST 800-53 rev 5 packs run on every stack (manabi_infra.app). A finding
that is not acknowledged here fails the synth; tests/infra/test_infra_nag.py proves the report
holds no unacknowledged finding and that every acknowledgment below is still needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Acknowledgment, Stack, Validations

from manabi_infra.config import EnvironmentConfig, ScanBackend
from manabi_infra.constructs.access import CFN_ADMIN_POLICIES
from manabi_infra.nag_reasons import XRAY_WRITES

AWS = "AwsSolutions::AwsSolutions-"
NIST = "NIST.800.53.R5::NIST.800.53.R5-"


@dataclass(frozen=True)
class Accepted:
    path: str  # construct path below the stack
    rules: tuple[str, ...]
    reason: str


# Reasons shared by several resources.
_SSE_S3 = "SSE-S3 by decision MP-ENC-01 (design 2.3.4): no customer key is needed for this data"
_NO_REPLICATION = "The design replicates only the backup bucket, to Osaka in production (MP-S3-04)"
_NO_VERSIONING = (
    "Versioning only where replication or backup needs it (MP-S3-01..06); "
    "this bucket holds rebuildable or append-only data"
)
_LOG_BUCKET = "This is itself a log bucket (MP-S3-05, MP-WAF-03); logging it would log the logging"
_LOG_GROUP_KEY = (
    "CloudWatch Logs encrypts at rest with its own key; no CMK by MP-ENC-01 (1096-day retention "
    "per MP-LOG-03)"
)
_INLINE = (
    "A role-specific inline policy is the least privilege of MP-IAM-02: it names this "
    "environment's own resources, which a shared managed policy could not"
)
_OBJECTS = "Object ARNs of the environment's own bucket (`bucket/*`), as MP-IAM-02 requires"
_GRANT_ACTIONS = "CDK grant actions (s3:GetObject*, s3:List* …) on the role's own buckets only"
_DESIGN_POLICIES = "Managed policies named by the design for this role (6.1, MP-IAM-01)"

BUCKET_RULES = (f"{NIST}S3DefaultEncryptionKMS",)

WORKLOAD: tuple[Accepted, ...] = (
    # --- S3 (MP-S3-*) ---------------------------------------------------------------------------
    *(
        Accepted(
            f"Storage/{bucket}",
            (
                f"{NIST}S3DefaultEncryptionKMS",
                f"{NIST}S3BucketReplicationEnabled",
                f"{NIST}S3BucketVersioningEnabled",
            ),
            f"{_SSE_S3}. {_NO_REPLICATION}. {_NO_VERSIONING}.",
        )
        for bucket in (
            "WebBucket",
            "ApplicationBucket",
            "LogBucket",
            "CloudTrailBucket",
        )
    ),
    Accepted(
        "Storage/DataBucket",
        (f"{NIST}S3DefaultEncryptionKMS", f"{NIST}S3BucketReplicationEnabled"),
        f"{_SSE_S3}. {_NO_REPLICATION}. Versioned: verdict tags sit on exact versions (MP-AV-02).",
    ),
    Accepted(
        "Storage/WafLogBucket",
        (
            f"{AWS}S1",
            f"{NIST}S3BucketLoggingEnabled",
            f"{NIST}S3DefaultEncryptionKMS",
            f"{NIST}S3BucketReplicationEnabled",
            f"{NIST}S3BucketVersioningEnabled",
        ),
        f"{_LOG_BUCKET}. {_SSE_S3}. {_NO_REPLICATION}. {_NO_VERSIONING}.",
    ),
    Accepted(
        "Storage/BackupBucket",
        (f"{NIST}S3DefaultEncryptionKMS",),
        f"{_SSE_S3}.",
    ),
    Accepted(
        "Storage/DefinitionsBucket",
        (f"{NIST}S3DefaultEncryptionKMS", f"{NIST}S3BucketReplicationEnabled"),
        f"{_SSE_S3}: public ClamAV signatures, downloaded again every day (MP-AV-04). "
        f"{_NO_REPLICATION}.",
    ),
    # --- Cognito (auth.py keeps the design's pool settings, MP-COG-*) --------------------------
    Accepted(
        "Auth/UserPool",
        (f"{AWS}COG2", f"{AWS}COG8"),
        "The design's pool settings (MP-COG-01..07) do not ask for MFA or the Plus feature plan; "
        "sign-in risk is handled by the password policy of MP-COG-02",
    ),
    # --- API (MP-LMD-*, MP-APIGW-*) -------------------------------------------------------------
    Accepted(
        "Api/Function",
        (
            f"{AWS}L1",
            f"{NIST}LambdaConcurrency",
            f"{NIST}LambdaDLQ",
            f"{NIST}LambdaInsideVPC",
        ),
        "python3.13 by decision (docs/decisions/0001, MP-LMD-01: supported into 2029, matches the "
        "local Python); invoked synchronously by API Gateway, so a DLQ holds nothing and API "
        "Gateway's throttling caps concurrency; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "Api/FunctionRole",
        (
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/*]",
            f"{AWS}IAM5[Resource::*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        f"{_OBJECTS}; {XRAY_WRITES} (MP-APIGW-03 tracing). {_INLINE}.",
    ),
    Accepted(
        "Api/RestApi",
        (f"{AWS}APIG2",),
        "Input validation happens in the application (MP-APIGW-02, guideline API Gateway設計 (2))",
    ),
    Accepted(
        "Api/RestApi/CloudWatchRole",
        (
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AmazonAPIGatewayPushToCloudWatchLogs]",
        ),
        "The AWS policy made for API Gateway's account CloudWatch role (MP-APIGW-03, decisions)",
    ),
    Accepted(
        "Api/RestApi/DeploymentStage.v1",
        (f"{NIST}APIGWCacheEnabledAndEncrypted", f"{NIST}APIGWSSLEnabled"),
        "Authenticated answers are never cached (MP-CF-03); the stage is reached only through "
        "CloudFront with the secret origin header that its WebACL checks (MP-APIGW-01)",
    ),
    Accepted(
        "Api/RestApi/Default/health/GET",
        (f"{AWS}APIG4", f"{AWS}COG4"),
        "The public health check (MP-APIGW-02); every other route has the Cognito authorizer",
    ),
    Accepted(
        "Api/AccessLogs",
        (f"{NIST}CloudWatchLogGroupEncrypted",),
        _LOG_GROUP_KEY,
    ),
    Accepted(
        "Api/FunctionLogs",
        (f"{NIST}CloudWatchLogGroupEncrypted",),
        _LOG_GROUP_KEY,
    ),
    # --- DynamoDB -------------------------------------------------------------------------------
    Accepted(
        "Data/Table",
        (f"{NIST}DynamoDBInBackupPlan",),
        "Continuous backups (PITR, 35 days, MP-DDB-04 / MP-BAK-01); the daily copy to Osaka is "
        "MP-BAK-02 of the backup issue",
    ),
    # --- Edge (MP-CF-*, MP-APIGW-01) ------------------------------------------------------------
    Accepted(
        "Cdn/OriginSecret",
        (
            f"{AWS}SMG4",
            f"{NIST}SecretsManagerRotationEnabled",
            f"{NIST}SecretsManagerUsingKMSKey",
        ),
        "The origin header value (MP-APIGW-01) is read by CloudFront and WAF at deploy time: a "
        "rotation outside CloudFormation would lock CloudFront out; it changes by redeploying. "
        "The AWS-managed key suffices (MP-ENC-01)",
    ),
    *(
        Accepted(
            f"Cdn/{distribution}",
            (f"{AWS}CFR1",),
            "No geo restriction in the design (6.4.2, MP-CF-04: all edge locations); learners may "
            "use the site from abroad",
        )
        for distribution in ("WebDistribution", "ApiDistribution")
    ),
    # --- Access roles (MP-IAM-01) ---------------------------------------------------------------
    Accepted(
        "Access/CfnAdmin",
        tuple(
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{p}]"
            for p in CFN_ADMIN_POLICIES
        ),
        _DESIGN_POLICIES,
    ),
    Accepted(
        "Access/Developer",
        (
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonCognitoPowerUser]",
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonS3ReadOnlyAccess]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        f"{_DESIGN_POLICIES}. {_INLINE}.",
    ),
    Accepted(
        "Access/Operations",
        (
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/CloudWatchLogsReadOnlyAccess]",
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/*]",
            f"{AWS}IAM5[Resource::<StorageBackupBucketF1474890.Arn>/*]",
            f"{AWS}IAM5[Resource::<StorageLogBucket7C8550DC.Arn>/*]",
            f"{AWS}IAM5[Action::s3:GetBucket*]",
            f"{AWS}IAM5[Action::s3:GetObject*]",
            f"{AWS}IAM5[Action::s3:List*]",
            f"{AWS}IAM5[Action::s3:Abort*]",
            f"{AWS}IAM5[Action::s3:DeleteObject*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Operations read every log and back up / restore the data storage (design 6.1, "
        f"MP-IAM-01). {_OBJECTS}. {_GRANT_ACTIONS}. {_INLINE}.",
    ),
    Accepted(
        "Access/Backup",
        (
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/*]",
            f"{AWS}IAM5[Resource::<StorageBackupBucketF1474890.Arn>/*]",
            f"{AWS}IAM5[Action::s3:GetBucket*]",
            f"{AWS}IAM5[Action::s3:GetObject*]",
            f"{AWS}IAM5[Action::s3:List*]",
            f"{AWS}IAM5[Action::s3:Abort*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "The backup operator copies the data storage into the backup bucket (design 6.1, "
        f"MP-IAM-01). {_OBJECTS}. {_GRANT_ACTIONS}. {_INLINE}.",
    ),
)

STAGING_WORKLOAD: tuple[Accepted, ...] = (
    Accepted(
        "Storage/BackupBucket",
        (f"{NIST}S3BucketReplicationEnabled",),
        "The design replicates the backup bucket to Osaka in production only (MP-S3-04); "
        "staging backups stay in Tokyo",
    ),
)

PRODUCTION_WORKLOAD: tuple[Accepted, ...] = (
    Accepted(
        "Storage/ReplicationRole",
        (
            f"{AWS}IAM5[Resource::<StorageBackupBucketF1474890.Arn>/*]",
            f"{AWS}IAM5[Resource::arn:<AWS::Partition>:s3:::dr-manabiplus-backup/*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Replication reads every object version of the backup bucket and writes it into the "
        f"Osaka DR bucket (MP-S3-04). {_INLINE}.",
    ),
)

EDGE: tuple[Accepted, ...] = (
    Accepted(
        "WafLogBucket",
        (
            f"{AWS}S1",
            f"{NIST}S3BucketLoggingEnabled",
            f"{NIST}S3DefaultEncryptionKMS",
            f"{NIST}S3BucketReplicationEnabled",
            f"{NIST}S3BucketVersioningEnabled",
        ),
        f"{_LOG_BUCKET}. {_SSE_S3}. {_NO_REPLICATION}. {_NO_VERSIONING}.",
    ),
    Accepted("QueryLogs", (f"{NIST}CloudWatchLogGroupEncrypted",), _LOG_GROUP_KEY),
)

DR: tuple[Accepted, ...] = (
    Accepted(
        "DrBackupBucket",
        (f"{NIST}S3DefaultEncryptionKMS", f"{NIST}S3BucketReplicationEnabled"),
        f"{_SSE_S3}. This is the replication destination in Osaka (MP-S3-04).",
    ),
    Accepted(
        "DrLogBucket",
        (
            f"{NIST}S3DefaultEncryptionKMS",
            f"{NIST}S3BucketReplicationEnabled",
            f"{NIST}S3BucketVersioningEnabled",
        ),
        f"Access logs of the Osaka DR bucket (MP-S3-04). {_SSE_S3}. {_NO_VERSIONING}.",
    ),
)


# --- Virus scan with ClamAV (MP-AV-01..04, GL-QUEUE-01) ---------------------------------------
CLAMAV_SCAN: tuple[Accepted, ...] = (
    Accepted(
        "VirusScan/Function",
        (f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC"),
        "Invoked by the SQS event source: failed messages go to the scan queue's DLQ (14 days, "
        "GL-QUEUE-01), a function DLQ would hold nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "VirusScan/FunctionRole",
        (
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/submissions/*]",
            f"{AWS}IAM5[Resource::<StorageDefinitionsBucket5F0968FA.Arn>/definitions/*]",
            f"{AWS}IAM5[Resource::*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Object ARNs of the uploads' prefix of the environment's own data bucket (MP-AV-01) and "
        f"of the published definition sets (MP-AV-04); {XRAY_WRITES}. {_INLINE}.",
    ),
    Accepted("VirusScan/FunctionLogs", (f"{NIST}CloudWatchLogGroupEncrypted",), _LOG_GROUP_KEY),
    Accepted(
        "VirusScan/Reconciler",
        (f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC"),
        "Scheduled by EventBridge every 15 minutes: a failed run is retried by the rule and the "
        "next run repeats its work, so a DLQ adds nothing (MP-AV-01); not in a VPC by MP-LMD-03",
    ),
    Accepted(
        "VirusScan/ReconcilerRole",
        (
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/submissions/*]",
            f"{AWS}IAM5[Resource::*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Reads the verdict tags of the uploads' prefix of the environment's own data bucket "
        f"(MP-AV-01); {XRAY_WRITES}. {_INLINE}.",
    ),
    Accepted("VirusScan/ReconcilerLogs", (f"{NIST}CloudWatchLogGroupEncrypted",), _LOG_GROUP_KEY),
    Accepted(
        "VirusScan/Definitions/Updater",
        (f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC"),
        "Scheduled by EventBridge every hour: a failed run is retried by the rule and by the next "
        "run, and the staleness alarm reports definitions older than 26 h (MP-AV-04), so a DLQ "
        "adds nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "VirusScan/Definitions/UpdaterRole",
        (
            f"{AWS}IAM5[Resource::<StorageDefinitionsBucket5F0968FA.Arn>/definitions/*]",
            f"{AWS}IAM5[Resource::*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Publishes and prunes the definition sets under `definitions/` of the environment's own "
        f"definitions bucket (MP-AV-04); {XRAY_WRITES}. {_INLINE}.",
    ),
    Accepted(
        "VirusScan/Definitions/UpdaterLogs", (f"{NIST}CloudWatchLogGroupEncrypted",), _LOG_GROUP_KEY
    ),
    Accepted(
        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role",
        (
            f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/"
            "AWSLambdaBasicExecutionRole]",
        ),
        "CDK's own deploy-time helper that sets the data bucket's S3→SQS notification "
        "(MP-AV-01); it runs only during deployments and only writes its logs",
    ),
    Accepted(
        "Storage/DataBucket/Notifications/HandlerPolicy",
        (f"{NIST}IAMNoInlinePolicy",),
        "CDK's notification helper may only put the data bucket's notification configuration "
        f"(MP-AV-01). {_INLINE}.",
    ),
)

# --- Virus scan with GuardDuty Malware Protection for S3 (`scanBackend=guardduty`) ------------
GUARDDUTY_SCAN: tuple[Accepted, ...] = (
    Accepted(
        "VirusScan/Function",
        (f"{AWS}L1", f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC"),
        "python3.13 by decision (docs/decisions/0001, MP-LMD-01); invoked by the SQS event source: "
        "failed messages go to the scan queue's DLQ (14 days, GL-QUEUE-01), a function DLQ would "
        "hold nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "VirusScan/FunctionRole",
        (
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/submissions/*]",
            f"{AWS}IAM5[Resource::*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Writes verdict tags on the uploads' prefix of the environment's own data bucket "
        f"(MP-AV-01); {XRAY_WRITES}. {_INLINE}.",
    ),
    Accepted("VirusScan/FunctionLogs", (f"{NIST}CloudWatchLogGroupEncrypted",), _LOG_GROUP_KEY),
    Accepted(
        "VirusScan/GuardDutyRole",
        (
            f"{AWS}IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:"
            "rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*]",
            f"{AWS}IAM5[Resource::<StorageDataBucketB1B922FA.Arn>/submissions/*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "The role GuardDuty Malware Protection for S3 documents: its managed EventBridge rules "
        "(named by GuardDuty) and the uploads it scans (MP-AV-01). "
        f"{_INLINE}.",
    ),
)


def accepted_for(stack_kind: str, config: EnvironmentConfig) -> tuple[Accepted, ...]:
    if stack_kind == "edge":
        return EDGE
    if stack_kind == "dr":
        return DR
    scan = GUARDDUTY_SCAN if config.scan_backend is ScanBackend.GUARDDUTY else CLAMAV_SCAN
    environment = PRODUCTION_WORKLOAD if config.replicate_backups else STAGING_WORKLOAD
    return WORKLOAD + scan + environment


def _apply(stack: Stack, accepted: tuple[Accepted, ...]) -> None:
    for item in accepted:
        construct = stack.node.find_child(item.path.split("/")[0])
        for part in item.path.split("/")[1:]:
            construct = construct.node.find_child(part)
        Validations.of(construct).acknowledge(
            *(Acknowledgment(id=rule, reason=item.reason) for rule in item.rules)
        )


def acknowledge_findings(
    *, edge: Stack, dr: Stack, workload: Stack, config: EnvironmentConfig
) -> None:
    _apply(edge, accepted_for("edge", config))
    _apply(dr, accepted_for("dr", config))
    _apply(workload, accepted_for("workload", config))
