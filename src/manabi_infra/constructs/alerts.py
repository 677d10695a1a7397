"""The alert topic of an environment in one region (MP-MON-02): alarms and AWS Health events
notify the operators by e-mail.

The topic is encrypted with a customer-managed key, because CloudWatch alarms cannot publish to a
topic under the AWS-managed `alias/aws/sns` key; the key policy lets CloudWatch and EventBridge
use it. Publishing needs TLS. An alarm notifies only a topic of its own region, so each stack
that raises alarms has its own Alerts (Tokyo, us-east-1, Osaka); `alarm()` is the one way an
alarm of ours is made: its description says why it fires and where its runbook entry is.
"""

from __future__ import annotations

from dataclasses import dataclass

from aws_cdk import Duration, RemovalPolicy, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from manabi_infra import names
from manabi_infra.deployment import Deployment, DeploymentConstruct

# Every alarm's description ends with its entry in this document (one heading per alarm).
RUNBOOK = "docs/operations.md"
FIVE_MINUTES = Duration.minutes(5)


@dataclass(frozen=True)
class AlarmSpec:
    """What an operator needs from an alarm: its name, why it fires, its runbook entry (an
    anchor of RUNBOOK), and what a period without data means (chosen per alarm)."""

    name: str
    reason: str
    runbook: str
    threshold: float
    missing: cloudwatch.TreatMissingData = cloudwatch.TreatMissingData.NOT_BREACHING
    comparison: cloudwatch.ComparisonOperator = (
        cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
    )
    evaluation_periods: int = 1


class Alerts(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        health_events: bool = True,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the Manabi Plus alert topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        for sid, service in (
            ("CloudWatchAlarmsPublish", "cloudwatch.amazonaws.com"),
            ("EventBridgeRulesPublish", "events.amazonaws.com"),
        ):
            self.key.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    principals=[iam.ServicePrincipal(service)],
                    actions=["kms:Decrypt", "kms:GenerateDataKey*"],
                    resources=["*"],
                )
            )
        self.topic = sns.Topic(
            self,
            "Topic",
            topic_name=self.resource_names.alerts_topic,
            display_name="Manabi Plus alerts",
            master_key=self.key,
            enforce_ssl=True,
        )
        self.topic.add_subscription(subscriptions.EmailSubscription(self.config.alert_email))
        self.action = cloudwatch_actions.SnsAction(self.topic)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        Tags.of(self.topic).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_INTERNAL)
        self.delivery_alarm = self.alarm(
            self,
            "DeliveryFailedAlarm",
            AlarmSpec(
                name=f"{self.resource_names.alerts_topic}-delivery-failed",
                reason=(
                    "An alert could not be delivered to the operators' address: alerts of this "
                    "region may be going unread."
                ),
                runbook="sns-delivery-failed",
                threshold=self.config.alarms.sns_failed_notifications,
            ),
            self.topic.metric_number_of_notifications_failed(
                period=FIVE_MINUTES, statistic=cloudwatch.Stats.SUM
            ),
        )
        if health_events:
            self.health_rule = self._health_events()

    def notify(self, alarm: cloudwatch.Alarm) -> None:
        """The alarm tells the operators when it fires and when it recovers."""
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)

    def alarm(
        self, scope: Construct, construct_id: str, spec: AlarmSpec, metric: cloudwatch.IMetric
    ) -> cloudwatch.Alarm:
        """An alarm on `metric` that notifies this topic, described for the operators."""
        alarm = cloudwatch.Alarm(
            scope,
            construct_id,
            alarm_name=spec.name,
            alarm_description=f"{spec.reason} Runbook: {RUNBOOK}#{spec.runbook}",
            metric=metric,
            threshold=spec.threshold,
            comparison_operator=spec.comparison,
            evaluation_periods=spec.evaluation_periods,
            treat_missing_data=spec.missing,
        )
        Tags.of(alarm).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        self.notify(alarm)
        return alarm

    def _health_events(self) -> events.Rule:
        """AWS Health events arrive in the region they concern (global ones in us-east-1): a rule
        in each region we run in forwards them to the topic (MP-MON-02)."""
        return events.Rule(
            self,
            "HealthEvents",
            rule_name=f"{self.resource_names.alerts_topic}-health",
            description="AWS Health events of this region to the Manabi Plus alert topic",
            event_pattern=events.EventPattern(
                source=["aws.health"], detail_type=["AWS Health Event"]
            ),
            targets=[targets.SnsTopic(self.topic)],
        )
