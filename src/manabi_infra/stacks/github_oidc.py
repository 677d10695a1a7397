"""GitHub's OIDC provider and the deploy role of one account (GL-CICD-01, docs/decisions/0036).

Deployed once per account, first of all (`make deploy` puts it before the baseline): the deploy
workflow's job of the GitHub environment `<env>` exchanges its OIDC token for this role, which
may do one thing only: assume the CDK bootstrap roles (`cdk-<qualifier>-*`) that `cdk deploy`
uses. No access key is stored anywhere.
"""

from __future__ import annotations

from aws_cdk import CfnOutput, Duration, Tags
from aws_cdk import aws_iam as iam
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import CDK_QUALIFIER, TOKYO
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.deployment_stack import DeploymentStack

GITHUB_ISSUER = "token.actions.githubusercontent.com"
STS_AUDIENCE = "sts.amazonaws.com"


def bootstrap_role_arns(account: str) -> list[str]:
    """The CDK bootstrap roles (`cdk-<qualifier>-<role>-<account>-<region>`) of the regions the
    environment's stacks deploy to, and no other role of the account."""
    return [
        f"arn:aws:iam::{account}:role/cdk-{CDK_QUALIFIER}-*-{account}-{region}"
        for region in names.BASELINE_REGIONS
    ]


class GitHubOidcStack(DeploymentStack):
    def __init__(self, scope: Construct, *, deployment: Deployment) -> None:
        super().__init__(
            scope,
            names.github_oidc_stack_id(deployment.config),
            deployment=deployment,
            region=TOKYO,
            description="Manabi Plus GitHub OIDC provider and deploy role",
        )
        config = deployment.config
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        provider_arn = config.github_oidc_provider_arn
        if provider_arn is None:
            self.provider: iam.CfnOIDCProvider | None = iam.CfnOIDCProvider(
                self,
                "GitHubProvider",
                url=f"https://{GITHUB_ISSUER}",
                client_id_list=[STS_AUDIENCE],
            )
            provider_arn = self.provider.attr_arn
        else:  # the account's existing provider for the same issuer (config.py)
            self.provider = None
        subject = f"repo:{config.github_repository}:environment:{config.name}"
        self.role = iam.Role(
            self,
            "DeployRole",
            role_name=f"{config.prefix}-manabiplus-github-deploy",
            description=f"GitHub Actions ({subject}) deploys through the CDK bootstrap roles",
            max_session_duration=Duration.hours(1),
            assumed_by=iam.WebIdentityPrincipal(
                provider_arn,
                conditions={
                    "StringEquals": {
                        f"{GITHUB_ISSUER}:aud": STS_AUDIENCE,
                        f"{GITHUB_ISSUER}:sub": subject,
                    }
                },
            ),
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                actions=["sts:AssumeRole"],
                resources=bootstrap_role_arns(config.account),
            )
        )
        # The GitHub environment's `DEPLOY_ROLE_ARN` variable (.github/workflows/deploy.yml).
        CfnOutput(
            self,
            "DeployRoleArn",
            value=self.role.role_arn,
            description="vars.DEPLOY_ROLE_ARN of the GitHub environment " + config.name,
        )
