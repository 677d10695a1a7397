"""What the tables of accepted cdk-nag findings are made of (manabi_infra.nag, manabi_infra.
nag_scan; auth.py acknowledges its trigger's findings itself): the record of an accepted finding,
the rule-id prefixes of both packs, the reasons several findings give and the findings that recur.
"""

from __future__ import annotations

from dataclasses import dataclass

AWS = "AwsSolutions::AwsSolutions-"
NIST = "NIST.800.53.R5::NIST.800.53.R5-"


@dataclass(frozen=True)
class Accepted:
    path: str  # construct path below the stack
    rules: tuple[str, ...]
    reason: str


# Lambda's active tracing: X-Ray's write actions take no resource (MP-APIGW-03, MP-MON-03).
XRAY_WRITES = "Resource::* is X-Ray's PutTraceSegments/PutTelemetryRecords, which take no resource"
LOG_GROUP_KEY = (
    "CloudWatch Logs encrypts at rest with its own key; no CMK by MP-ENC-01 (1096-day retention "
    "per MP-LOG-03)"
)
INLINE = (
    "A role-specific inline policy is the least privilege of MP-IAM-02: it names this "
    "environment's own resources, which a shared managed policy could not"
)
# Functions that are not invoked asynchronously and not in a VPC (MP-LMD-03, MP-NET-01).
NO_DLQ_NO_VPC = (f"{NIST}LambdaDLQ", f"{NIST}LambdaInsideVPC")


def aws_policy(name: str) -> str:
    """IAM4 on an AWS managed policy, e.g. `service-role/AWSLambdaBasicExecutionRole`."""
    return f"{AWS}IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/{name}]"


def objects(*arns: str) -> tuple[str, ...]:
    """IAM5 on object ARNs (`bucket/*`, `bucket/prefix/*`) as cdk-nag prints them."""
    return tuple(f"{AWS}IAM5[Resource::{arn}]" for arn in arns)


def log_groups(*paths: str) -> tuple[Accepted, ...]:
    """Log groups under CloudWatch Logs' own key."""
    return tuple(Accepted(p, (f"{NIST}CloudWatchLogGroupEncrypted",), LOG_GROUP_KEY) for p in paths)


def traced_function_role(path: str, resources: tuple[str, ...], what: str) -> Accepted:
    """The own role of a traced function: object ARNs of its own buckets (`resources`), X-Ray's
    `*` and its inline policy."""
    return Accepted(
        path,
        (*objects(*resources), f"{AWS}IAM5[Resource::*]", f"{NIST}IAMNoInlinePolicy"),
        f"{what}; {XRAY_WRITES}. {INLINE}.",
    )


# CDK's BucketDeployment handler (one per stack, at its root): publishes the SPA (GL-DEP-01).
SITE_PUBLISHER = "Custom::CDKBucketDeployment8693BB64968944B69AAFB0CC9EB8756C"


def site_publisher(account: str, region: str) -> tuple[Accepted, ...]:
    """The findings on CDK's own function that copies web/dist into the web bucket."""
    assets = f"arn:aws:s3:::cdk-hnb659fds-assets-{account}-{region}/*"
    return (
        Accepted(
            SITE_PUBLISHER,
            (f"{AWS}L1", f"{NIST}LambdaConcurrency", *NO_DLQ_NO_VPC),
            "CDK's BucketDeployment handler (aws-cdk-lib picks its runtime, python3.13 today); it "
            "runs only as a CloudFormation custom resource during a deploy, one invocation per "
            "change, so neither reserved concurrency nor a DLQ applies (CloudFormation reports a "
            "failure and rolls back); not in a VPC by MP-LMD-03 / MP-NET-01",
        ),
        Accepted(
            f"{SITE_PUBLISHER}/ServiceRole",
            (aws_policy("service-role/AWSLambdaBasicExecutionRole"),),
            "CDK's role of its BucketDeployment handler: the AWS policy that lets it write its "
            "own logs (GL-DEP-01, docs/decisions/0029)",
        ),
        Accepted(
            f"{SITE_PUBLISHER}/ServiceRole/DefaultPolicy",
            (
                *(
                    f"{AWS}IAM5[Action::{action}]"
                    for action in (
                        "s3:Abort*",
                        "s3:DeleteObject*",
                        "s3:GetBucket*",
                        "s3:GetObject*",
                        "s3:List*",
                    )
                ),
                *objects("<StorageWebBucketAC126855.Arn>/*", assets),
                f"{AWS}IAM5[Resource::*]",
                f"{NIST}IAMNoInlinePolicy",
            ),
            "CDK grants on the two buckets it copies between: read the bootstrap's asset "
            "bucket, write and prune the web bucket (GL-DEP-01). cloudfront:CreateInvalidation "
            "and GetInvalidation are granted on `*` by CDK (the distribution is created in the "
            f"same stack). {INLINE}.",
        ),
        *log_groups("Site/PublisherLogs"),
    )


def github_oidc(account: str, regions: tuple[str, ...]) -> tuple[Accepted, ...]:
    """The deploy role of GitHub Actions may assume the CDK bootstrap roles, nothing else."""
    return (
        Accepted(
            "DeployRole/DefaultPolicy",
            (
                *objects(
                    *(f"arn:aws:iam::{account}:role/cdk-hnb659fds-*-{account}-{r}" for r in regions)
                ),
                f"{NIST}IAMNoInlinePolicy",
            ),
            "sts:AssumeRole on the CDK bootstrap roles of this account in the regions it deploys "
            "to (deploy, file and image publishing, lookup: cdk-<qualifier>-<role>-<account>-"
            "<region>), which `cdk deploy` assumes in turn (GL-CICD-01, docs/decisions/0036). "
            f"{INLINE}.",
        ),
    )
