"""What every background function of the workload gets before its code: a log group of its own
(retention MP-LOG-03, kept on stack deletion, classified) and a role only it assumes."""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import LOG_RETENTION_DAYS

LOG_RETENTION = {1096: logs.RetentionDays.THREE_YEARS}[LOG_RETENTION_DAYS]


def logs_and_role(
    scope: Construct,
    id_prefix: str,
    *,
    log_group_name: str,
    role_name: str,
    description: str,
) -> tuple[logs.LogGroup, iam.Role]:
    """`<id_prefix>Logs` and `<id_prefix>Role`; the role may write to the log group."""
    log_group = logs.LogGroup(
        scope,
        f"{id_prefix}Logs",
        log_group_name=log_group_name,
        retention=LOG_RETENTION,
        removal_policy=RemovalPolicy.RETAIN,
    )
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
