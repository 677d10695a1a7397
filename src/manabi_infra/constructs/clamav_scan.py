"""The ClamAV scan backend (MP-AV-01..04, the default): S3 ObjectCreated of the uploads under
`submissions/` → the scan queue → the scanner Lambda (container image with clamd, reserved
concurrency), which writes the verdict tags. A reconciler re-queues uploads that still have no
verdict; the definitions updater keeps the signatures fresh (constructs/virus_definitions.py).

The image is a CDK asset (manabi_infra.scanner_image): `cdk deploy` builds and pushes it; the
synth needs no Docker.
"""

from __future__ import annotations

from aws_cdk import Duration, Stack, Tags
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_notifications as s3n
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract import storage
from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.constructs.virus_definitions import (
    CLAMD_MEMORY_MB,
    DEFINITIONS_STORAGE,
    VirusDefinitions,
)
from manabi_infra.constructs.virus_scan import (
    MAX_RECEIVES,
    READ_ACTIONS,
    SCANNER_TIMEOUT_SECONDS,
    VERDICT_TAG_ACTIONS,
    ScanInputs,
    VirusScan,
)
from manabi_infra.scanner_image import scanner_image

SCANNER_MEMORY_MB = CLAMD_MEMORY_MB  # measured: see virus_definitions.CLAMD_MEMORY_MB
RECONCILE_AFTER_MINUTES = 15  # N: no verdict this long after the upload → queued again
RECONCILE_EVERY_MINUTES = 15
# clamd's deadlines (docs/decisions/0030-scanner-timeouts-and-restarts.md): each call (connect,
# a chunk, PING) gets CLAMD_TIMEOUT; INSTREAM's reply CLAMD_TIMEOUT + CLAMD_SECONDS_PER_MIB per
# MiB streamed: 90 s for a 100 MiB upload, inside the 120 s function timeout.
CLAMD_TIMEOUT_SECONDS = 10.0
CLAMD_SECONDS_PER_MIB = 0.8
# The delivery on which a scan clamd never finished is ERROR engine-interrupted: the queue's
# maxReceiveCount, so the verdict is written on the last delivery before the DLQ.
SCAN_MAX_DELIVERIES = MAX_RECEIVES


class ClamAvScan(VirusScan):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        inputs: ScanInputs,
        *,
        definitions_bucket: s3.IBucket,
    ) -> None:
        super().__init__(scope, construct_id, inputs)
        function = self._scanner()
        self.definitions = VirusDefinitions(
            self,
            "Definitions",
            deployment=self.deployment,
            bucket=definitions_bucket,
            alerts=inputs.alerts,
        )
        self.definitions.grant_load(self.role, function)
        self.reconciler = self._reconciler()
        self._judge(function)
        # CDK's S3-notification helper sits at the stack's root; it serves this construct.
        for child in Stack.of(self).node.children:
            if child.node.id.startswith("BucketNotificationsHandler"):
                Tags.of(child).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def grant_rescan(self, function: lambda_.Function) -> None:
        """A completion that comes after the verdict sends the exact version to the queue
        again, as an S3 event (MP-AV-01); the health check reads the queue's ARN (GL-REL-01)."""
        self.queue.grant_send_messages(function)
        self.queue.grant(function, "sqs:GetQueueAttributes")
        function.add_environment(env.SCAN_QUEUE_URL, self.queue.queue_url)

    def _scanner(self) -> lambda_.Function:
        """The ClamAV scanner image, fed by the bucket's ObjectCreated notifications."""
        self.inputs.data_bucket.add_event_notification(
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
            function_name=self.resource_names.scan_function,
            description="Manabi Plus virus scanner: ClamAV verdicts on uploads",
            code=scanner_image(),
            memory_size=SCANNER_MEMORY_MB,
            ephemeral_storage_size=DEFINITIONS_STORAGE,
            timeout=Duration.seconds(SCANNER_TIMEOUT_SECONDS),
            environment={
                **self._writer_environment(contract.SCANNER_SERVICE),
                env.MAX_SCAN_BYTES: str(storage.MAX_SUBMISSION_BYTES),
                env.CLAMD_TIMEOUT_SECONDS: str(CLAMD_TIMEOUT_SECONDS),
                env.CLAMD_SECONDS_PER_MIB: str(CLAMD_SECONDS_PER_MIB),
                env.SCAN_MAX_DELIVERIES: str(SCAN_MAX_DELIVERIES),
            },
            **self._writer_options(),
        )

    def _reconciler(self) -> lambda_.Function:
        """Every RECONCILE_EVERY, objects without a verdict after RECONCILE_AFTER are queued
        again as S3 events (same image, another handler). It cannot read objects."""
        data_bucket = self.inputs.data_bucket
        log_group, role = function_logs_and_role(
            self,
            "Reconciler",
            log_group_name=self.resource_names.reconciler_log_group,
            role_name=self.resource_names.reconciler_role,
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
                resources=[self.submissions],
            )
        )
        self.queue.grant_send_messages(role)
        function = lambda_.DockerImageFunction(
            self,
            "Reconciler",
            function_name=self.resource_names.reconciler_function,
            description="Manabi Plus scan reconciler: re-queues uploads without a verdict",
            code=scanner_image(contract.RECONCILER_HANDLER),
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
                **powertools_environment(self.config, contract.RECONCILER_SERVICE),
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
