"""The us-east-1 stack of one environment (MP-ACM-01, MP-WAF-01..03, MP-NET-02, MP-LOG-01).

CloudFront takes its certificate and its CLOUDFRONT-scope WebACL from us-east-1 only, and Route 53
writes DNS query logs only to a log group there (docs/decisions/0008). The Tokyo workload stack
reads the certificate, the WebACL and the hosted zone through CDK's cross-region references
(outputs of this stack read with `Fn::GetStackOutput`), so this stack is deployed first.
"""

from __future__ import annotations

from aws_cdk import Duration, Tags
from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_iam as iam
from aws_cdk import aws_logs as logs
from aws_cdk import aws_route53 as route53
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import US_EAST_1
from manabi_infra.constructs.alerts import AlarmSpec, Alerts
from manabi_infra.constructs.function_logs_and_role import retained_log_group
from manabi_infra.constructs.storage import waf_log_bucket
from manabi_infra.constructs.waf import ManagedRulesWebAcl
from manabi_infra.constructs.workload_alarms import waf_blocked_alarm
from manabi_infra.deployment import Deployment
from manabi_infra.stacks.deployment_stack import DeploymentStack


class EdgeStack(DeploymentStack):
    def __init__(self, scope: Construct, *, deployment: Deployment) -> None:
        super().__init__(
            scope,
            names.edge_stack_id(deployment.config),
            deployment=deployment,
            region=US_EAST_1,
            description="Manabi Plus edge: certificate, CloudFront WebACL, DNS",
            cross_region_references=True,
        )
        config, resource_names = deployment.config, deployment.resource_names

        self.waf_log_bucket = waf_log_bucket(
            self, "WafLogBucket", resource_names.waf_log_bucket_edge, source_region=US_EAST_1
        )
        self.web_acl = ManagedRulesWebAcl(
            self,
            "CloudFrontWebAcl",
            config=config,
            name=resource_names.cloudfront_web_acl,
            log_bucket=self.waf_log_bucket,
        ).web_acl

        self.hosted_zone: route53.PublicHostedZone | None = None
        self.certificate: acm.Certificate | None = None
        if config.domain and config.api_domain:
            self.hosted_zone = self._hosted_zone(config.domain)
            # DNS-validated (DV), renewed by ACM while the validation record stays (MP-ACM-01).
            self.certificate = acm.Certificate(
                self,
                "Certificate",
                domain_name=config.domain,
                subject_alternative_names=[config.api_domain],
                validation=acm.CertificateValidation.from_dns(self.hosted_zone),
                key_algorithm=acm.KeyAlgorithm.RSA_2048,
            )
            Tags.of(self.certificate).add(names.TAG_FUNCTION, names.FUNCTION_FRONTEND)
        self._alarms()

    def _alarms(self) -> None:
        """What publishes metrics in us-east-1 alarms here, to a topic of this region
        (MP-MON-02): the certificate, blocked-request spikes at the CloudFront WebACL, and the
        AWS Health events of us-east-1 (global ones too)."""
        self.alerts = Alerts(self, "Alerts", deployment=self.deployment)
        if self.certificate is not None:
            days = self.deployment.config.alarms.certificate_days_to_expiry
            self.certificate_alarm = self.alerts.alarm(
                self,
                "CertificateExpiryAlarm",
                AlarmSpec(
                    name=f"{self.deployment.resource_names.web_distribution}-certificate-expiry",
                    reason=(
                        f"The website's certificate expires in {days} days or fewer: ACM's "
                        "automatic renewal has not happened (is the DNS validation record "
                        "still there?). No data for a day means the certificate is gone."
                    ),
                    runbook="certificate-expiry",
                    threshold=days,
                    comparison=cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
                    missing=cloudwatch.TreatMissingData.BREACHING,
                ),
                # Published about twice a day: a period of one day (decisions, monitoring).
                self.certificate.metric_days_to_expiry(
                    period=Duration.days(1), statistic=cloudwatch.Stats.MINIMUM
                ),
            )
        self.waf_alarm = waf_blocked_alarm(
            self, self.alerts, self.deployment.resource_names.cloudfront_web_acl, None
        )

    def _hosted_zone(self, domain: str) -> route53.PublicHostedZone:
        """Public zone (a private one cannot alias CloudFront) with query logging (MP-NET-02)."""
        resource_names = self.deployment.resource_names
        query_logs = retained_log_group(self, "QueryLogs", resource_names.query_log_group)
        Tags.of(query_logs).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        Tags.of(query_logs).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
        policy = logs.ResourcePolicy(
            self,
            "QueryLogsPolicy",
            resource_policy_name=f"{resource_names.web_distribution}-route53-query-logs",
            policy_statements=[
                iam.PolicyStatement(
                    principals=[iam.ServicePrincipal("route53.amazonaws.com")],
                    actions=["logs:CreateLogStream", "logs:PutLogEvents"],
                    resources=[query_logs.log_group_arn],
                    conditions={"StringEquals": {"aws:SourceAccount": self.account}},
                )
            ],
        )
        zone = route53.PublicHostedZone(
            self,
            "HostedZone",
            zone_name=domain,
            comment="Manabi Plus public zone",
            query_logs_log_group_arn=query_logs.log_group_arn,
        )
        zone.node.add_dependency(policy)
        Tags.of(zone).add(names.TAG_FUNCTION, names.FUNCTION_FRONTEND)
        return zone
