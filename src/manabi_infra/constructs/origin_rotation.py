"""Rotation of the CloudFront → API origin secret (GL-SEC-05, docs/decisions/0032).

A Secrets Manager rotation schedule invokes the rotation function (manabi_rotation) every
`origin_secret_rotation_days`. Its setSecret step widens the API WebACL's header rule to the
old and the new value before it changes the API distribution's origin header; testSecret waits
until the distribution is deployed; finishSecret makes the new value current. The templates
resolve AWSCURRENT, so a later deploy writes the values the rotation left in place.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.constructs.waf import ORIGIN_HEADER_RULE
from manabi_infra.deployment import Deployment, DeploymentConstruct

# testSecret waits up to 10 minutes for CloudFront; the function needs a little more.
TIMEOUT = Duration.minutes(12)


class OriginSecretRotation(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        code_dir: Path,
        secret: secretsmanager.Secret,
        web_acl: wafv2.CfnWebACL,
        distribution: cloudfront.Distribution,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        function_name = self.resource_names.origin_rotation_function
        log_group, role = function_logs_and_role(
            self,
            "Function",
            log_group_name=self.resource_names.origin_rotation_log_group,
            role_name=f"{function_name}-role",
            description="Rotates the CloudFront to API origin secret",
        )
        stack = Stack.of(self)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["wafv2:GetWebACL", "wafv2:UpdateWebACL"],
                resources=[
                    web_acl.attr_arn,
                    # UpdateWebACL also authorises on the WebACL's rule groups and IP sets: none.
                ],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "cloudfront:GetDistribution",
                    "cloudfront:GetDistributionConfig",
                    "cloudfront:UpdateDistribution",
                ],
                resources=[
                    f"arn:aws:cloudfront::{stack.account}:distribution/{distribution.distribution_id}"
                ],
            )
        )
        secret.grant_read(role)
        secret.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(
                actions=[
                    "secretsmanager:DescribeSecret",
                    "secretsmanager:UpdateSecretVersionStage",
                ],
                resources=[secret.secret_arn],
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                actions=["secretsmanager:GetRandomPassword"],
                resources=["*"],  # takes no resource
            )
        )
        self.function = lambda_.Function(
            self,
            "Function",
            function_name=function_name,
            description="Manabi Plus: rotates the CloudFront to API origin secret (GL-SEC-05)",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=contract.ORIGIN_ROTATION_HANDLER,
            code=lambda_.Code.from_asset(str(code_dir)),
            memory_size=256,
            timeout=TIMEOUT,
            role=role,
            log_group=log_group,
            reserved_concurrent_executions=1,  # one rotation at a time
            environment={
                env.ORIGIN_WEB_ACL_NAME: self.resource_names.regional_web_acl,
                env.ORIGIN_WEB_ACL_ID: web_acl.attr_id,
                env.ORIGIN_RULE_NAME: ORIGIN_HEADER_RULE,
                env.ORIGIN_DISTRIBUTION_ID: distribution.distribution_id,
                env.ORIGIN_HEADER: names.ORIGIN_SECRET_HEADER,
                **powertools_environment(self.config, contract.ORIGIN_ROTATION_SERVICE),
            },
        )
        self.schedule = secret.add_rotation_schedule(
            "Rotation",
            rotation_lambda=self.function,
            automatically_after=Duration.days(self.config.origin_secret_rotation_days),
        )
