"""The account-level security services of one region (GL-SEC-01, docs/decisions/0032).

Every resource here is a singleton of its account and region (a second detector, hub, recorder
or delivery channel fails to create), which is why they live in a baseline stack of their own,
one per account and region, apart from the workload stacks.

- Security Hub CSPM: default standards off, AWS FSBP v1.0.0 and CIS v3.0.0 enabled explicitly;
  consolidated control findings; in Tokyo a finding aggregator that links the other regions.
- AWS Config: recorder of all supported resource types (the global IAM types only in Tokyo, so
  they are recorded once) and its delivery channel to a bucket of the region.
- GuardDuty: a detector with the protection plans that apply to a serverless system (S3 data
  events, Lambda network activity; no EC2, EKS, ECS or RDS to protect), findings exported to a
  bucket of the region under a customer-managed key.
- Inspector v2: Lambda standard and code scanning, enabled through a custom resource (no
  CloudFormation resource exists).
- IAM Access Analyzer: an account analyzer.

With `security_owner = delegated-administrator` the organisation's administrator enables
Security Hub, GuardDuty and Inspector for the account; only Config and Access Analyzer remain.
"""

from __future__ import annotations

from aws_cdk import Aws, Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_config as config_
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_securityhub as securityhub
from aws_cdk import custom_resources as cr
from aws_cdk.aws_accessanalyzer import CfnAnalyzer
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import OSAKA, TOKYO, US_EAST_1, SecurityOwner
from manabi_infra.constructs.storage import expiring_log_bucket
from manabi_infra.deployment import Deployment, DeploymentConstruct

AGGREGATION_REGION = TOKYO
LINKED_REGIONS = (OSAKA, US_EAST_1)
STANDARDS = (
    "aws-foundational-security-best-practices/v/1.0.0",
    "cis-aws-foundations-benchmark/v/3.0.0",
)
# Protection plans of the detector: enabled where the system has what they protect.
DETECTOR_FEATURES: dict[str, str] = {
    "S3_DATA_EVENTS": "ENABLED",  # the data, backup and web buckets
    "LAMBDA_NETWORK_LOGS": "ENABLED",  # every function of the system
    "EKS_AUDIT_LOGS": "DISABLED",  # no EKS
    "EBS_MALWARE_PROTECTION": "DISABLED",  # no EC2 volumes
    "RDS_LOGIN_EVENTS": "DISABLED",  # no RDS / Aurora
    "RUNTIME_MONITORING": "DISABLED",  # no EC2, ECS or EKS workloads
}
INSPECTOR_RESOURCE_TYPES = ("LAMBDA", "LAMBDA_CODE")


def standard_arn(region: str, standard: str) -> str:
    return f"arn:aws:securityhub:{region}::standards/{standard}"


class SecurityServices(DeploymentConstruct):
    def __init__(self, scope: Construct, construct_id: str, *, deployment: Deployment) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        self.region = Stack.of(self).region
        self._config_recorder()
        CfnAnalyzer(
            self,
            "AccessAnalyzer",
            type="ACCOUNT",
            analyzer_name=f"{self.config.prefix}-manabiplus-account",
        )
        self.detector: guardduty.CfnDetector | None = None
        if self.config.security_owner is SecurityOwner.ACCOUNT:
            self._security_hub()
            self.detector = self._guardduty()
            self._inspector()

    def _config_recorder(self) -> None:
        bucket = expiring_log_bucket(
            self,
            "ConfigBucket",
            names.baseline_bucket(self.config, "config", self.region),
            names.FUNCTION_SECURITY,
        )
        for sid, actions, resource in (
            ("ConfigCheckAcl", ["s3:GetBucketAcl", "s3:ListBucket"], bucket.bucket_arn),
            (
                "ConfigWrite",
                ["s3:PutObject"],
                bucket.arn_for_objects(f"AWSLogs/{Aws.ACCOUNT_ID}/*"),
            ),
        ):
            bucket.add_to_resource_policy(
                iam.PolicyStatement(
                    sid=sid,
                    principals=[iam.ServicePrincipal("config.amazonaws.com")],
                    actions=actions,
                    resources=[resource],
                    conditions={"StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID}},
                )
            )
        role = iam.Role(
            self,
            "ConfigRole",
            assumed_by=iam.ServicePrincipal("config.amazonaws.com"),
            managed_policies=[
                iam.ManagedPolicy.from_aws_managed_policy_name("service-role/AWS_ConfigRole")
            ],
            description="AWS Config records the account's resources",
        )
        recorder = config_.CfnConfigurationRecorder(
            self,
            "Recorder",
            name="default",
            role_arn=role.role_arn,
            recording_group=config_.CfnConfigurationRecorder.RecordingGroupProperty(
                all_supported=True,
                # IAM users, roles and policies are global: recorded in Tokyo only.
                include_global_resource_types=self.region == AGGREGATION_REGION,
            ),
        )
        channel = config_.CfnDeliveryChannel(
            self,
            "DeliveryChannel",
            name="default",
            s3_bucket_name=bucket.bucket_name,
            config_snapshot_delivery_properties=config_.CfnDeliveryChannel.ConfigSnapshotDeliveryPropertiesProperty(
                delivery_frequency="TwentyFour_Hours"
            ),
        )
        channel.node.add_dependency(bucket)
        recorder.node.add_dependency(bucket)

    def _security_hub(self) -> None:
        hub = securityhub.CfnHub(
            self,
            "SecurityHub",
            enable_default_standards=False,
            control_finding_generator="SECURITY_CONTROL",
            auto_enable_controls=True,
        )
        for standard in STANDARDS:
            enabled = securityhub.CfnStandard(
                self,
                "Standard" + standard.split("/")[0].title().replace("-", ""),
                standards_arn=standard_arn(self.region, standard),
            )
            enabled.add_dependency(hub)
        if self.region == AGGREGATION_REGION:
            aggregator = securityhub.CfnFindingAggregator(
                self,
                "FindingAggregator",
                region_linking_mode="SPECIFIED_REGIONS",
                regions=list(LINKED_REGIONS),
            )
            aggregator.add_dependency(hub)

    def _guardduty(self) -> guardduty.CfnDetector:
        # `Features` only: the detector refuses `DataSources` next to them.
        detector = guardduty.CfnDetector(
            self,
            "Detector",
            enable=True,
            finding_publishing_frequency="FIFTEEN_MINUTES",
            features=[
                guardduty.CfnDetector.CFNFeatureConfigurationProperty(name=name, status=status)
                for name, status in DETECTOR_FEATURES.items()
            ],
        )
        key = kms.Key(
            self,
            "FindingsKey",
            description="Encrypts the GuardDuty findings exported to S3",
            enable_key_rotation=True,
            removal_policy=RemovalPolicy.RETAIN,
        )
        detector_arn = (
            f"arn:aws:guardduty:{self.region}:{Aws.ACCOUNT_ID}:detector/{detector.attr_id}"
        )
        service_conditions = {
            "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID, "aws:SourceArn": detector_arn}
        }
        key.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GuardDutyEncryptsFindings",
                principals=[iam.ServicePrincipal("guardduty.amazonaws.com")],
                actions=["kms:GenerateDataKey"],
                resources=["*"],
                conditions=service_conditions,
            )
        )
        bucket = expiring_log_bucket(
            self,
            "FindingsBucket",
            names.baseline_bucket(self.config, "guardduty-findings", self.region),
            names.FUNCTION_SECURITY,
        )
        self._allow_guardduty(bucket, key, service_conditions)
        destination = guardduty.CfnPublishingDestination(
            self,
            "FindingsExport",
            detector_id=detector.attr_id,
            destination_type="S3",
            destination_properties=guardduty.CfnPublishingDestination.CFNDestinationPropertiesProperty(
                destination_arn=bucket.bucket_arn, kms_key_arn=key.key_arn
            ),
        )
        destination.node.add_dependency(bucket)
        destination.node.add_dependency(key)
        return detector

    @staticmethod
    def _allow_guardduty(
        bucket: s3.Bucket, key: kms.Key, conditions: dict[str, dict[str, str]]
    ) -> None:
        principal = iam.ServicePrincipal("guardduty.amazonaws.com")
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GuardDutyLocation",
                principals=[principal],
                actions=["s3:GetBucketLocation"],
                resources=[bucket.bucket_arn],
                conditions=conditions,
            )
        )
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="GuardDutyWrite",
                principals=[principal],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("*")],
                conditions=conditions,
            )
        )
        # Findings under any other key are refused: what lands here is encrypted with ours.
        bucket.add_to_resource_policy(
            iam.PolicyStatement(
                sid="DenyOtherKeys",
                effect=iam.Effect.DENY,
                principals=[principal],
                actions=["s3:PutObject"],
                resources=[bucket.arn_for_objects("*")],
                conditions={
                    "StringNotEquals": {
                        "s3:x-amz-server-side-encryption-aws-kms-key-id": key.key_arn
                    }
                },
            )
        )

    def _inspector(self) -> None:
        """Inspector v2 for the account's functions and their code; disabled on delete."""
        parameters = {
            "accountIds": [Aws.ACCOUNT_ID],
            "resourceTypes": list(INSPECTOR_RESOURCE_TYPES),
        }
        physical_id = cr.PhysicalResourceId.of(f"inspector2-{self.region}")

        def call(action: str) -> cr.AwsSdkCall:
            return cr.AwsSdkCall(
                service="Inspector2",
                action=action,
                parameters=parameters,
                physical_resource_id=physical_id,
            )

        cr.AwsCustomResource(
            self,
            "Inspector",
            resource_type="Custom::InspectorEnablement",
            on_create=call("enable"),
            on_update=call("enable"),
            on_delete=call("disable"),
            policy=cr.AwsCustomResourcePolicy.from_statements(
                [
                    iam.PolicyStatement(
                        actions=["inspector2:Enable", "inspector2:Disable"],
                        resources=["*"],  # account-level actions have no resource ARN
                    ),
                    iam.PolicyStatement(
                        actions=["iam:CreateServiceLinkedRole"],
                        resources=["*"],
                        conditions={
                            "StringEquals": {"iam:AWSServiceName": "inspector2.amazonaws.com"}
                        },
                    ),
                ]
            ),
            install_latest_aws_sdk=False,
            timeout=Duration.minutes(5),
        )
