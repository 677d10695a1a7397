"""Edge: certificate, WebACLs, distributions, DNS (MP-ACM-01, MP-WAF-*, MP-CF-*, MP-APIGW-01,
MP-NET-02). The us-east-1 stack holds what CloudFront needs from there; Tokyo the rest."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.config import US_EAST_1
from manabi_infra.constructs.waf import RATE_LIMIT_RULE

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

MANAGED_GROUPS = [
    (1, "AWSManagedRulesAmazonIpReputationList"),
    (2, "AWSManagedRulesAnonymousIpList"),
    (3, "AWSManagedRulesBotControlRuleSet"),
    (4, "AWSManagedRulesSQLiRuleSet"),
    (5, "AWSManagedRulesKnownBadInputsRuleSet"),
    (6, "AWSManagedRulesCommonRuleSet"),
]
NOT_APPLIED = {
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
}
ALL_METHODS = ["GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"]
CACHING_OPTIMIZED = "658327ea-f89d-4fab-a63d-7e88639e58f6"
CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"


def _cross_region_output(value: Any, edge: SynthesizedStack) -> str:
    """The edge-stack output that a Tokyo property reads through Fn::GetStackOutput."""
    ref = value["Fn::GetStackOutput"]
    assert ref["StackName"] == edge.stack_id
    assert ref["Region"] == US_EAST_1
    output: str = ref["OutputName"]
    assert output in edge.template["Outputs"]
    return output


def _distribution(stack: SynthesizedStack, name: str) -> dict[str, Any]:
    (config,) = [
        r["Properties"]["DistributionConfig"]
        for r in stack.of_type("AWS::CloudFront::Distribution").values()
        if r["Properties"]["DistributionConfig"]["Comment"] == name
    ]
    return dict(config)


def _web(stack: SynthesizedStack) -> dict[str, Any]:
    return _distribution(stack, stack.names.web_distribution)


def _api(stack: SynthesizedStack) -> dict[str, Any]:
    return _distribution(stack, stack.names.api_distribution)


@pytest.fixture
def paired(
    stack: SynthesizedStack, edge_stacks: dict[Any, SynthesizedStack]
) -> tuple[SynthesizedStack, SynthesizedStack]:
    return stack, edge_stacks[stack.config.name]


# --- ACM ----------------------------------------------------------------------------------------


def test_mp_acm_01_dns_validated_certificate_in_us_east_1(edge: SynthesizedStack) -> None:
    _, cert = edge.only("AWS::CertificateManager::Certificate")
    props = cert["Properties"]
    assert props["DomainName"] == edge.config.domain
    assert props["SubjectAlternativeNames"] == [edge.config.api_domain]
    assert props["ValidationMethod"] == "DNS"
    zone_id, _ = edge.only("AWS::Route53::HostedZone")
    assert props["DomainValidationOptions"] == [
        {"DomainName": edge.config.domain, "HostedZoneId": {"Ref": zone_id}},
        {"DomainName": edge.config.api_domain, "HostedZoneId": {"Ref": zone_id}},
    ]
    assert edge.template["Outputs"]  # read by the Tokyo stack


# --- WAF ----------------------------------------------------------------------------------------


def _managed_acl(edge: SynthesizedStack) -> Resource:
    _, acl = edge.only("AWS::WAFv2::WebACL")
    return acl


def test_mp_waf_01_managed_rule_groups_in_the_design_order(edge: SynthesizedStack) -> None:
    props = _managed_acl(edge)["Properties"]
    assert props["Scope"] == "CLOUDFRONT"
    assert props["Name"] == edge.names.cloudfront_web_acl
    assert props["DefaultAction"] == {"Allow": {}}
    # The managed groups; the rate-based rule before them is GL-SEC-04's
    # (tests/infra/test_infra_abuse_limits.py).
    managed = [r for r in props["Rules"] if "ManagedRuleGroupStatement" in r["Statement"]]
    assert [r["Name"] for r in props["Rules"] if r not in managed] == [RATE_LIMIT_RULE]
    found = [
        (
            r["Priority"],
            r["Statement"]["ManagedRuleGroupStatement"]["Name"],
        )
        for r in managed
    ]
    assert found == MANAGED_GROUPS
    assert all(r["Statement"]["ManagedRuleGroupStatement"]["VendorName"] == "AWS" for r in managed)
    assert not NOT_APPLIED & {name for _, name in found}
    (bot,) = [r for r in props["Rules"] if r["Name"] == "AWSManagedRulesBotControlRuleSet"]
    configs = bot["Statement"]["ManagedRuleGroupStatement"]["ManagedRuleGroupConfigs"]
    assert configs == [{"AWSManagedRulesBotControlRuleSet": {"InspectionLevel": "COMMON"}}]


def test_mp_waf_01_both_distributions_use_the_cloudfront_web_acl(
    paired: tuple[SynthesizedStack, SynthesizedStack],
) -> None:
    stack, edge = paired
    acl_id, _ = edge.only("AWS::WAFv2::WebACL")
    for config in (_web(stack), _api(stack)):
        output = _cross_region_output(config["WebACLId"], edge)
        assert edge.template["Outputs"][output]["Value"] == {"Fn::GetAtt": [acl_id, "Arn"]}


def test_mp_waf_02_staging_counts_production_blocks(edge: SynthesizedStack) -> None:
    expected = {"None": {}} if edge.config.name == "production" else {"Count": {}}
    for rule in _managed_acl(edge)["Properties"]["Rules"]:
        if rule["Name"] == RATE_LIMIT_RULE:
            continue  # a rule of its own, with an Action (GL-SEC-04)
        assert rule["OverrideAction"] == expected, rule["Name"]


def test_mp_waf_02_override_actions_per_environment(
    edge_stacks: dict[Any, SynthesizedStack],
) -> None:
    actions = {
        env.value: {
            next(iter(r["OverrideAction"]))
            for r in _managed_acl(e)["Properties"]["Rules"]
            if r["Name"] != RATE_LIMIT_RULE
        }
        for env, e in edge_stacks.items()
    }
    assert actions == {"staging": {"Count"}, "production": {"None"}}


def test_mp_waf_03_web_acls_log_straight_to_their_s3_buckets(
    paired: tuple[SynthesizedStack, SynthesizedStack],
) -> None:
    stack, edge = paired
    for holder, bucket_name in (
        (edge, edge.names.waf_log_bucket_edge),
        (stack, stack.names.waf_log_bucket_api),
    ):
        assert bucket_name.startswith("aws-waf-logs-")
        bucket_id, _ = holder.named("AWS::S3::Bucket", "BucketName", bucket_name)
        (acl_id,) = holder.of_type("AWS::WAFv2::WebACL")
        _, logging = holder.only("AWS::WAFv2::LoggingConfiguration")
        assert logging["Properties"] == {
            "LogDestinationConfigs": [{"Fn::GetAtt": [bucket_id, "Arn"]}],
            "ResourceArn": {"Fn::GetAtt": [acl_id, "Arn"]},
        }
        statements = [
            s
            for p in holder.of_type("AWS::S3::BucketPolicy").values()
            if p["Properties"]["Bucket"] == {"Ref": bucket_id}
            for s in p["Properties"]["PolicyDocument"]["Statement"]
            if s["Effect"] == "Allow"
        ]
        assert {s["Principal"]["Service"] for s in statements} == {"delivery.logs.amazonaws.com"}


# --- CloudFront ---------------------------------------------------------------------------------


def test_mp_cf_01_two_distributions_website_and_api(stack: SynthesizedStack) -> None:
    web, api = _web(stack), _api(stack)
    assert len(stack.of_type("AWS::CloudFront::Distribution")) == 2
    (web_origin,) = web["Origins"]
    assert web_origin["DomainName"]["Fn::GetAtt"][1] == "RegionalDomainName"
    assert "S3OriginConfig" in web_origin
    (api_origin,) = api["Origins"]
    rest_api_id, _ = stack.only("AWS::ApiGateway::RestApi")
    assert api_origin["DomainName"] == {
        "Fn::Join": [".", [{"Ref": rest_api_id}, "execute-api.ap-northeast-1.amazonaws.com"]]
    }
    assert api_origin["OriginPath"] == f"/{names.API_STAGE}"


def test_mp_cf_02_origins_three_attempts_ten_seconds_no_shield(stack: SynthesizedStack) -> None:
    for config in (_web(stack), _api(stack)):
        for origin in config["Origins"]:
            assert origin["ConnectionAttempts"] == 3
            assert origin["ConnectionTimeout"] == 10
            assert "OriginShield" not in origin


def test_mp_cf_03_website_behaviour(stack: SynthesizedStack) -> None:
    web = _web(stack)
    behaviour = web["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "redirect-to-https"
    assert behaviour["AllowedMethods"] == ["GET", "HEAD"]
    assert behaviour["CachedMethods"] == ["GET", "HEAD"]
    assert behaviour["CachePolicyId"] == CACHING_OPTIMIZED
    assert web["DefaultRootObject"] == "index.html"
    # SPA routes: a viewer-request function answers paths without an extension with index.html
    (association,) = behaviour["FunctionAssociations"]
    assert association["EventType"] == "viewer-request"
    _, function = stack.only("AWS::CloudFront::Function")
    assert "/index.html" in function["Properties"]["FunctionCode"]
    (origin,) = web["Origins"]
    oac_id, oac = stack.only("AWS::CloudFront::OriginAccessControl")
    assert origin["OriginAccessControlId"] == {"Fn::GetAtt": [oac_id, "Id"]}
    assert oac["Properties"]["OriginAccessControlConfig"]["SigningBehavior"] == "always"


def test_mp_cf_03_api_behaviour(stack: SynthesizedStack) -> None:
    behaviour = _api(stack)["DefaultCacheBehavior"]
    assert behaviour["ViewerProtocolPolicy"] == "https-only"
    assert behaviour["AllowedMethods"] == ALL_METHODS
    assert behaviour["CachePolicyId"] == CACHING_DISABLED


def test_mp_cf_03_no_field_encryption_signed_urls_or_real_time_logs(
    stack: SynthesizedStack,
) -> None:
    for config in (_web(stack), _api(stack)):
        behaviour = config["DefaultCacheBehavior"]
        for absent in (
            "FieldLevelEncryptionId",
            "TrustedSigners",
            "TrustedKeyGroups",
            "RealtimeLogConfigArn",
            "SmoothStreaming",
        ):
            assert absent not in behaviour
        assert "CacheBehaviors" not in config


def test_mp_cf_04_distribution_settings(
    paired: tuple[SynthesizedStack, SynthesizedStack],
) -> None:
    stack, edge = paired
    cert_id, _ = edge.only("AWS::CertificateManager::Certificate")
    for config, alias in (
        (_web(stack), stack.config.domain),
        (_api(stack), stack.config.api_domain),
    ):
        assert config["PriceClass"] == "PriceClass_All"
        assert config["HttpVersion"] == "http2"  # HTTP/2 and HTTP/1.x
        assert config["IPV6Enabled"] is True
        assert config["Enabled"] is True
        assert config["Aliases"] == [alias]
        viewer = config["ViewerCertificate"]
        assert viewer["SslSupportMethod"] == "sni-only"
        assert viewer["MinimumProtocolVersion"] == "TLSv1.2_2021"
        output = _cross_region_output(viewer["AcmCertificateArn"], edge)
        assert edge.template["Outputs"][output]["Value"] == {"Ref": cert_id}


def test_mp_cf_04_access_logs_with_the_design_prefixes(stack: SynthesizedStack) -> None:
    log_id, log = stack.named("AWS::S3::Bucket", "BucketName", stack.names.log_bucket)
    for config, prefix in ((_web(stack), "cf-website/"), (_api(stack), "cf-api/")):
        assert config["Logging"] == {
            "Bucket": {"Fn::GetAtt": [log_id, "RegionalDomainName"]},
            "IncludeCookies": False,
            "Prefix": prefix,
        }
    # CloudFront's standard (legacy) logs are delivered with an ACL grant.
    assert log["Properties"]["OwnershipControls"] == {
        "Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]
    }


# --- API reachable through its distribution only -------------------------------------------------


def test_mp_apigw_01_secret_origin_header_enforced_by_a_regional_web_acl(
    stack: SynthesizedStack,
) -> None:
    secret_id, secret = stack.only("AWS::SecretsManager::Secret")
    assert secret["Properties"]["Name"] == stack.names.origin_secret
    reference = {
        "Fn::Join": ["", ["{{resolve:secretsmanager:", {"Ref": secret_id}, ":SecretString:::}}"]]
    }
    (origin,) = _api(stack)["Origins"]
    assert origin["OriginCustomHeaders"] == [
        {"HeaderName": names.ORIGIN_SECRET_HEADER, "HeaderValue": reference}
    ]
    assert origin["CustomOriginConfig"] == {
        "OriginProtocolPolicy": "https-only",
        "OriginSSLProtocols": ["TLSv1.2"],
    }
    acl_id, acl = stack.only("AWS::WAFv2::WebACL")
    props = acl["Properties"]
    assert props["Scope"] == "REGIONAL"
    assert props["DefaultAction"] == {"Block": {}}
    (rule,) = props["Rules"]
    assert rule["Action"] == {"Allow": {}}
    match = rule["Statement"]["ByteMatchStatement"]
    assert match["FieldToMatch"] == {"SingleHeader": {"Name": names.ORIGIN_SECRET_HEADER}}
    assert match["PositionalConstraint"] == "EXACTLY"
    assert match["SearchString"] == reference
    _, association = stack.only("AWS::WAFv2::WebACLAssociation")
    stage_id, _ = stack.only("AWS::ApiGateway::Stage")
    rest_api_id, _ = stack.only("AWS::ApiGateway::RestApi")
    assert association["Properties"]["WebACLArn"] == {"Fn::GetAtt": [acl_id, "Arn"]}
    assert association["Properties"]["ResourceArn"]["Fn::Join"][1][1:] == [
        {"Ref": rest_api_id},
        "/stages/",
        {"Ref": stage_id},
    ]


# --- DNS ----------------------------------------------------------------------------------------


def test_mp_net_02_public_zone_with_query_logging_and_alias_records(
    paired: tuple[SynthesizedStack, SynthesizedStack],
) -> None:
    stack, edge = paired
    _, zone = edge.only("AWS::Route53::HostedZone")
    props = zone["Properties"]
    assert props["Name"] == f"{stack.config.domain}."
    assert "VPCs" not in props  # public: a private zone cannot alias CloudFront
    log_id, log_group = edge.only("AWS::Logs::LogGroup")
    assert log_group["Properties"]["LogGroupName"] == f"/aws/route53/{stack.config.domain}"
    assert props["QueryLoggingConfig"] == {
        "CloudWatchLogsLogGroupArn": {"Fn::GetAtt": [log_id, "Arn"]}
    }
    _, policy = edge.only("AWS::Logs::ResourcePolicy")
    document = policy["Properties"]["PolicyDocument"]["Fn::Join"][1]
    assert '"Principal":{"Service":"route53.amazonaws.com"}' in document[0]
    assert document[1] == {"Fn::GetAtt": [log_id, "Arn"]}
    assert zone.get("DependsOn")  # the policy exists before the zone starts logging
    records = {
        (r["Properties"]["Name"], r["Properties"]["Type"])
        for r in stack.of_type("AWS::Route53::RecordSet").values()
    }
    assert records == {
        (f"{n}.", t) for n in (stack.config.domain, stack.config.api_domain) for t in ("A", "AAAA")
    }
    for record in stack.of_type("AWS::Route53::RecordSet").values():
        _cross_region_output(record["Properties"]["HostedZoneId"], edge)
        assert "AliasTarget" in record["Properties"]
