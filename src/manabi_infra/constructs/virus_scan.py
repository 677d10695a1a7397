"""Virus scanning of the data bucket (MP-AV-01..03, GL-QUEUE-01).

S3 ObjectCreated (uploads under `submissions/`) → SQS scan queue (SSE, TLS only, DLQ kept 14
days) → the scanner Lambda (container image with ClamAV, reserved concurrency) which writes the
verdict tags. The bucket policy makes every object unreadable until its verdict is CLEAN.

The image is not built at synth (no Docker needed): `src/manabi_scanner/Dockerfile` is built and
pushed to the configured ECR repository and tag before the deploy (README, "Deploy").
"""

from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy, Stack, Tags
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_logs as logs
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from manabi_infra import names
from manabi_infra.config import LOG_RETENTION_DAYS, EnvironmentConfig

SCANNER_TIMEOUT_SECONDS = 120
# clamd with the full signature set holds ~1.1 GB; 2 GB leaves room for INSTREAM buffers and
# Python (bench/scan_latency.py reports clamd's RSS with the database it used).
SCANNER_MEMORY_MB = 2048
VISIBILITY_TIMEOUT_SECONDS = 6 * SCANNER_TIMEOUT_SECONDS  # ≥ 6× the function timeout
DEAD_LETTER_RETENTION_DAYS = 14  # GL-QUEUE-01
MAX_RECEIVES = 5
BATCH_SIZE = 5
MAX_SCAN_BYTES = 100 * 1024 * 1024  # the API's upload limit
TAGGING_ACTIONS = (
    "s3:PutObjectTagging",
    "s3:PutObjectVersionTagging",
    "s3:DeleteObjectTagging",
    "s3:DeleteObjectVersionTagging",
)
READ_ACTIONS = ("s3:GetObject", "s3:GetObjectVersion")
RECONCILER_HANDLER = "manabi_scanner.reconciler.lambda_handler"
RECONCILE_AFTER_MINUTES = 15  # N: no verdict this long after the upload → queued again
RECONCILE_EVERY_MINUTES = 15
LOG_RETENTION = {1096: logs.RetentionDays.THREE_YEARS}[LOG_RETENTION_DAYS]


class VirusScan(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        config: EnvironmentConfig,
        resource_names: names.ResourceNames,
        data_bucket: s3.Bucket,
        table: dynamodb.ITable,
    ) -> None:
        super().__init__(scope, construct_id)
        rn = resource_names
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=rn.scan_dead_letter_queue,
            retention_period=Duration.days(DEAD_LETTER_RETENTION_DAYS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=rn.scan_queue,
            visibility_timeout=Duration.seconds(VISIBILITY_TIMEOUT_SECONDS),
            encryption=sqs.QueueEncryption.SQS_MANAGED,
            enforce_ssl=True,
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVES
            ),
        )
        data_bucket.add_event_notification(
            s3.EventType.OBJECT_CREATED,
            s3n.SqsDestination(self.queue),
            s3.NotificationKeyFilter(prefix=names.SUBMISSIONS_PREFIX),
        )
        log_group = logs.LogGroup(
            self,
            "FunctionLogs",
            log_group_name=rn.scan_log_group,
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        self.role = iam.Role(
            self,
            "FunctionRole",
            role_name=rn.scan_role,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Runtime role of the Manabi Plus virus scanner",
        )
        log_group.grant_write(self.role)
        submissions = data_bucket.arn_for_objects(f"{names.SUBMISSIONS_PREFIX}*")
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadAndTagUploads",
                actions=[
                    *READ_ACTIONS,
                    "s3:GetObjectTagging",
                    "s3:GetObjectVersionTagging",
                    "s3:PutObjectTagging",
                    "s3:PutObjectVersionTagging",
                ],
                resources=[submissions],
            )
        )
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RecordVerdicts",  # AssignmentService.record_verdict: one UpdateItem
                actions=["dynamodb:UpdateItem"],
                resources=[table.table_arn],
            )
        )
        repository = ecr.Repository.from_repository_name(
            self, "ImageRepository", config.scanner_image_repository
        )
        self.function = lambda_.DockerImageFunction(
            self,
            "Function",
            function_name=rn.scan_function,
            description="Manabi Plus virus scanner: ClamAV verdicts on uploads",
            code=lambda_.DockerImageCode.from_ecr(
                repository, tag_or_digest=config.scanner_image_tag
            ),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=SCANNER_MEMORY_MB,
            timeout=Duration.seconds(SCANNER_TIMEOUT_SECONDS),
            reserved_concurrent_executions=config.scanner_concurrency,
            role=self.role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                names.ENV_TABLE_NAME: table.table_name,
                names.ENV_MAX_SCAN_BYTES: str(MAX_SCAN_BYTES),
            },
        )
        self.function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=config.scanner_concurrency,
            )
        )
        self.reconciler = self._reconciler(config, rn, data_bucket, repository)
        self._bucket_policy(data_bucket)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)
        Tags.of(log_group).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
        # CDK's S3-notification helper sits at the stack's root; it serves this construct.
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                Tags.of(child).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def _reconciler(
        self,
        config: EnvironmentConfig,
        rn: names.ResourceNames,
        data_bucket: s3.Bucket,
        repository: ecr.IRepository,
    ) -> lambda_.Function:
        """Every RECONCILE_EVERY, objects without a verdict after RECONCILE_AFTER are queued
        again (same image, another handler)."""
        log_group = logs.LogGroup(
            self,
            "ReconcilerLogs",
            log_group_name=rn.reconciler_log_group,
            retention=LOG_RETENTION,
            removal_policy=RemovalPolicy.RETAIN,
        )
        Tags.of(log_group).add(names.TAG_DATA_CLASSIFICATION, names.CLASS_CONFIDENTIAL)
        role = iam.Role(
            self,
            "ReconcilerRole",
            role_name=rn.reconciler_role,
            assumed_by=iam.ServicePrincipal("lambda.amazonaws.com"),
            description="Runtime role of the Manabi Plus scan reconciler",
        )
        log_group.grant_write(role)
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ListUploads",
                actions=["s3:ListBucket", "s3:ListBucketVersions"],
                resources=[data_bucket.bucket_arn],
                conditions={"StringLike": {"s3:prefix": [f"{names.SUBMISSIONS_PREFIX}*"]}},
            )
        )
        role.add_to_policy(
            iam.PolicyStatement(
                sid="ReadVerdicts",
                actions=["s3:GetObjectTagging", "s3:GetObjectVersionTagging"],
                resources=[data_bucket.arn_for_objects(f"{names.SUBMISSIONS_PREFIX}*")],
            )
        )
        self.queue.grant_send_messages(role)
        function = lambda_.DockerImageFunction(
            self,
            "Reconciler",
            function_name=rn.reconciler_function,
            description="Manabi Plus scan reconciler: re-queues uploads without a verdict",
            code=lambda_.DockerImageCode.from_ecr(
                repository, tag_or_digest=config.scanner_image_tag, cmd=[RECONCILER_HANDLER]
            ),
            architecture=lambda_.Architecture.ARM_64,
            memory_size=256,
            timeout=Duration.minutes(5),
            reserved_concurrent_executions=1,
            role=role,
            log_group=log_group,
            tracing=lambda_.Tracing.ACTIVE,
            environment={
                names.ENV_DATA_BUCKET: data_bucket.bucket_name,
                "SCAN_QUEUE_URL": self.queue.queue_url,
                "RECONCILE_AFTER_MINUTES": str(RECONCILE_AFTER_MINUTES),
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

    def _bucket_policy(self, bucket: s3.Bucket) -> None:
        """The design's fail-closed statements (MP-AV-02/03); Delete is never denied."""
        objects = bucket.arn_for_objects("*")
        scanner = self.role.role_arn
        anyone = [iam.AnyPrincipal()]
        statements = [
            iam.PolicyStatement(
                sid="DenyReadUnlessClean",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=list(READ_ACTIONS),
                resources=[objects],
                conditions={
                    "StringNotEquals": {f"s3:ExistingObjectTag/{names.AV_STATUS_TAG}": "CLEAN"},
                    "ArnNotEquals": {"aws:PrincipalArn": scanner},
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
                conditions={
                    "StringEquals": {f"s3:ExistingObjectTag/{names.AV_STATUS_TAG}": "INFECTED"}
                },
            ),
            iam.PolicyStatement(
                sid="DenyUploadsWithVerdictTags",
                effect=iam.Effect.DENY,
                principals=anyone,
                actions=["s3:PutObject"],
                resources=[objects],
                conditions={"ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "av-*"}},
            ),
        ]
        for statement in statements:
            bucket.add_to_resource_policy(statement)
