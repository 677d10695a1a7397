"""The two CloudFront distributions and the API's origin protection (MP-CF-01..04, MP-APIGW-01).

- website: private web bucket through Origin Access Control (no static website hosting,
  docs/decisions/0004), SPA routes answered with index.html by a viewer-request function.
- api: the REGIONAL REST API stage. CloudFront adds a secret header, kept in Secrets Manager;
  the stage's REGIONAL WebACL blocks every request without it.

Both: all edge locations, the CLOUDFRONT WebACL, the custom name with the us-east-1 certificate
(SNI, TLSv1.2_2021), HTTP/2 and HTTP/1.x, IPv6, access logs in the log bucket under
`cf-website/` and `cf-api/` without cookies. Origins: 3 connection attempts, 10 s connection
timeout, no origin shield.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Protocol

from aws_cdk import Duration, Fn, Stack, Tags
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from manabi_contract import site
from manabi_infra import names
from manabi_infra.constructs.origin_rotation import OriginSecretRotation
from manabi_infra.constructs.storage import Storage
from manabi_infra.constructs.waf import OriginHeaderWebAcl
from manabi_infra.deployment import Deployment, DeploymentConstruct

# What both distributions share (MP-CF-04).
DISTRIBUTION_SETTINGS: dict[str, Any] = {
    "minimum_protocol_version": cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
    "ssl_support_method": cloudfront.SSLMethod.SNI,
    "http_version": cloudfront.HttpVersion.HTTP2,  # HTTP/2 and HTTP/1.x
    "enable_ipv6": True,
    "price_class": cloudfront.PriceClass.PRICE_CLASS_ALL,
    "enable_logging": True,
    "log_includes_cookies": False,
}
# ... their origins,
ORIGIN_CONNECTION: dict[str, Any] = {
    "connection_attempts": 3,
    "connection_timeout": Duration.seconds(10),
}
# ... and their default behaviours.
BEHAVIOR_SETTINGS: dict[str, Any] = {
    "cached_methods": cloudfront.CachedMethods.CACHE_GET_HEAD,
    "compress": False,  # the design leaves automatic compression off
}

# Paths without a file extension are SPA routes: answer them with the app shell.
SPA_ROUTING_CODE = """\
function handler(event) {
  var request = event.request;
  var last = request.uri.split('/').pop();
  if (last.indexOf('.') === -1) {
    request.uri = '/index.html';
  }
  return request;
}
"""


class EdgeResources(Protocol):
    """What the environment's us-east-1 stack gives the distributions: the CLOUDFRONT WebACL,
    and with a domain the certificate and the hosted zone."""

    @property
    def web_acl(self) -> wafv2.CfnWebACL: ...

    @property
    def certificate(self) -> acm.ICertificate | None: ...

    @property
    def hosted_zone(self) -> route53.IHostedZone | None: ...


class Cdn(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        storage: Storage,
        rest_api: apigw.RestApi,
        edge: EdgeResources,
        code_dir: Path,
    ) -> None:
        """The web bucket is the website's origin; the distributions log to the log bucket, the
        API's WebACL to the WAF log bucket."""
        super().__init__(scope, construct_id, deployment=deployment)
        config = self.config
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_FRONTEND)
        self.origin_secret = secretsmanager.Secret(
            self,
            "OriginSecret",
            secret_name=self.resource_names.origin_secret,
            description="Header value CloudFront adds to API requests; the API WebACL checks it",
            generate_secret_string=secretsmanager.SecretStringGenerator(
                exclude_punctuation=True, password_length=48
            ),
        )
        Tags.of(self.origin_secret).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        Tags.of(self.origin_secret).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
        # A dynamic reference: CloudFormation resolves it at deploy time; the template holds
        # only `{{resolve:secretsmanager:…}}`.
        secret_value = self.origin_secret.secret_value.unsafe_unwrap()
        stage = rest_api.deployment_stage
        self.api_web_acl = OriginHeaderWebAcl(
            self,
            "ApiWebAcl",
            name=self.resource_names.regional_web_acl,
            secret_value=secret_value,
            stage_arn=stage.stage_arn,
            log_bucket=storage.waf_log_bucket,
        ).web_acl

        # The Osaka DR workload claims the site's names only once the Tokyo distributions have
        # released them (config.claim_aliases, docs/decisions/0039).
        certificate = edge.certificate if config.claim_aliases else None
        shared: dict[str, Any] = {
            "certificate": certificate,
            "web_acl_id": edge.web_acl.attr_arn,
            "log_bucket": storage.log_bucket,
            **DISTRIBUTION_SETTINGS,
        }
        spa_routing = cloudfront.Function(
            self,
            "SpaRouting",
            function_name=f"{self.resource_names.web_distribution}-spa-routing",
            comment="Answer SPA routes with index.html",
            code=cloudfront.FunctionCode.from_inline(SPA_ROUTING_CODE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.security_headers = self._security_headers()
        self.web_distribution = cloudfront.Distribution(
            self,
            "WebDistribution",
            comment=self.resource_names.web_distribution,
            domain_names=[config.domain] if config.domain and certificate else None,
            default_root_object="index.html",
            log_file_prefix=names.CF_LOG_PREFIX_WEBSITE,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    storage.web_bucket,
                    origin_access_levels=[cloudfront.AccessLevel.READ],
                    **ORIGIN_CONNECTION,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                response_headers_policy=self.security_headers,
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=spa_routing, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
                **BEHAVIOR_SETTINGS,
            ),
            **shared,
        )
        api_origin_domain = Fn.join(
            ".", [rest_api.rest_api_id, "execute-api", Stack.of(self).region, "amazonaws.com"]
        )
        self.api_distribution = cloudfront.Distribution(
            self,
            "ApiDistribution",
            comment=self.resource_names.api_distribution,
            domain_names=[config.api_domain] if config.api_domain and certificate else None,
            log_file_prefix=names.CF_LOG_PREFIX_API,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    api_origin_domain,
                    origin_path=f"/{names.API_STAGE}",
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                    origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    custom_headers={names.ORIGIN_SECRET_HEADER: secret_value},
                    **ORIGIN_CONNECTION,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                # Authenticated answers are never cached; every viewer header but Host reaches
                # API Gateway (the Authorization header included).
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                **BEHAVIOR_SETTINGS,
            ),
            **shared,
        )
        self.rotation = OriginSecretRotation(
            self,
            "OriginSecretRotation",
            deployment=deployment,
            code_dir=code_dir,
            secret=self.origin_secret,
            web_acl=self.api_web_acl,
            distribution=self.api_distribution,
        )
        hosted_zone = edge.hosted_zone
        names_claimed = config.domain and config.api_domain and config.claim_aliases
        if hosted_zone is not None and names_claimed:
            for record_id, name, distribution in (
                ("Web", config.domain, self.web_distribution),
                ("Api", config.api_domain, self.api_distribution),
            ):
                target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution))
                route53.ARecord(
                    self, f"{record_id}A", zone=hosted_zone, record_name=name, target=target
                )
                route53.AaaaRecord(
                    self, f"{record_id}Aaaa", zone=hosted_zone, record_name=name, target=target
                )

    def connect_sources(self) -> list[str]:
        """Where the SPA connects besides its own origin: the API, Cognito, and the data
        bucket's presigned uploads (regional and global S3 names)."""
        region = Stack.of(self).region
        api = f"https://{self.config.api_domain}" if self.config.api_domain else None
        bucket = self.resource_names.data_bucket
        return [
            api or "https://*.cloudfront.net",  # without a domain: the API distribution's name
            site.cognito_origin(region),
            f"https://{bucket}.s3.{region}.amazonaws.com",
            f"https://{bucket}.s3.amazonaws.com",
        ]

    def _security_headers(self) -> cloudfront.ResponseHeadersPolicy:
        """The site's security headers (manabi_contract.site), overriding whatever the bucket
        might send; the local SPA origin sends the same."""
        headers = site.security_headers(self.connect_sources())
        return cloudfront.ResponseHeadersPolicy(
            self,
            "SecurityHeaders",
            response_headers_policy_name=f"{self.resource_names.web_distribution}-security-headers",
            comment="HSTS, CSP, nosniff, no framing, referrer policy of the Manabi Plus site",
            security_headers_behavior=cloudfront.ResponseSecurityHeadersBehavior(
                strict_transport_security=cloudfront.ResponseHeadersStrictTransportSecurity(
                    access_control_max_age=Duration.seconds(site.HSTS_MAX_AGE_SECONDS),
                    include_subdomains=True,
                    preload=True,
                    override=True,
                ),
                content_security_policy=cloudfront.ResponseHeadersContentSecurityPolicy(
                    content_security_policy=headers[site.HEADER_CSP], override=True
                ),
                content_type_options=cloudfront.ResponseHeadersContentTypeOptions(override=True),
                frame_options=cloudfront.ResponseHeadersFrameOptions(
                    frame_option=cloudfront.HeadersFrameOption.DENY, override=True
                ),
                referrer_policy=cloudfront.ResponseHeadersReferrerPolicy(
                    referrer_policy=cloudfront.HeadersReferrerPolicy.STRICT_ORIGIN_WHEN_CROSS_ORIGIN,
                    override=True,
                ),
            ),
        )
