"""The GuardDuty Malware Protection for S3 scan backend (`scan_backend=guardduty`, MP-AV-01).

GuardDuty scans the uploads under `submissions/`; its scan results reach the scan queue through
EventBridge, and a small verdict function (zip asset, python3.13) writes them as the same `av-*`
tags and submission records as the ClamAV scanner. GuardDuty's own tagging stays off: only our
verdict writer tags (MP-AV-03). No image, no S3 notification, no reconciler, no definitions.
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract import storage, verdicts
from manabi_infra.constructs.virus_scan import (
    READ_ACTIONS,
    VERDICT_TAG_ACTIONS,
    ScanInputs,
    VirusScan,
)

GUARDDUTY_SERVICE = "malware-protection-plan.guardduty.amazonaws.com"
GUARDDUTY_VERDICT_MEMORY_MB = 256
GUARDDUTY_VERDICT_TIMEOUT_SECONDS = 30


class GuardDutyScan(VirusScan):
    def __init__(
        self, scope: Construct, construct_id: str, inputs: ScanInputs, *, code_dir: Path
    ) -> None:
        super().__init__(scope, construct_id, inputs)
        data_bucket = inputs.data_bucket
        self.service_role = self._service_role(data_bucket)
        self.malware_protection_plan = guardduty.CfnMalwareProtectionPlan(
            self,
            "MalwareProtectionPlan",
            role=self.service_role.role_arn,
            protected_resource=guardduty.CfnMalwareProtectionPlan.CFNProtectedResourceProperty(
                s3_bucket=guardduty.CfnMalwareProtectionPlan.S3BucketProperty(
                    bucket_name=data_bucket.bucket_name,
                    object_prefixes=[storage.SUBMISSIONS_PREFIX],
                )
            ),
            actions=guardduty.CfnMalwareProtectionPlan.CFNActionsProperty(
                tagging=guardduty.CfnMalwareProtectionPlan.CFNTaggingProperty(status="DISABLED")
            ),
        )
        self.malware_protection_plan.node.add_dependency(self.service_role)
        events.Rule(
            self,
            "ScanResults",
            description="GuardDuty scan results of the uploads → the scan queue (MP-AV-01)",
            event_pattern=events.EventPattern(
                source=[verdicts.GUARDDUTY_EVENT_SOURCE],
                detail_type=[verdicts.GUARDDUTY_RESULT_DETAIL_TYPE],
                detail={
                    "s3ObjectDetails": {
                        "bucketName": [data_bucket.bucket_name],
                        "objectKey": [{"prefix": storage.SUBMISSIONS_PREFIX}],
                    }
                },
            ),
            targets=[targets.SqsQueue(self.queue, retry_attempts=185)],
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="TagUploads", actions=list(VERDICT_TAG_ACTIONS), resources=[self.submissions]
            )
        )
        function = lambda_.Function(
            self,
            "Function",
            function_name=self.resource_names.guardduty_verdict_function,
            description="Manabi Plus verdicts from GuardDuty Malware Protection scan results",
            runtime=lambda_.Runtime.PYTHON_3_13,
            handler=contract.GUARDDUTY_VERDICT_HANDLER,
            code=lambda_.Code.from_asset(str(code_dir)),
            memory_size=GUARDDUTY_VERDICT_MEMORY_MB,
            timeout=Duration.seconds(GUARDDUTY_VERDICT_TIMEOUT_SECONDS),
            environment={
                **self._writer_environment(contract.GUARDDUTY_VERDICT_SERVICE),
                env.DATA_BUCKET: data_bucket.bucket_name,  # results for other buckets are ignored
            },
            **self._writer_options(),
        )
        # GuardDuty reads the uploads it scans; the verdict function never does.
        self._judge(function, readers=[self.service_role])

    def _service_role(self, data_bucket: s3.IBucket) -> iam.Role:
        """The role GuardDuty Malware Protection for S3 documents: its managed EventBridge rule,
        the bucket's events, its validation object and the uploads it scans."""
        role = iam.Role(
            self,
            "GuardDutyRole",
            role_name=self.resource_names.guardduty_scan_role,
            # Only GuardDuty acting for this account's own plans (confused deputy).
            assumed_by=iam.ServicePrincipal(
                GUARDDUTY_SERVICE,
                conditions={
                    "StringEquals": {"aws:SourceAccount": Aws.ACCOUNT_ID},
                    "ArnLike": {
                        "aws:SourceArn": f"arn:{Aws.PARTITION}:guardduty:{Aws.REGION}:"
                        f"{Aws.ACCOUNT_ID}:malware-protection-plan/*"
                    },
                },
            ),
            description="Lets GuardDuty Malware Protection scan the Manabi Plus uploads",
        )
        managed_rules = (
            f"arn:{Aws.PARTITION}:events:{Aws.REGION}:{Aws.ACCOUNT_ID}:rule/"
            "DO-NOT-DELETE-AmazonGuardDutyMalwareProtectionS3*"
        )
        for statement in (
            iam.PolicyStatement(
                sid="ManagedRuleForS3Events",
                actions=[
                    "events:PutRule",
                    "events:DeleteRule",
                    "events:PutTargets",
                    "events:RemoveTargets",
                ],
                resources=[managed_rules],
                conditions={"StringLike": {"events:ManagedBy": GUARDDUTY_SERVICE}},
            ),
            iam.PolicyStatement(
                sid="MonitorManagedRule",
                actions=["events:DescribeRule", "events:ListTargetsByRule"],
                resources=[managed_rules],
            ),
            iam.PolicyStatement(
                sid="EnableBucketEvents",
                actions=["s3:PutBucketNotification", "s3:GetBucketNotification", "s3:ListBucket"],
                resources=[data_bucket.bucket_arn],
            ),
            iam.PolicyStatement(
                sid="PutValidationObject",
                actions=["s3:PutObject"],
                resources=[
                    data_bucket.arn_for_objects("malware-protection-resource-validation-object")
                ],
            ),
            iam.PolicyStatement(
                sid="ScanUploads", actions=list(READ_ACTIONS), resources=[self.submissions]
            ),
        ):
            role.add_to_policy(statement)
        return role
