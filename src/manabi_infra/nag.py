"""Accepted cdk-nag findings: each on its resource, with the requirement or decision behind it.

The AwsSolutions and NIST 800-53 rev 5 packs run on every stack (manabi_infra.app). A finding
that is not acknowledged here (or, for the virus-scan backends, in manabi_infra.nag_scan) fails
the synth; tests/infra/test_infra_nag.py proves the report holds no unacknowledged finding and
that every acknowledgment is still needed.
"""

from __future__ import annotations

from aws_cdk import Acknowledgment, Stack, Validations

from manabi_infra.config import OSAKA, EnvironmentConfig, ScanBackend, osaka_workload
from manabi_infra.constructs.access import (
    CFN_ADMIN_POLICIES,
    DEVELOPER_POLICIES,
    OPERATIONS_POLICIES,
    TableRestoreArns,
)
from manabi_infra.nag_baseline import accepted_for_baseline
from manabi_infra.nag_reasons import (
    AWS,
    INLINE,
    NIST,
    NO_DLQ_NO_VPC,
    XRAY_WRITES,
    Accepted,
    aws_policy,
    github_oidc,
    log_groups,
    objects,
    site_publisher,
)
from manabi_infra.nag_scan import CLAMAV_SCAN, GUARDDUTY_SCAN
from manabi_infra.names import BASELINE_REGIONS, resource_names

# Reasons shared by several resources.
_SSE_S3 = "SSE-S3 by decision MP-ENC-01 (design 2.3.4): no customer key is needed for this data"
_NO_REPLICATION = "The design replicates only the backup bucket, to Osaka in production (MP-S3-04)"
_NO_VERSIONING = (
    "Versioning only where replication or backup needs it (MP-S3-01..06); "
    "this bucket holds rebuildable or append-only data"
)
_LOG_BUCKET = "This is itself a log bucket (MP-S3-05, MP-WAF-03); logging it would log the logging"
_OBJECTS = "Object ARNs of the environment's own bucket (`bucket/*`), as MP-IAM-02 requires"
_GRANT_ACTIONS = "CDK grant actions (s3:GetObject*, s3:List* …) on the role's own buckets only"
_DESIGN_POLICIES = "Managed policies named by the design for this role (6.1, MP-IAM-01)"

_KMS = f"{NIST}S3DefaultEncryptionKMS"
BUCKET_RULES = (_KMS,)
_REPLICATION = f"{NIST}S3BucketReplicationEnabled"
_VERSIONING = f"{NIST}S3BucketVersioningEnabled"
# Object ARNs of the environment's own buckets, as cdk-nag prints them.
_DATA_OBJECTS = "<StorageDataBucketB1B922FA.Arn>/*"
_BACKUP_OBJECTS = "<StorageBackupBucketF1474890.Arn>/*"
# The actions of CDK's S3 grants (grant_read, grant_read_write, grant_put) that end in `*`.
_GRANT_WILDCARDS = tuple(
    f"{AWS}IAM5[Action::{action}]"
    for action in ("s3:GetBucket*", "s3:GetObject*", "s3:List*", "s3:Abort*")
)


def _waf_log_bucket(path: str) -> Accepted:
    """A WebACL's `aws-waf-logs-` bucket (MP-WAF-03), in us-east-1 or Tokyo."""
    return Accepted(
        path,
        (f"{AWS}S1", f"{NIST}S3BucketLoggingEnabled", _KMS, _REPLICATION, _VERSIONING),
        f"{_LOG_BUCKET}. {_SSE_S3}. {_NO_REPLICATION}. {_NO_VERSIONING}.",
    )


WORKLOAD: tuple[Accepted, ...] = (
    # --- S3 (MP-S3-*) ---------------------------------------------------------------------------
    *(
        Accepted(
            f"Storage/{bucket}",
            (_KMS, _REPLICATION, _VERSIONING),
            f"{_SSE_S3}. {_NO_REPLICATION}. {_NO_VERSIONING}.",
        )
        for bucket in ("WebBucket", "ApplicationBucket", "LogBucket")
    ),
    Accepted(
        "Storage/CloudTrailBucket",
        (_KMS, _REPLICATION),
        f"{_SSE_S3}; the log files themselves are encrypted with the trail's key. "
        f"{_NO_REPLICATION}. Versioned: a trail file cannot be silently replaced (GL-SEC-03, "
        "MP-BAK-04).",
    ),
    Accepted(
        "Storage/DataBucket",
        (_KMS, _REPLICATION),
        f"{_SSE_S3}. {_NO_REPLICATION}. Versioned: verdict tags sit on exact versions (MP-AV-02).",
    ),
    _waf_log_bucket("Storage/WafLogBucket"),
    Accepted("Storage/BackupBucket", (_KMS,), f"{_SSE_S3}."),
    Accepted(
        "Storage/DefinitionsBucket",
        (_KMS, _REPLICATION),
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
    # --- Daily backups (MP-BAK-02/03, docs/decisions/0034) --------------------------------------
    Accepted(
        "Backups/Function",
        (f"{AWS}L1", *NO_DLQ_NO_VPC),
        "python3.13 by decision (docs/decisions/0001); run once a day by EventBridge, which "
        "retries a failed run twice, and the next day's run repeats the work (the export is "
        "idempotent per day, the copy takes what changed), so a DLQ adds nothing; not in a VPC by "
        "MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "Backups/BackupRole",
        (
            *objects(_DATA_OBJECTS, _BACKUP_OBJECTS, "<DataTableFDBAD0F2.Arn>/export/*"),
            f"{NIST}IAMNoInlinePolicy",
        ),
        f"{_OBJECTS}, and the exports of the environment's own table (DescribeExport). {INLINE}.",
    ),
    *log_groups("Backups/BackupLogs"),
    # --- API (MP-LMD-*, MP-APIGW-*) -------------------------------------------------------------
    Accepted(
        "Api/Function",
        (f"{AWS}L1", *NO_DLQ_NO_VPC),
        "python3.13 by decision (docs/decisions/0001, MP-LMD-01: supported into 2029, matches the "
        "local Python); invoked synchronously by API Gateway, so a DLQ holds nothing; not in a "
        "VPC by MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "Api/FunctionRole",
        (*objects(_DATA_OBJECTS), f"{AWS}IAM5[Resource::*]", f"{NIST}IAMNoInlinePolicy"),
        f"{_OBJECTS}; {XRAY_WRITES} (MP-APIGW-03 tracing). {INLINE}.",
    ),
    Accepted(
        "Api/RestApi",
        (f"{AWS}APIG2",),
        "Input validation happens in the application (MP-APIGW-02, guideline API Gateway設計 (2))",
    ),
    Accepted(
        "Api/RestApi/CloudWatchRole",
        (aws_policy("service-role/AmazonAPIGatewayPushToCloudWatchLogs"),),
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
    *log_groups("Api/AccessLogs", "Api/FunctionLogs", "AuditTrail/Logs"),
    Accepted(
        "AuditTrail/Trail/LogsRole/DefaultPolicy",
        (f"{NIST}IAMNoInlinePolicy",),
        f"CDK's role for the trail's CloudWatch Logs delivery (GL-SEC-03): it writes to the "
        f"trail's own log group only. {INLINE}.",
    ),
    Accepted(
        "Cdn/OriginSecretRotation/Function",
        (f"{AWS}L1", *NO_DLQ_NO_VPC),
        "python3.13 by decision (docs/decisions/0001); invoked synchronously by Secrets Manager, "
        "which retries a failed step (GL-SEC-05), so a DLQ holds nothing; not in a VPC by "
        "MP-LMD-03 / MP-NET-01",
    ),
    Accepted(
        "Cdn/OriginSecretRotation/FunctionRole",
        (f"{AWS}IAM5[Resource::*]", f"{NIST}IAMNoInlinePolicy"),
        "secretsmanager:GetRandomPassword takes no resource; everything else names the origin "
        f"secret, the API WebACL and the API distribution (GL-SEC-05). {INLINE}.",
    ),
    *log_groups("Cdn/OriginSecretRotation/FunctionLogs"),
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
        (f"{NIST}SecretsManagerUsingKMSKey",),
        "The origin header value (MP-APIGW-01, rotated by GL-SEC-05): the AWS-managed key "
        "suffices (MP-ENC-01)",
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
        tuple(aws_policy(p) for p in CFN_ADMIN_POLICIES),
        _DESIGN_POLICIES,
    ),
    Accepted(
        "Access/Developer",
        (*(aws_policy(p) for p in DEVELOPER_POLICIES), f"{NIST}IAMNoInlinePolicy"),
        f"{_DESIGN_POLICIES}. {INLINE}.",
    ),
    Accepted(
        "Access/Operations",
        (
            *(aws_policy(p) for p in OPERATIONS_POLICIES),
            *objects(_DATA_OBJECTS, _BACKUP_OBJECTS, "<StorageLogBucket7C8550DC.Arn>/*"),
            *_GRANT_WILDCARDS,
            f"{AWS}IAM5[Action::s3:DeleteObject*]",
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Operations read every log and back up / restore the data storage (design 6.1, "
        f"MP-IAM-01). {_OBJECTS}. {_GRANT_ACTIONS}. {INLINE}.",
    ),
    Accepted(
        "Access/Backup",
        (*objects(_DATA_OBJECTS, _BACKUP_OBJECTS), *_GRANT_WILDCARDS, f"{NIST}IAMNoInlinePolicy"),
        "The backup operator copies the data storage into the backup bucket (design 6.1, "
        f"MP-IAM-01). {_OBJECTS}. {_GRANT_ACTIONS}. {INLINE}.",
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
            *objects(_BACKUP_OBJECTS, "arn:<AWS::Partition>:s3:::dr-manabiplus-backup/*"),
            f"{NIST}IAMNoInlinePolicy",
        ),
        "Replication reads every object version of the backup bucket and writes it into the "
        f"Osaka DR bucket (MP-S3-04). {INLINE}.",
    ),
)

EDGE: tuple[Accepted, ...] = (
    _waf_log_bucket("WafLogBucket"),
    *log_groups("QueryLogs"),
)

DR: tuple[Accepted, ...] = (
    Accepted(
        "DrBackupBucket",
        (_KMS, _REPLICATION),
        f"{_SSE_S3}. This is the replication destination in Osaka (MP-S3-04).",
    ),
    Accepted(
        "DrLogBucket",
        (_KMS, _REPLICATION, _VERSIONING),
        f"Access logs of the Osaka DR bucket (MP-S3-04). {_SSE_S3}. {_NO_VERSIONING}.",
    ),
)


def accepted_for(stack_kind: str, config: EnvironmentConfig) -> tuple[Accepted, ...]:
    if stack_kind == "edge":
        return EDGE
    if stack_kind == "dr":
        return DR
    scan = GUARDDUTY_SCAN if config.scan_backend is ScanBackend.GUARDDUTY else CLAMAV_SCAN
    environment = PRODUCTION_WORKLOAD if config.replicate_backups else STAGING_WORKLOAD
    return (
        WORKLOAD
        + scan
        + environment
        + site_publisher(config.account, config.workload_region)
        + _restored_or_osaka(config)
        + _table_restores(config)
    )


def _table_restores(config: EnvironmentConfig) -> tuple[Accepted, ...]:
    """The operations role's restore-table rights (MP-RST-01, AccessRoles.grant_table_restores)
    and, in Tokyo, the Osaka workload's backup bucket it restores from on the way back."""
    names = resource_names(config)
    arns = TableRestoreArns("aws", config.workload_region, config.account, names.table)
    accepted = [
        Accepted(
            "Access/Operations",
            objects(
                arns.restored,
                arns.imports,
                arns.import_logs,
                arns.scalable_targets,
                arns.scaling_alarms,
            ),
            "MP-RST-01: restore-table creates NEW tables only, named `<this environment's "
            "table>-restored-*` (docs/dr-runbook.md): it imports into them (and follows the "
            "imports), restores PITR into them and hardens them (PITR, deletion protection, "
            "tags, the target-tracking alarms of their auto scaling); ImportTable writes its "
            "errors to `/aws-dynamodb/*` in the caller's name; Application Auto Scaling "
            "authorizes on `scalable-target/*` only, narrowed to DynamoDB table capacity by its "
            "condition keys. No DeleteTable.",
        )
    ]
    if config.workload_region != OSAKA:
        osaka_backups = resource_names(osaka_workload(config)).backup_bucket
        accepted.append(
            Accepted(
                "Access/Operations",
                objects(f"arn:<AWS::Partition>:s3:::{osaka_backups}/*"),
                "MP-AVL-01: coming back from Osaka (docs/dr-runbook.md), Tokyo's operators "
                "restore from the Osaka workload's backup bucket: its exports and copies, read "
                "to be imported and copied back.",
            )
        )
    return tuple(accepted)


def _restored_or_osaka(config: EnvironmentConfig) -> tuple[Accepted, ...]:
    """What a switch to a restored table or the Osaka DR workload adds (MP-RST-01, MP-AVL-01)."""
    accepted: list[Accepted] = []
    if config.serving_table is not None:
        table = f"arn:aws:dynamodb:{config.workload_region}:{config.account}:table"
        accepted.append(
            Accepted(
                "Backups/BackupRole",
                objects(f"{table}/{config.serving_table}/export/*"),
                "The exports of the restored table the functions serve from (DescribeExport).",
            )
        )
    if config.name_suffix:
        names = resource_names(config)
        accepted.append(
            Accepted(
                "Access/Operations",
                objects(f"arn:<AWS::Partition>:s3:::{names.dr_backup_bucket}/*"),
                "The Osaka workload's operators restore from the DR bucket the Tokyo backups "
                "replicated into (docs/decisions/0039): its copies, read to be copied back.",
            )
        )
    if not config.claim_aliases:
        for distribution in ("WebDistribution", "ApiDistribution"):
            accepted.append(
                Accepted(
                    f"Cdn/{distribution}",
                    (f"{AWS}CFR4",),
                    "The Osaka DR workload answers on its *.cloudfront.net name (CloudFront's "
                    "default certificate) until it claims the site's names and their TLS 1.2 "
                    "certificate (docs/decisions/0039).",
                )
            )
    return tuple(accepted)


def _apply(stack: Stack, accepted: tuple[Accepted, ...]) -> None:
    for item in accepted:
        construct = stack.node.find_child(item.path.split("/")[0])
        for part in item.path.split("/")[1:]:
            construct = construct.node.find_child(part)
        Validations.of(construct).acknowledge(
            *(Acknowledgment(id=rule, reason=item.reason) for rule in item.rules)
        )


def acknowledge_findings(
    *,
    edge: Stack,
    dr: Stack,
    workload: Stack,
    config: EnvironmentConfig,
    baselines: tuple[Stack, ...] = (),
    oidc: Stack | None = None,
) -> None:
    if oidc is not None:
        _apply(oidc, github_oidc(config.account, tuple(BASELINE_REGIONS)))
    for baseline in baselines:
        _apply(baseline, accepted_for_baseline(config, baseline.region))
    _apply(edge, accepted_for("edge", config))
    _apply(dr, accepted_for("dr", config))
    _apply(workload, accepted_for("workload", config))


def acknowledge_workload(workload: Stack, config: EnvironmentConfig) -> None:
    """A second workload stack of the environment (the Osaka DR workload)."""
    _apply(workload, accepted_for("workload", config))
