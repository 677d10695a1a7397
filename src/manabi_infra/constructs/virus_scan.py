"""Virus scanning of the data bucket (MP-AV-01..04, GL-QUEUE-01).

ClamAV (default): S3 ObjectCreated (uploads under `submissions/`) → SQS scan queue (SSE, TLS
only, DLQ kept 14 days) → the scanner Lambda (container image with ClamAV, reserved concurrency)
which writes the verdict tags; a reconciler re-queues uploads that still have no verdict, and the
daily definitions updater keeps the signatures fresh (constructs/virus_definitions.py).

GuardDuty Malware Protection for S3 (`scan_backend=guardduty`): GuardDuty scans the uploads, its
scan results go through EventBridge to the same queue, and a small verdict function turns them into
the same `av-*` tags and submission records. Either way the bucket policy makes every object
unreadable until its verdict is CLEAN, and the same alarms watch the queue.

The image is not built at synth (no Docker needed): `src/manabi_scanner/Dockerfile` is built and
pushed to the configured ECR repository and tag before the deploy (README, "Deploy").
"""

from __future__ import annotations

from pathlib import Path

from aws_cdk import Aws, Duration, Stack, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_guardduty as guardduty
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract import storage, verdicts
from manabi_infra import names
from manabi_infra.config import EnvironmentConfig, ScanBackend
from manabi_infra.constructs.alerts import Alerts
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.virus_definitions import (
    CLAMD_MEMORY_MB,
    DEFINITIONS_STORAGE,
    VirusDefinitions,
)

SCANNER_TIMEOUT_SECONDS = 120
SCANNER_MEMORY_MB = CLAMD_MEMORY_MB  # measured: see virus_definitions.CLAMD_MEMORY_MB
VISIBILITY_TIMEOUT_SECONDS = 6 * SCANNER_TIMEOUT_SECONDS  # ≥ 6× the function timeout
DEAD_LETTER_RETENTION_DAYS = 14  # GL-QUEUE-01
MAX_RECEIVES = 5
BATCH_SIZE = 5
TAGGING_ACTIONS = (
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
)
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
VERDICT_TAG_ACTIONS = (
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
)
RECONCILE_AFTER_MINUTES = 15  # N: no verdict this long after the upload → queued again
RECONCILE_EVERY_MINUTES = 15
# Alarms on the queue (MP-MON-02): any message in the DLQ, or a scan waiting this long.
OLDEST_MESSAGE_ALARM_SECONDS = 30 * 60
GUARDDUTY_RESULT_DETAIL_TYPE = "GuardDuty Malware Protection Object Scan Result"
GUARDDUTY_VERDICT_MEMORY_MB = 256
GUARDDUTY_VERDICT_TIMEOUT_SECONDS = 30


class VirusScan(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        resource_names: contract.ResourceNames,
        data_bucket: s3.Bucket,
        definitions_bucket: s3.IBucket,
        table: dynamodb.ITable,
        alerts: Alerts,
        code_dir: Path,
    ) -> None:
        super().__init__(scope, construct_id)
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=resource_names.scan_dead_letter_queue,
            retention_period=Duration.days(DEAD_LETTER_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=resource_names.scan_queue,
            visibility_timeout=Duration.seconds(VISIBILITY_TIMEOUT_SECONDS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVES
            ),
        )
        # The verdict writer: the only principal that reads unscanned objects and tags them.
        log_group, self.role = function_logs_and_role(
            self,
            "Function",
            log_group_name=resource_names.scan_log_group,
            role_name=resource_names.scan_role,
            description="Runtime role of the Manabi Plus virus scanner",
        )
        self.submissions = data_bucket.arn_for_objects(f"{storage.SUBMISSIONS_PREFIX}*")
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RecordVerdicts",  # AssignmentService.record_verdict: one UpdateItem
                actions=["dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        self.definitions: VirusDefinitions | None = None
        self.reconciler: lambda_.Function | None = None
        self.guardduty_role: iam.Role | None = None
        self.malware_protection_plan: guardduty.CfnMalwareProtectionPlan | None = None
        environment = {
            env.TABLE_NAME: table.table_name,
            env.POWERTOOLS_SERVICE_NAME: contract.SCANNER_SERVICE,
            env.POWERTOOLS_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        }
        if config.scan_backend is ScanBackend.GUARDDUTY:
            self.function = self._guardduty(
                config, resource_names, data_bucket, log_group, environment, code_dir
            )
        else:
            repository = ecr.Repository.from_repository_name(
                self, "ImageRepository", config.scanner_image_repository
            )
            self.function = self._clamav(
                config, resource_names, data_bucket, log_group, environment, repository
            )
            self.definitions = VirusDefinitions(
                self,
                "Definitions",
                config=config,
                resource_names=resource_names,
                bucket=definitions_bucket,
                repository=repository,
                alerts=alerts,
            )
            self.definitions.grant_load(self.role, self.function)
            self.reconciler = self._reconciler(config, resource_names, data_bucket, repository)
        self.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=config.scanner_concurrency,
            )
        )
        self._queue_alarms(resource_names, alerts)
        readers = [self.role.role_arn]
        if self.guardduty_role is not None:
            readers.append(self.guardduty_role.role_arn)
        self._bucket_policy(data_bucket, readers)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        # CDK's S3-notification helper sits at the stack's root; it serves this construct.
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                Tags.of(child).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def _clamav(
        self,
        config: EnvironmentConfig,
        resource_names: contract.ResourceNames,
        data_bucket: s3.Bucket,
        log_group: logs.ILogGroup,
        environment: dict[str, str],
        repository: ecr.IRepository,
    ) -> lambda_.Function:
        """The ClamAV scanner image, fed by the bucket's ObjectCreated notifications."""
        data_bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=storage.SUBMISSIONS_PREFIX),
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadAndTagUploads",
                actions=[*READ_ACTIONS, *VERDICT_TAG_ACTIONS],
                resources=[self.submissions],
            )
        )
        return lambda_.DockerImageFunction(
            self,
            "Function",
            function_name=resource_names.scan_function,
            description="Manabi Plus virus scanner: ClamAV verdicts on uploads",
            code=lambda_.DockerImageCode.from_ecr(
                repository, tag_or_digest=config.scanner_image_tag
            ),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=SCANNER_MEMORY_MB,
            ephemeral_storage_size=DEFINITIONS_STORAGE,
            timeout=Duration.seconds(SCANNER_TIMEOUT_SECONDS),
            reserved_concurrent_executions=config.scanner_concurrency,
            role=self.role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={**environment, env.MAX_SCAN_BYTES: str(storage.MAX_SUBMISSION_BYTES)},
        )

    def _guardduty(
        self,
        config: EnvironmentConfig,
        resource_names: contract.ResourceNames,
        data_bucket: s3.Bucket,
        log_group: logs.ILogGroup,
        environment: dict[str, str],
        code_dir: Path,
    ) -> lambda_.Function:
        """GuardDuty scans the uploads; its results reach the queue through EventBridge and a
        small function writes them as our verdict tags. GuardDuty's own tagging stays off: only
        our verdict writer tags (MP-AV-03)."""
        role = iam.Role(
            self,
            "GuardDutyRole",
            role_name=resource_names.guardduty_scan_role,
            # Only GuardDuty acting for this account's own plans (confused deputy).
            assumed_by=iam.ServicePrincipal(
                "malware-protection-plan.guardduty.amazonaws.com",
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
                conditions={
                    "StringLike": {
                        "events:ManagedBy": "malware-protection-plan.guardduty.amazonaws.com"
                    }
                },
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
        self.guardduty_role = role
        self.malware_protection_plan = guardduty.CfnMalwareProtectionPlan(
            self,
            "MalwareProtectionPlan",
            role=role.role_arn,
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
        self.malware_protection_plan.node.add_dependency(role)
        events.Rule(
            self,
            "ScanResults",
            description="GuardDuty scan results of the uploads → the scan queue (MP-AV-01)",
            event_pattern=events.EventPattern(
                source=["aws.guardduty"],
                detail_type=[GUARDDUTY_RESULT_DETAIL_TYPE],
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
        return lambda_.Function(
            self,
            "Function",
            function_name=resource_names.guardduty_verdict_function,
            description="Manabi Plus verdicts from GuardDuty Malware Protection scan results",
            runtime=lambda_.Runtime.PYTHON_3_13,
            architecture=lambda_.Architecture.ARM_64,
            handler=contract.GUARDDUTY_VERDICT_HANDLER,
            code=lambda_.Code.from_asset(str(code_dir)),
            memory_size=GUARDDUTY_VERDICT_MEMORY_MB,
            timeout=Duration.seconds(GUARDDUTY_VERDICT_TIMEOUT_SECONDS),
            reserved_concurrent_executions=config.scanner_concurrency,
            role=self.role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            # results for other buckets are ignored
            environment={**environment, env.DATA_BUCKET: data_bucket.bucket_name},
        )

    def _queue_alarms(self, resource_names: contract.ResourceNames, alerts: Alerts) -> None:
        """A message in the DLQ is an upload that could not be judged; an old message means the
        scanner is not keeping up (MP-MON-02)."""
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_name=f"{resource_names.scan_dead_letter_queue}-not-empty",
            alarm_description=(
                "Uploads whose scan failed five times wait in the DLQ: they stay unreadable. "
                "Read the scanner's log, fix the cause, then redrive the DLQ."
            ),
            metric=self.dead_letter_queue.metric_approximate_number_of_messages_visible(
                period=Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=0,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        self.oldest_message_alarm = cloudwatch.Alarm(
            self,
            "OldestMessageAlarm",
            alarm_name=f"{resource_names.scan_queue}-waiting",
            alarm_description=(
                f"An upload has waited more than {OLDEST_MESSAGE_ALARM_SECONDS // 60} minutes "
                "for its scan: learners see 検査中. Check the scanner's errors and throttles."
            ),
            metric=self.queue.metric_approximate_age_of_oldest_message(
                period=Duration.minutes(5), statistic=cloudwatch.Stats.MAXIMUM
            ),
            threshold=OLDEST_MESSAGE_ALARM_SECONDS,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            evaluation_periods=1,
            treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
        )
        for alarm in (self.dead_letter_alarm, self.oldest_message_alarm):
            alerts.notify(alarm)

    def _reconciler(
        self,
        config: EnvironmentConfig,
        resource_names: contract.ResourceNames,
        data_bucket: s3.Bucket,
        repository: ecr.IRepository,
    ) -> lambda_.Function:
        """Every RECONCILE_EVERY, objects without a verdict after RECONCILE_AFTER are queued
        again (same image, another handler)."""
        log_group, role = function_logs_and_role(
            self,
            "Reconciler",
            log_group_name=resource_names.reconciler_log_group,
            role_name=resource_names.reconciler_role,
            description="Runtime role of the Manabi Plus scan reconciler",
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListUploads",
                actions=["s3:ListBucket", "s3:ListBucketVersions"],
                resources=[data_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{storage.SUBMISSIONS_PREFIX}*"]}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadVerdicts",
                actions=["s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
                resources=[data_bucket.arn_for_objects(f"{storage.SUBMISSIONS_PREFIX}*")],
            )
        )
        self.queue.grant_send_messages(role)
        function = lambda_.DockerImageFunction(
            self,
            "Reconciler",
            function_name=resource_names.reconciler_function,
            description="Manabi Plus scan reconciler: re-queues uploads without a verdict",
            code=lambda_.DockerImageCode.from_ecr(
                repository,
                tag_or_digest=config.scanner_image_tag,
                cmd=[contract.RECONCILER_HANDLER],
            ),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=256,
            timeout=Duration.minutes(5),
            reserved_concurrent_executions=1,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                env.DATA_BUCKET: data_bucket.bucket_name,
                env.SCAN_QUEUE_URL: self.queue.queue_url,
                env.RECONCILE_AFTER_MINUTES: str(RECONCILE_AFTER_MINUTES),
            },
        )
        events.Rule(
            self,
            "ReconcileSchedule",
            description="Re-queue uploads without a verdict (MP-AV-01)",
            schedule=events.Schedule.rate(Duration.minutes(RECONCILE_EVERY_MINUTES)),
            targets=[targets.LambdaFunction(function, retry_attempts=2)],
        )
        return function

    def _bucket_policy(self, bucket: s3.Bucket, readers: list[str]) -> None:
        """The design's fail-closed statements (MP-AV-02/03); Delete is never denied. Only the
        verdict writer tags; it (and GuardDuty, when it scans) reads unscanned objects."""
        objects = bucket.arn_for_objects("*")
        scanner = self.role.role_arn
        anyone = [iam.AnyPrincipal()]
        status = f"s3:ExistingObjectTag/{verdicts.TAG_STATUS}"
        statements = [
            iam.PolicyStatement(
                sid="DenyReadUnlessClean",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=list(READ_ACTIONS),
                resources=[objects],
                conditions={
                    "StringNotEquals": {status: verdicts.AvStatus.CLEAN.value},
                    "ArnNotEquals": {"aws:PrincipalArn": readers},
                },
            ),
            iam.PolicyStatement(
                sid="DenyTaggingButScanner",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=list(TAGGING_ACTIONS),
                resources=[objects],
                conditions={"ArnNotEquals": {"aws:PrincipalArn": scanner}},
            ),
            iam.PolicyStatement(
                sid="DenyTaggingWhenInfected",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=list(TAGGING_ACTIONS),
                resources=[objects],
                conditions={"StringEquals": {status: verdicts.AvStatus.INFECTED.value}},
            ),
            iam.PolicyStatement(
                sid="DenyUploadsWithVerdictTags",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=["s3:PutObject"],
                resources=[objects],
                conditions={
                    "ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": f"{verdicts.TAG_PREFIX}*"}
                },
            ),
        ]
        for statement in statements:
            bucket.add_to_resource_policy(statement)
