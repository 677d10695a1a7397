"""WAF WebACLs (MP-WAF-01..03, MP-APIGW-01).

`ManagedRulesWebAcl`: the CLOUDFRONT WebACL of both distributions, made of the AWS managed rule
groups the design chose, in its priority order. Staging only counts what they match (override
action `Count`), production lets them block (`None`).

`OriginHeaderWebAcl`: the REGIONAL WebACL of the API stage. It blocks every request that does
not carry CloudFront's secret origin header, so the API answers only through its distribution.

Both log straight to an S3 bucket whose name starts with `aws-waf-logs-` (direct delivery,
recorded in docs/infrastructure.md instead of the design's Kinesis Data Firehose).
"""

from __future__ import annotations

from typing import NamedTuple

from aws_cdk import Tags
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from manabi_contract.problems import TYPE_BASE
from manabi_infra import names
from manabi_infra.config import EnvironmentConfig

# (priority, rule group) of the design (6.4.1). Not applied: AdminProtection, Linux, POSIX,
# Windows, PHP, WordPress — the system runs none of that software.
MANAGED_RULE_GROUPS: tuple[tuple[int, str], ...] = (
    (1, "AWSManagedRulesAmazonIpReputationList"),
    (2, "AWSManagedRulesAnonymousIpList"),
    (3, "AWSManagedRulesBotControlRuleSet"),
    (4, "AWSManagedRulesSQLiRuleSet"),
    (5, "AWSManagedRulesKnownBadInputsRuleSet"),
    (6, "AWSManagedRulesCommonRuleSet"),
)
NOT_APPLIED = (
    "AWSManagedRulesAdminProtectionRuleSet",
    "AWSManagedRulesLinuxRuleSet",
    "AWSManagedRulesUnixRuleSet",
    "AWSManagedRulesWindowsRuleSet",
    "AWSManagedRulesPHPRuleSet",
    "AWSManagedRulesWordPressRuleSet",
)


def _visibility(metric: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=metric, sampled_requests_enabled=True
    )


class WebAclSettings(NamedTuple):
    """What a WebACL is besides its rules: where it applies, what for, and what it does with a
    request that no rule decides."""

    waf_scope: str  # CLOUDFRONT or REGIONAL
    description: str
    default_action: wafv2.CfnWebACL.DefaultActionProperty


DISTRIBUTIONS_WEB_ACL = WebAclSettings(
    "CLOUDFRONT",
    "Manabi Plus distributions - AWS managed rule groups of the design",
    wafv2.CfnWebACL.DefaultActionProperty(allow={}),
)
API_STAGE_WEB_ACL = WebAclSettings(
    "REGIONAL",
    "Manabi Plus API stage - only requests through the API distribution",
    # Fail closed: whatever does not carry the secret header is blocked.
    wafv2.CfnWebACL.DefaultActionProperty(block={}),
)


class LoggedWebAcl(Construct):
    """A WebACL of the security function: metrics and sampled requests under its name, logs
    straight to `log_bucket`; a REGIONAL one guards the API stage `stage_arn`."""

    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        settings: WebAclSettings,
        *,
        name: str,
        rules: list[wafv2.CfnWebACL.RuleProperty],
        log_bucket: s3.IBucket,
        stage_arn: str | None = None,
        custom_response_bodies: dict[str, wafv2.CfnWebACL.CustomResponseBodyProperty] | None = None,
    ) -> None:
        super().__init__(scope, construct_id)
        self.web_acl = wafv2.CfnWebACL(
            self,
            "WebAcl",
            name=name,
            description=settings.description,
            scope=settings.waf_scope,
            default_action=settings.default_action,
            rules=rules,
            visibility_config=_visibility(name),
            custom_response_bodies=custom_response_bodies,
        )
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        if stage_arn is not None:
            wafv2.CfnWebACLAssociation(
                self, "StageAssociation", resource_arn=stage_arn, web_acl_arn=self.web_acl.attr_arn
            )
        logging = wafv2.CfnLoggingConfiguration(
            self,
            "Logging",
            resource_arn=self.web_acl.attr_arn,
            log_destination_configs=[log_bucket.bucket_arn],
        )
        logging.node.add_dependency(log_bucket)


# The rate-based rule answers like the API does when it limits: 429 with Retry-After (the
# evaluation window), so the SPA backs off the same way (GL-SEC-04).
RATE_LIMIT_RULE = "RateLimitPerClientIp"
RATE_WINDOW_SECONDS = 300
RATE_LIMITED_BODY = "rate-limited"


def rate_limit_rule(config: EnvironmentConfig) -> wafv2.CfnWebACL.RuleProperty:
    """Requests per client IP over 5 minutes on the API distribution (its Host header); counts
    in staging, blocks in production, like the managed groups."""
    scope_down = None
    if config.api_domain:
        scope_down = wafv2.CfnWebACL.StatementProperty(
            byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": "host"}),
                positional_constraint="EXACTLY",
                search_string=config.api_domain,
                text_transformations=[
                    wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="LOWERCASE")
                ],
            )
        )
    action = (
        wafv2.CfnWebACL.RuleActionProperty(
            block=wafv2.CfnWebACL.BlockActionProperty(
                custom_response=wafv2.CfnWebACL.CustomResponseProperty(
                    response_code=429,
                    custom_response_body_key=RATE_LIMITED_BODY,
                    # CORS headers too, so that the SPA can read the 429 and back off.
                    response_headers=[
                        wafv2.CfnWebACL.CustomHTTPHeaderProperty(name=name, value=value)
                        for name, value in (
                            ("Retry-After", str(RATE_WINDOW_SECONDS)),
                            ("Access-Control-Allow-Origin", config.web_origin),
                            ("Access-Control-Expose-Headers", "Retry-After"),
                        )
                    ],
                )
            )
        )
        if config.waf_block
        else wafv2.CfnWebACL.RuleActionProperty(count={})
    )
    return wafv2.CfnWebACL.RuleProperty(
        name=RATE_LIMIT_RULE,
        priority=0,
        action=action,
        statement=wafv2.CfnWebACL.StatementProperty(
            rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                aggregate_key_type="IP",
                limit=config.waf_rate_limit,
                evaluation_window_sec=RATE_WINDOW_SECONDS,
                scope_down_statement=scope_down,
            )
        ),
        visibility_config=_visibility(RATE_LIMIT_RULE),
    )


# The body of the 429: a problem details document like the API's own (api/problems.py).
RATE_LIMITED_RESPONSE_BODIES = {
    RATE_LIMITED_BODY: wafv2.CfnWebACL.CustomResponseBodyProperty(
        content_type="APPLICATION_JSON",
        content=(
            f'{{"type":"{TYPE_BASE}rate-limited","title":"Too many requests","status":429,'
            f'"detail":"Too many requests from this address; retry after {RATE_WINDOW_SECONDS} s"}}'
        ),
    )
}


class ManagedRulesWebAcl(LoggedWebAcl):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        name: str,
        log_bucket: s3.IBucket,
    ) -> None:
        rules = [rate_limit_rule(config), *_managed_rules(config)]
        super().__init__(
            scope,
            construct_id,
            DISTRIBUTIONS_WEB_ACL,
            name=name,
            rules=rules,
            log_bucket=log_bucket,
            custom_response_bodies=RATE_LIMITED_RESPONSE_BODIES,
        )


def _managed_rules(config: EnvironmentConfig) -> list[wafv2.CfnWebACL.RuleProperty]:
    override = (
        wafv2.CfnWebACL.OverrideActionProperty(none={})
        if config.waf_block
        else wafv2.CfnWebACL.OverrideActionProperty(count={})
    )
    rules = []
    for priority, group in MANAGED_RULE_GROUPS:
        configs = None
        if group == "AWSManagedRulesBotControlRuleSet":
            configs = [
                wafv2.CfnWebACL.ManagedRuleGroupConfigProperty(
                    aws_managed_rules_bot_control_rule_set=wafv2.CfnWebACL.AWSManagedRulesBotControlRuleSetProperty(
                        inspection_level=config.bot_control_level
                    )
                )
            ]
        rules.append(
            wafv2.CfnWebACL.RuleProperty(
                name=group,
                priority=priority,
                override_action=override,
                statement=wafv2.CfnWebACL.StatementProperty(
                    managed_rule_group_statement=wafv2.CfnWebACL.ManagedRuleGroupStatementProperty(
                        vendor_name="AWS", name=group, managed_rule_group_configs=configs
                    )
                ),
                visibility_config=_visibility(group),
            )
        )
    return rules


# The rule that checks the origin header; the rotation function rewrites its statement
# (manabi_rotation, GL-SEC-05).
ORIGIN_HEADER_RULE = "AllowFromApiDistribution"


class OriginHeaderWebAcl(LoggedWebAcl):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        name: str,
        secret_value: str,
        stage_arn: str,
        log_bucket: s3.IBucket,
    ) -> None:
        rule = wafv2.CfnWebACL.RuleProperty(
            name=ORIGIN_HEADER_RULE,
            priority=0,
            action=wafv2.CfnWebACL.RuleActionProperty(allow={}),
            statement=wafv2.CfnWebACL.StatementProperty(
                byte_match_statement=wafv2.CfnWebACL.ByteMatchStatementProperty(
                    field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(
                        single_header={"Name": names.ORIGIN_SECRET_HEADER}
                    ),
                    positional_constraint="EXACTLY",
                    search_string=secret_value,
                    text_transformations=[
                        wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")
                    ],
                )
            ),
            visibility_config=_visibility(ORIGIN_HEADER_RULE),
        )
        super().__init__(
            scope,
            construct_id,
            API_STAGE_WEB_ACL,
            name=name,
            rules=[rule],
            log_bucket=log_bucket,
            stage_arn=stage_arn,
        )
