"""Accepted cdk-nag findings of the account baseline stacks (GL-SEC-01/02, docs/decisions/0032);
which apply follows the region and who owns the security services (manabi_infra.config)."""

from __future__ import annotations

from manabi_infra.config import TOKYO, EnvironmentConfig, SecurityOwner
from manabi_infra.nag_reasons import AWS, INLINE, NIST, Accepted, aws_policy, log_groups

# CDK's single provider function of every AwsCustomResource in a stack.
CUSTOM_RESOURCE_PROVIDER = "AWS679f53fac002430cb0da5b7982bd2287"

_SERVICE_BUCKET = (
    "Written only by an AWS service (Config snapshots, GuardDuty findings under their own KMS "
    "key, decision 0032); SSE-S3 by MP-ENC-01, not replicated or versioned: the service keeps "
    "its own history; access logging of a log-like bucket would log the logging"
)
_BUCKET_RULES = (
    f"{AWS}S1",
    f"{NIST}S3BucketLoggingEnabled",
    f"{NIST}S3BucketReplicationEnabled",
    f"{NIST}S3BucketVersioningEnabled",
    f"{NIST}S3DefaultEncryptionKMS",
)


def _custom_resource_provider() -> tuple[Accepted, ...]:
    return (
        Accepted(
            CUSTOM_RESOURCE_PROVIDER,
            (f"{NIST}LambdaConcurrency", f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC"),
            "CDK's AwsCustomResource provider runs only during deployments (decision 0032): "
            "CloudFormation invokes it synchronously and retries; no VPC by MP-NET-01",
        ),
        Accepted(
            f"{CUSTOM_RESOURCE_PROVIDER}/ServiceRole",
            (aws_policy("service-role/AWSLambdaBasicExecutionRole"),),
            "CDK's AwsCustomResource provider writes only its own logs (decision 0032)",
        ),
        *log_groups(f"{CUSTOM_RESOURCE_PROVIDER}/LogGroup"),
    )


def accepted_for_baseline(config: EnvironmentConfig, region: str) -> tuple[Accepted, ...]:
    owned = config.security_owner is SecurityOwner.ACCOUNT
    accepted: list[Accepted] = [
        Accepted("Services/ConfigBucket", _BUCKET_RULES, _SERVICE_BUCKET),
        Accepted(
            "Services/ConfigRole",
            (aws_policy("service-role/AWS_ConfigRole"),),
            "The AWS managed policy AWS Config documents for its recorder role; it follows new "
            "resource types (GL-SEC-01, decision 0032)",
        ),
    ]
    if owned:
        accepted += [
            Accepted("Services/FindingsBucket", _BUCKET_RULES, _SERVICE_BUCKET),
            Accepted(
                "Services/Inspector/CustomResourcePolicy",
                (f"{AWS}IAM5[Resource::*]", f"{NIST}IAMNoInlinePolicy"),
                "inspector2:Enable/Disable are account-level actions without a resource ARN; "
                "CreateServiceLinkedRole is limited to inspector2.amazonaws.com (GL-SEC-01). "
                f"{INLINE}.",
            ),
            *_custom_resource_provider(),
        ]
    if owned and region == TOKYO:
        accepted.append(
            Accepted(
                "Macie/ClassificationJob/CustomResourcePolicy",
                (
                    f"{AWS}IAM5[Resource::arn:aws:macie2:<AWS::Region>:<AWS::AccountId>:*]",
                    f"{AWS}IAM5[Resource::arn:aws:macie2:<AWS::Region>:<AWS::AccountId>:"
                    "classification-job/*]",
                    f"{NIST}IAMNoInlinePolicy",
                ),
                "CreateClassificationJob names no job before it exists; the job is limited to "
                f"this account and region (GL-SEC-01). {INLINE}.",
            )
        )
    return tuple(accepted)
