"""The SPA published by the workload stack (GL-DEP-01, docs/decisions/0036): web/dist and a
config.json of the stack's own values in the web bucket, with their cache headers and a CloudFront
invalidation."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from manabi_contract import site
from manabi_infra.constructs import site as site_construct
from manabi_infra.nag_reasons import SITE_PUBLISHER

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

MARKER = re.compile(r"<<marker:0xbaba:(\d+)>>")


def _deployments(stack: SynthesizedStack) -> dict[str, Resource]:
    found = stack.of_type("Custom::CDKBucketDeployment")
    assert len(found) == 2, sorted(found)
    by_prefix = {r["Properties"].get("DestinationBucketKeyPrefix", ""): r for r in found.values()}
    assert set(by_prefix) == {"assets/", ""}
    return by_prefix


def _web_bucket_ref(stack: SynthesizedStack) -> dict[str, str]:
    bucket_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.web_bucket)
    return {"Ref": bucket_id}


def test_gl_dep_01_hashed_assets_immutable_for_a_year_never_pruned(
    stack: SynthesizedStack,
) -> None:
    assets = _deployments(stack)["assets/"]["Properties"]
    assert assets["DestinationBucketName"] == _web_bucket_ref(stack)
    assert assets["SystemMetadata"] == {"cache-control": "public, max-age=31536000, immutable"}
    assert assets["Prune"] is False  # a browser on the previous build still finds its files
    assert "DistributionId" not in assets  # new names need no invalidation


def test_gl_dep_01_shell_and_config_json_no_cache_pruned_and_invalidated(
    stack: SynthesizedStack,
) -> None:
    by_prefix = _deployments(stack)
    shell = by_prefix[""]["Properties"]
    assert shell["DestinationBucketName"] == _web_bucket_ref(stack)
    assert shell["SystemMetadata"] == {"cache-control": "no-cache"}
    assert shell["Prune"] is True
    assert shell["Exclude"] == ["assets/*"]  # pruning never deletes the other deployment's files
    (web_id,) = [
        lid
        for lid, r in stack.of_type("AWS::CloudFront::Distribution").items()
        if r["Properties"]["DistributionConfig"]["Comment"] == stack.names.web_distribution
    ]
    assert shell["DistributionId"] == {"Ref": web_id}
    assert shell["DistributionPaths"] == ["/index.html", "/config.json"]
    assert shell["WaitForDistributionInvalidation"] is True
    # The new index.html is published only once the assets it names are in the bucket.
    (shell_id,) = [
        lid
        for lid, r in stack.of_type("Custom::CDKBucketDeployment").items()
        if r["Properties"] is shell
    ]
    (assets_id,) = set(stack.of_type("Custom::CDKBucketDeployment")) - {shell_id}
    assert assets_id in stack.resources[shell_id]["DependsOn"]


def _config_json(stack: SynthesizedStack, assembly: Path) -> tuple[dict[str, Any], list[Any]]:
    """The published config.json, with CDK's deploy-time markers replaced by what they resolve
    from (a `{"Ref": …}` of this stack)."""
    shell = _deployments(stack)[""]["Properties"]
    for key, markers in zip(shell["SourceObjectKeys"], shell["SourceMarkers"], strict=True):
        path = assembly / f"asset.{key.removesuffix('.zip')}" / site.CONFIG_FILE
        if path.is_file():
            text = path.read_text()
            refs: list[Any] = []

            def resolve(
                match: re.Match[str], markers: dict[str, Any] = markers, refs: list[Any] = refs
            ) -> str:
                joined = markers[match.group(0)]["Fn::Join"][1]
                assert joined[0] == joined[2] == '"'  # the value is a JSON string
                refs.append(joined[1])
                return json.dumps(f"@ref{len(refs) - 1}")

            return json.loads(MARKER.sub(resolve, text)), refs
    raise AssertionError("no asset of the shell deployment holds config.json")


def test_gl_dep_01_config_json_holds_the_stacks_own_values(
    stack: SynthesizedStack, cloud_assembly: Path
) -> None:
    config, refs = _config_json(stack, cloud_assembly)
    pool_id, _ = stack.only("AWS::Cognito::UserPool")
    client_id, _ = stack.named(
        "AWS::Cognito::UserPoolClient", "ClientName", stack.names.user_pool_client
    )
    resolved = {k: refs[int(v[4:])] if str(v).startswith("@ref") else v for k, v in config.items()}
    assert resolved == {
        site.KEY_API_URL: f"https://{stack.config.api_domain}",
        site.KEY_REGION: "ap-northeast-1",
        site.KEY_USER_POOL_ID: {"Ref": pool_id},
        site.KEY_USER_POOL_CLIENT_ID: {"Ref": client_id},
        site.KEY_ENVIRONMENT: str(stack.config.name),
    }
    # The same keys as the local SPA origin's; cognitoEndpoint is null in the cloud, left out
    # (the SPA reads a missing key as null and signs in at cognito-idp.<region>).
    assert set(config) == set(site.CONFIG_KEYS) - {site.KEY_COGNITO_ENDPOINT}


def test_gl_dep_01_the_publisher_logs_1096_days_and_is_tagged(stack: SynthesizedStack) -> None:
    _, logs = stack.named(
        "AWS::Logs::LogGroup", "LogGroupName", stack.names.site_publisher_log_group
    )
    assert logs["Properties"]["RetentionInDays"] == 1096
    assert logs["DeletionPolicy"] == "Retain"
    (function,) = [
        r
        for lid, r in stack.of_type("AWS::Lambda::Function").items()
        if lid.startswith(SITE_PUBLISHER.replace("Custom::", "Custom"))
    ]
    assert function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"].startswith(
        "SitePublisherLogs"
    )
    tags = {t["Key"]: t["Value"] for t in function["Properties"]["Tags"]}
    assert tags["Function"] == "frontend"


def test_gl_dep_01_without_a_build_a_stand_in_page_is_published(tmp_path: Path) -> None:
    """`cdk synth` never needs Node: a missing web/dist becomes a one-page stand-in."""
    built = tmp_path / "dist"
    assert site_construct.site_directory(built) == site_construct.STAND_IN_DIR
    page = (site_construct.STAND_IN_DIR / "index.html").read_text(encoding="utf-8")
    assert site_construct.STAND_IN_MARKER in page
    assert (site_construct.STAND_IN_DIR / "assets").is_dir()
    (built / "assets").mkdir(parents=True)
    (built / "index.html").write_text("<!doctype html>")
    assert site_construct.site_directory(built) == built


# --- security headers ---------------------------------------------------------------------------


def test_gl_dep_01_site_sends_hsts_csp_and_no_framing(stack: SynthesizedStack) -> None:
    """The site distribution's response-headers policy: the values of manabi_contract.site, the
    same the local SPA origin sends."""
    policy_id, policy = stack.only("AWS::CloudFront::ResponseHeadersPolicy")
    (web,) = [
        r["Properties"]["DistributionConfig"]
        for r in stack.of_type("AWS::CloudFront::Distribution").values()
        if r["Properties"]["DistributionConfig"]["Comment"] == stack.names.web_distribution
    ]
    assert web["DefaultCacheBehavior"]["ResponseHeadersPolicyId"] == {"Ref": policy_id}
    headers = policy["Properties"]["ResponseHeadersPolicyConfig"]["SecurityHeadersConfig"]
    assert headers["StrictTransportSecurity"] == {
        "AccessControlMaxAgeSec": 31536000,  # one year
        "IncludeSubdomains": True,
        "Preload": True,
        "Override": True,
    }
    assert headers["ContentTypeOptions"] == {"Override": True}  # nosniff
    assert headers["FrameOptions"] == {"FrameOption": site.FRAME_OPTIONS, "Override": True}
    assert headers["ReferrerPolicy"] == {
        "ReferrerPolicy": site.REFERRER_POLICY,
        "Override": True,
    }
    csp = headers["ContentSecurityPolicy"]
    assert csp["Override"] is True
    directives = dict(d.split(" ", 1) for d in csp["ContentSecurityPolicy"].split("; "))
    assert directives["default-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'"
    bucket = stack.names.data_bucket
    assert directives["connect-src"].split() == [
        "'self'",
        f"https://{stack.config.api_domain}",
        "https://cognito-idp.ap-northeast-1.amazonaws.com",
        f"https://{bucket}.s3.ap-northeast-1.amazonaws.com",  # presigned uploads
        f"https://{bucket}.s3.amazonaws.com",
    ]
    # The API distribution answers JSON only; the policy is the site's.
    (api,) = [
        r["Properties"]["DistributionConfig"]
        for r in stack.of_type("AWS::CloudFront::Distribution").values()
        if r["Properties"]["DistributionConfig"]["Comment"] == stack.names.api_distribution
    ]
    assert "ResponseHeadersPolicyId" not in api["DefaultCacheBehavior"]


def test_gl_dep_01_csp_is_built_from_the_connect_sources() -> None:
    policy = site.content_security_policy(["https://api.x", "https://api.x", "https://c"])
    assert "connect-src 'self' https://api.x https://c;" in policy  # each source once
    assert policy.startswith("default-src 'self'; ")
    assert "frame-ancestors 'none'" in policy
    assert site.security_headers([])[site.HEADER_HSTS] == (
        "max-age=31536000; includeSubDomains; preload"
    )
