"""Accepted cdk-nag findings of the virus-scan backends (MP-AV-01..04, GL-QUEUE-01); which
table applies follows the environment's scan backend (manabi_infra.nag.accepted_for)."""

from __future__ import annotations

from manabi_infra.nag_reasons import (
    AWS,
    INLINE,
    NIST,
    NO_DLQ_NO_VPC,
    Accepted,
    aws_policy,
    log_groups,
    objects,
    traced_function_role,
)

# Object ARNs of the environment's own buckets, as cdk-nag prints them.
_UPLOADS = "<StorageDataBucketB1B922FA.Arn>/submissions/*"
_DEFINITION_SETS = "<StorageDefinitionsBucket5F0968FA.Arn>/definitions/*"


# --- Virus scan with ClamAV (MP-AV-01..04, GL-QUEUE-01) ---------------------------------------
CLAMAV_SCAN: tuple[Accepted, ...] = (
    Accepted(
        "VirusScan/Function",
        NO_DLQ_NO_VPC,
        "Invoked by the SQS event source: failed messages go to the scan queue's DLQ (14 days, "
        "GL-QUEUE-01), a function DLQ would hold nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    traced_function_role(
        "VirusScan/FunctionRole",
        (_UPLOADS, _DEFINITION_SETS),
        "Object ARNs of the uploads' prefix of the environment's own data bucket (MP-AV-01) and "
        "of the published definition sets (MP-AV-04)",
    ),
    *log_groups("VirusScan/FunctionLogs"),
    Accepted(
        "VirusScan/Reconciler",
        NO_DLQ_NO_VPC,
        "Scheduled by EventBridge every 15 minutes: a failed run is retried by the rule and the "
        "next run repeats its work, so a DLQ adds nothing (MP-AV-01); not in a VPC by MP-LMD-03",
    ),
    traced_function_role(
        "VirusScan/ReconcilerRole",
        (_UPLOADS,),
        "Reads the verdict tags of the uploads' prefix of the environment's own data bucket "
        "(MP-AV-01)",
    ),
    *log_groups("VirusScan/ReconcilerLogs"),
    Accepted(
        "VirusScan/Definitions/Updater",
        NO_DLQ_NO_VPC,
        "Scheduled by EventBridge every hour: a failed run is retried by the rule and by the next "
        "run, and the staleness alarm reports definitions older than 26 h (MP-AV-04), so a DLQ "
        "adds nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    traced_function_role(
        "VirusScan/Definitions/UpdaterRole",
        (_DEFINITION_SETS,),
        "Publishes and prunes the definition sets under `definitions/` of the environment's own "
        "definitions bucket (MP-AV-04)",
    ),
    *log_groups("VirusScan/Definitions/UpdaterLogs"),
    Accepted(
        "BucketNotificationsHandler050a0587b7544547bf325f094a3db834/Role",
        (aws_policy("service-role/AWSLambdaBasicExecutionRole"),),
        "CDK's own deploy-time helper that sets the data bucket's S3→SQS notification "
        "(MP-AV-01); it runs only during deployments and only writes its logs",
    ),
    Accepted(
        "Storage/DataBucket/Notifications/HandlerPolicy",
        (f"{NIST}IAMNoInlinePolicy",),
        "CDK's notification helper may only put the data bucket's notification configuration "
        f"(MP-AV-01). {INLINE}.",
    ),
)

# --- Virus scan with GuardDuty Malware Protection for S3 (`scanBackend=guardduty`) ------------
GUARDDUTY_SCAN: tuple[Accepted, ...] = (
    Accepted(
        "VirusScan/Function",
        (f"{AWS}L1", *NO_DLQ_NO_VPC),
        "python3.13 by decision (docs/decisions/0001, MP-LMD-01); invoked by the SQS event source: "
        "failed messages go to the scan queue's DLQ (14 days, GL-QUEUE-01), a function DLQ would "
        "hold nothing; not in a VPC by MP-LMD-03 / MP-NET-01",
    ),
    traced_function_role(
        "VirusScan/FunctionRole",
        (_UPLOADS,),
        "Writes verdict tags on the uploads' prefix of the environment's own data bucket "
        "(MP-AV-01)",
    ),
    *log_groups("VirusScan/FunctionLogs"),
    Accepted(
        "VirusScan/GuardDutyRole",
        (
            f"{AWS}IAM5[Resource::arn:<AWS::Partition>:events:<AWS::Region>:<AWS::AccountId>:"
            "rule/DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*]",
            *objects(_UPLOADS),
            f"{NIST}IAMNoInlinePolicy",
        ),
        "The role GuardDuty Malware Protection for S3 documents: its managed EventBridge rules "
        "(named by GuardDuty) and the uploads it scans (MP-AV-01). "
        f"{INLINE}.",
    ),
)
