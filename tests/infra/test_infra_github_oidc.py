"""GL-CICD-01: GitHub's OIDC provider and the deploy role, one stack per account, deployed first
(docs/decisions/0036)."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest
from aws_cdk import App
from aws_cdk.assertions import Template

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS, STAGING, EnvName
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.github_oidc import GitHubOidcStack

from .conftest import SynthesizedStack, _load

pytestmark = pytest.mark.infra


@pytest.fixture(scope="session", params=list(EnvName), ids=str)
def oidc(request: pytest.FixtureRequest, cloud_assembly: Path) -> SynthesizedStack:
    config = ENVIRONMENTS[request.param]
    return _load(config, names.github_oidc_stack_id(config))


def test_gl_cicd_01_github_oidc_provider_for_sts(oidc: SynthesizedStack) -> None:
    """GL-CICD-01: the account trusts GitHub Actions' token issuer for the STS audience."""
    _, provider = oidc.only("AWS::IAM::OIDCProvider")
    assert provider["Properties"]["Url"] == "https://token.actions.githubusercontent.com"
    assert provider["Properties"]["ClientIdList"] == ["sts.amazonaws.com"]


def test_gl_cicd_01_deploy_role_trusts_only_the_repository_environment(
    oidc: SynthesizedStack,
) -> None:
    """GL-CICD-01: only a job of this repository's GitHub environment of the same name gets the
    deploy role, which may do nothing but assume the account's CDK bootstrap roles."""
    provider_id, _ = oidc.only("AWS::IAM::OIDCProvider")
    role_id, role = oidc.only("AWS::IAM::Role")
    config = oidc.config
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert trust["Principal"] == {"Federated": {"Fn::GetAtt": [provider_id, "Arn"]}}
    assert trust["Condition"] == {
        "StringEquals": {
            "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
            "token.actions.githubusercontent.com:sub": (
                f"repo:{config.github_repository}:environment:{config.name}"
            ),
        }
    }
    assert config.github_repository == "manabiplus/manabi-plus"
    assert role["Properties"]["MaxSessionDuration"] == 3600
    # Its only permission: assume this account's CDK bootstrap roles.
    (policy,) = oidc.of_type("AWS::IAM::Policy").values()
    assert policy["Properties"]["Roles"] == [{"Ref": role_id}]
    assert policy["Properties"]["PolicyDocument"]["Statement"] == [
        {
            "Action": "sts:AssumeRole",
            "Effect": "Allow",
            "Resource": [
                f"arn:aws:iam::{config.account}:role/cdk-hnb659fds-*-{config.account}-{region}"
                for region in ("ap-northeast-1", "ap-northeast-3", "us-east-1")
            ],
        }
    ]
    assert "ManagedPolicyArns" not in role["Properties"]
    assert oidc.template["Outputs"]["DeployRoleArn"]["Value"] == {"Fn::GetAtt": [role_id, "Arn"]}


def test_gl_cicd_01_oidc_stack_is_first_in_the_deploy_order(cloud_assembly: Path) -> None:
    """GL-CICD-01: one OIDC stack per account (Tokyo), depending on nothing, before the
    baseline."""
    manifest = json.loads((cloud_assembly / "manifest.json").read_text())["artifacts"]
    for config in ENVIRONMENTS.values():
        oidc = names.github_oidc_stack_id(config)
        assert manifest[oidc]["environment"] == f"aws://{config.account}/ap-northeast-1"
        stacks = {k for k, v in manifest.items() if v["type"] == "aws:cloudformation:stack"}
        assert not set(manifest[oidc].get("dependencies", [])) & stacks
        for baseline in names.baseline_stack_ids(config):
            assert oidc in manifest[baseline]["dependencies"]
        assert names.stack_ids(config)[0] == oidc


def test_gl_cicd_01_an_account_with_githubs_provider_already_trusts_that_one() -> None:
    """GL-CICD-01: one provider per issuer per account; where GitHub's exists, the stack creates
    none and the deploy role trusts the existing one, with the same conditions."""
    existing = f"arn:aws:iam::{STAGING.account}:oidc-provider/token.actions.githubusercontent.com"
    config = replace(STAGING, github_oidc_provider_arn=existing)
    stack = GitHubOidcStack(App(), deployment=Deployment(config))
    template = Template.from_stack(stack).to_json()
    kinds = [r["Type"] for r in template["Resources"].values()]
    assert "AWS::IAM::OIDCProvider" not in kinds
    (role,) = (r for r in template["Resources"].values() if r["Type"] == "AWS::IAM::Role")
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Federated": existing}
    assert trust["Condition"]["StringEquals"]["token.actions.githubusercontent.com:sub"] == (
        f"repo:{config.github_repository}:environment:staging"
    )
