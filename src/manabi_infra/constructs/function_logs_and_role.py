"""What every Lambda function of the workload gets before its code: a log group of its own
(retention MP-LOG-03, kept on stack deletion, classified) and a role only it assumes."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import LOG_RETENTION_DAYS

# 1096 days (MP-LOG-03); the CDK enum holds names, not numbers, hence the lookup.
LOG_RETENTION = {1096: logs.RetentionDays.THREE_YEARS}[LOG_RETENTION_DAYS]


def retained_log_group(scope: Construct, construct_id: str, name: str) -> logs.LogGroup:
    """A log group kept 1096 days, and kept when the stack is deleted (MP-LOG-01/03)."""
    return logs.LogGroup(
        scope,
        construct_id,
        log_group_name=name,
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.RETAIN,
    )


def function_logs_and_role(
    scope: Construct,
    id_prefix: str,
    *,
    log_group_name: str,
    role_name: str,
    description: str,
) -> tuple[logs.LogGroup, iam.Role]:
    """`<id_prefix>Logs` and `<id_prefix>Role`; the role may write to the log group, nothing
    else yet: each function adds what its code needs (MP-IAM-02)."""
    log_group = retained_log_group(scope, f"{id_prefix}Logs", log_group_name)
    Tags.of(log_group).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
    role = iam.Role(
        scope,
        f"{id_prefix}Role",
        role_name=role_name,
        assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
        description=description,
    )
    log_group.grant_write(role)
    return log_group, role
