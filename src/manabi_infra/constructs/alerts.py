"""The alert topic of an environment (MP-MON-02): alarms notify the operators by e-mail.

The topic is encrypted with a customer-managed key, because CloudWatch alarms cannot publish to a
topic under the AWS-managed `alias/aws/sns` key; the key policy lets CloudWatch use it. Publishing
needs TLS.
"""

from __future__ import annotations

from aws_cdk import RemovalPolicy, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_cloudwatch_actions as cloudwatch_actions
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from manabi_infra import names
from manabi_infra.deployment import Deployment, DeploymentConstruct


class Alerts(DeploymentConstruct):
    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.key = kms.Key(
            self,
            "TopicKey",
            description="Encrypts the Manabi Plus alert topic",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="CloudWatchAlarmsPublish",
                principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com")],
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

    def notify(self, alarm: cloudwatch.Alarm) -> None:
        """The alarm tells the operators when it fires and when it recovers."""
        alarm.add_alarm_action(self.action)
        alarm.add_ok_action(self.action)
