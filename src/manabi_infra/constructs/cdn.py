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

from aws_cdk import Duration, Fn, Stack, Tags
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_cloudfront_origins as origins
from aws_cdk import aws_route53 as route53
from aws_cdk import aws_route53_targets as targets
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from manabi_infra import names
from manabi_infra.constructs.waf import OriginHeaderWebAcl
from manabi_infra.deployment import Deployment, DeploymentConstruct

CONNECTION_ATTEMPTS = 3
CONNECTION_TIMEOUT = Duration.seconds(10)

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


class Cdn(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        web_bucket: s3.IBucket,
        log_bucket: s3.IBucket,
        waf_log_bucket: s3.IBucket,
        rest_api: apigw.RestApi,
        web_acl_arn: str,
        certificate: acm.ICertificate | None,
        hosted_zone: route53.IHostedZone | None,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
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
            log_bucket=waf_log_bucket,
        ).web_acl

        web_names = [self.config.domain] if self.config.domain and certificate else None
        api_names = [self.config.api_domain] if self.config.api_domain and certificate else None
        spa_routing = cloudfront.Function(
            self,
            "SpaRouting",
            function_name=f"{self.resource_names.web_distribution}-spa-routing",
            comment="Answer SPA routes with index.html",
            code=cloudfront.FunctionCode.from_inline(SPA_ROUTING_CODE),
            runtime=cloudfront.FunctionRuntime.JS_2_0,
        )
        self.web_distribution = self._distribution(
            "WebDistribution",
            comment=self.resource_names.web_distribution,
            domain_names=web_names,
            default_root_object="index.html",
            log_file_prefix=names.CF_LOG_PREFIX_WEBSITE,
            certificate=certificate,
            web_acl_arn=web_acl_arn,
            log_bucket=log_bucket,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.S3BucketOrigin.with_origin_access_control(
                    web_bucket,
                    origin_access_levels=[cloudfront.AccessLevel.READ],
                    connection_attempts=CONNECTION_ATTEMPTS,
                    connection_timeout=CONNECTION_TIMEOUT,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_GET_HEAD,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                cache_policy=cloudfront.CachePolicy.CACHING_OPTIMIZED,
                compress=False,  # the design leaves automatic compression off
                function_associations=[
                    cloudfront.FunctionAssociation(
                        function=spa_routing, event_type=cloudfront.FunctionEventType.VIEWER_REQUEST
                    )
                ],
            ),
        )
        api_origin_domain = Fn.join(
            ".", [rest_api.rest_api_id, "execute-api", Stack.of(self).region, "amazonaws.com"]
        )
        self.api_distribution = self._distribution(
            "ApiDistribution",
            comment=self.resource_names.api_distribution,
            domain_names=api_names,
            default_root_object=None,
            log_file_prefix=names.CF_LOG_PREFIX_API,
            certificate=certificate,
            web_acl_arn=web_acl_arn,
            log_bucket=log_bucket,
            default_behavior=cloudfront.BehaviorOptions(
                origin=origins.HttpOrigin(
                    api_origin_domain,
                    origin_path=f"/{names.API_STAGE}",
                    protocol_policy=cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
                    origin_ssl_protocols=[cloudfront.OriginSslPolicy.TLS_V1_2],
                    custom_headers={names.ORIGIN_SECRET_HEADER: secret_value},
                    connection_attempts=CONNECTION_ATTEMPTS,
                    connection_timeout=CONNECTION_TIMEOUT,
                ),
                viewer_protocol_policy=cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
                allowed_methods=cloudfront.AllowedMethods.ALLOW_ALL,
                cached_methods=cloudfront.CachedMethods.CACHE_GET_HEAD,
                # Authenticated answers are never cached; every viewer header but Host reaches
                # API Gateway (the Authorization header included).
                cache_policy=cloudfront.CachePolicy.CACHING_DISABLED,
                origin_request_policy=cloudfront.OriginRequestPolicy.ALL_VIEWER_EXCEPT_HOST_HEADER,
                compress=False,
            ),
        )
        if hosted_zone is not None and self.config.domain and self.config.api_domain:
            for record_id, name, distribution in (
                ("Web", self.config.domain, self.web_distribution),
                ("Api", self.config.api_domain, self.api_distribution),
            ):
                target = route53.RecordTarget.from_alias(targets.CloudFrontTarget(distribution))
                route53.ARecord(
                    self, f"{record_id}A", zone=hosted_zone, record_name=name, target=target
                )
                route53.AaaaRecord(
                    self, f"{record_id}Aaaa", zone=hosted_zone, record_name=name, target=target
                )

    def _distribution(
        self,
        construct_id: str,
        *,
        comment: str,
        domain_names: list[str] | None,
        default_root_object: str | None,
        log_file_prefix: str,
        certificate: acm.ICertificate | None,
        web_acl_arn: str,
        log_bucket: s3.IBucket,
        default_behavior: cloudfront.BehaviorOptions,
    ) -> cloudfront.Distribution:
        """The distribution settings both share (MP-CF-04)."""
        return cloudfront.Distribution(
            self,
            construct_id,
            comment=comment,
            domain_names=domain_names,
            default_root_object=default_root_object,
            default_behavior=default_behavior,
            certificate=certificate,
            minimum_protocol_version=cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
            ssl_support_method=cloudfront.SSLMethod.SNI,
            http_version=cloudfront.HttpVersion.HTTP2,  # HTTP/2 and HTTP/1.x
            enable_ipv6=True,
            price_class=cloudfront.PriceClass.PRICE_CLASS_ALL,
            web_acl_id=web_acl_arn,
            enable_logging=True,
            log_bucket=log_bucket,
            log_file_prefix=log_file_prefix,
            log_includes_cookies=False,
        )
