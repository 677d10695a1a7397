"""Critical and high findings notify the operators at once (GL-SEC-02, docs/decisions/0032).

EventBridge rules send GuardDuty findings of severity ≥ 7 (every region: GuardDuty findings are
regional) and Security Hub findings labelled CRITICAL or HIGH, new and active (Tokyo only: the
aggregator brings the other regions' findings there, and a rule per region would notify twice)
to the baseline's topic. The input transformer writes a message an operator can read — title,
severity, resource, account, region and a console link — instead of the raw event.

The topic is encrypted with a customer-managed key whose policy lets EventBridge use it.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Stack, Tags
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from manabi_contract.verdicts import GUARDDUTY_EVENT_SOURCE
from manabi_infra import names
from manabi_infra.deployment import Deployment, DeploymentConstruct

GUARDDUTY_MIN_SEVERITY = 7
SECURITY_HUB_LABELS = ("CRITICAL", "HIGH")

GUARDDUTY_PATTERN = events.EventPattern(
    source=[GUARDDUTY_EVENT_SOURCE],
    detail_type=["GuardDuty Finding"],
    detail={"severity": [{"numeric": [">=", GUARDDUTY_MIN_SEVERITY]}]},
)
SECURITY_HUB_PATTERN = events.EventPattern(
    source=["aws.securityhub"],
    detail_type=["Security Hub Findings - Imported"],
    detail={
        "findings": {
            "Severity": {"Label": list(SECURITY_HUB_LABELS)},
            "Workflow": {"Status": ["NEW"]},
            "RecordState": ["ACTIVE"],
        }
    },
)


def _guardduty_message() -> events.RuleTargetInput:
    detail = events.EventField.from_path
    region = detail("$.detail.region")
    return events.RuleTargetInput.from_multiline_text(
        "\n".join(
            (
                f"[Manabi Plus] GuardDuty finding, severity {detail('$.detail.severity')}",
                f"Title: {detail('$.detail.title')}",
                f"Type: {detail('$.detail.type')}",
                f"Resource: {detail('$.detail.resource.resourceType')}",
                f"Account: {detail('$.detail.accountId')}  Region: {region}",
                f"Console: https://{region}.console.aws.amazon.com/guardduty/home"
                f"?region={region}#/findings?search=id%3D{detail('$.detail.id')}",
            )
        )
    )


def _security_hub_message() -> events.RuleTargetInput:
    detail = events.EventField.from_path
    region = detail("$.detail.findings[0].Region")
    return events.RuleTargetInput.from_multiline_text(
        "\n".join(
            (
                "[Manabi Plus] Security Hub finding, "
                f"severity {detail('$.detail.findings[0].Severity.Label')}",
                f"Title: {detail('$.detail.findings[0].Title')}",
                f"Resource: {detail('$.detail.findings[0].Resources[0].Id')}",
                f"Account: {detail('$.detail.findings[0].AwsAccountId')}  Region: {region}",
                f"Console: https://{region}.console.aws.amazon.com/securityhub/home"
                f"?region={region}#/findings",
            )
        )
    )


class FindingAlerts(DeploymentConstruct):
    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, security_hub: bool
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the Manabi Plus security findings topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="EventBridgePublish",
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": Stack.of(self).account}},
            )
        )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=names.baseline_alerts_topic(self.config),
            display_name="Manabi Plus security findings",
            master_key=key,
            enforce_ssl=True,
        )
        Tags.of(self.topic).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
        self.topic.add_subscription(subscriptions.EmailSubscription(self.config.alert_email))
        events.Rule(
            self,
            "GuardDutyFindings",
            description=f"GuardDuty findings of severity >= {GUARDDUTY_MIN_SEVERITY}",
            event_pattern=GUARDDUTY_PATTERN,
            targets=[targets.SnsTopic(self.topic, message=_guardduty_message())],
        )
        if security_hub:
            events.Rule(
                self,
                "SecurityHubFindings",
                description="Security Hub findings CRITICAL/HIGH, new and active, all regions",
                event_pattern=SECURITY_HUB_PATTERN,
                targets=[targets.SnsTopic(self.topic, message=_security_hub_message())],
            )
