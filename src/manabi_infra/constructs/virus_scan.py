"""Virus scanning of the data bucket (MP-AV-01..04, GL-QUEUE-01): what every scan backend shares.

A backend judges the uploads under `submissions/` and writes its verdict as the `av-*` tags of
the exact version and the submission's record. Two backends exist:

- ClamAV (default, constructs/clamav_scan.py): S3 ObjectCreated → the scan queue → the scanner
  image; a reconciler re-queues uploads still without a verdict, and the definitions updater keeps
  the signatures fresh (constructs/virus_definitions.py).
- GuardDuty Malware Protection for S3 (`scan_backend=guardduty`, constructs/guardduty_scan.py):
  GuardDuty scans, its results reach the same queue through EventBridge, and a small verdict
  function writes them as the same tags and records.

Either way (this module): one scan queue (SSE, TLS only, DLQ kept 14 days) feeds the verdict
function, the same alarms watch it, and the bucket policy keeps every object unreadable until its
verdict is CLEAN and lets only the verdict writer tag.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from aws_cdk import Duration, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sqs as sqs
from constructs import Construct

from manabi_contract import environment as env
from manabi_contract import storage, verdicts
from manabi_infra import names
from manabi_infra.constructs.alerts import RUNBOOK, Alerts
from manabi_infra.constructs.function_logs_and_role import function_logs_and_role
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment, DeploymentConstruct

# The longest a verdict function may work on one batch: the ClamAV scanner's timeout (one
# 100 MiB file took 66.6 s, docs/virus-scan.md). The queue hides a message 6× as long.
SCANNER_TIMEOUT_SECONDS = 120
VISIBILITY_TIMEOUT_SECONDS = 6 * SCANNER_TIMEOUT_SECONDS
DEAD_LETTER_RETENTION_DAYS = 14  # GL-QUEUE-01
MAX_RECEIVES = 5
BATCH_SIZE = 5
# Alarms on the queue (MP-MON-02): any message in the DLQ, or a scan waiting this long.
OLDEST_MESSAGE_ALARM_SECONDS = 30 * 60
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


@dataclass(frozen=True)
class Restores:
    """The restorer (the operations role) and the buckets it restores from: it may write the
    data bucket ONLY by copying from them, tags included (the copies carry their verdicts)."""

    role: iam.IRole
    source_buckets: tuple[str, ...]


@dataclass(frozen=True)
class ScanInputs:
    """What every backend works with: the environment, the uploads' bucket, the table its
    verdicts go to and the alert topic of its alarms."""

    deployment: Deployment
    data_bucket: s3.IBucket
    table: dynamodb.ITable
    alerts: Alerts
    # besides the verdict writer, who reads objects without a CLEAN verdict: the daily backup
    readers: tuple[iam.IRole, ...] = ()
    # who restores (MP-RST-01): a copy whose source is one of these buckets may carry its tags
    restores: Restores | None = None


class VirusScan(DeploymentConstruct):
    """A scan backend as the workload stack sees it: the scan queue and its DLQ, their alarms,
    the verdict writer (`function`, `role`: the only tagger) and who may read unscanned objects
    (`readers`). A backend builds its verdict function, then hands it to `_judge`."""

    function: lambda_.Function
    readers: tuple[iam.IRole, ...]

    def __init__(self, scope: Construct, construct_id: str, inputs: ScanInputs) -> None:
        super().__init__(scope, construct_id, deployment=inputs.deployment)
        self.inputs = inputs
        # Both queues: SSE-SQS, and a policy that denies requests without TLS (GL-QUEUE-01).
        protected: dict[str, Any] = {
            "encryption": sqs.QueueEncryption.SQS_MANAGED,
            "enforce_ssl": True,
        }
        self.dead_letter_queue = sqs.Queue(
            self,
            "DeadLetterQueue",
            queue_name=self.resource_names.scan_dead_letter_queue,
            retention_period=Duration.days(DEAD_LETTER_RETENTION_DAYS),
            **protected,
        )
        self.queue = sqs.Queue(
            self,
            "Queue",
            queue_name=self.resource_names.scan_queue,
            visibility_timeout=Duration.seconds(VISIBILITY_TIMEOUT_SECONDS),
            dead_letter_queue=sqs.DeadLetterQueue(
                queue=self.dead_letter_queue, max_receive_count=MAX_RECEIVES
            ),
            **protected,
        )
        # The verdict writer: the only principal that tags uploads.
        self.log_group, self.role = function_logs_and_role(
            self,
            "Function",
            log_group_name=self.resource_names.scan_log_group,
            role_name=self.resource_names.scan_role,
            description="Runtime role of the Manabi Plus virus scanner",
        )
        self.submissions = inputs.data_bucket.arn_for_objects(f"{storage.SUBMISSIONS_PREFIX}*")
        self.role.add_to_policy(
            iam.PolicyStatement(
                sid="RecordVerdicts",  # manabi_contract.table.scan_status_update: one UpdateItem
                actions=["dynamodb:UpdateItem"],
                resources=[inputs.table.table_arn],
            )
        )
        self._queue_alarms(inputs.alerts)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_SECURITY)

    def grant_rescan(self, function: lambda_.Function) -> None:
        """Let `function` ask for a new scan of an upload (MP-AV-01). A backend that only scans
        on upload cannot be asked again, and grants nothing."""

    def _writer_options(self) -> dict[str, Any]:
        """What every verdict function runs with: arm64, X-Ray, the verdict writer's role and
        log group, at most `scanner_concurrency` at once (bursts wait in the queue)."""
        return {
            "architecture": lambda_.Architecture.ARM_64,
            "reserved_concurrent_executions": self.config.scanner_concurrency,
            "role": self.role,
            "log_group": self.log_group,
            "tracing": lambda_.Tracing.ACTIVE,
        }

    def _writer_environment(self, service: str) -> dict[str, str]:
        """What every verdict function reads: the table of the submissions it records, and
        its Powertools settings."""
        return {
            env.TABLE_NAME: self.inputs.table.table_name,
            **powertools_environment(self.config, service),
        }

    def _judge(self, function: lambda_.Function, readers: Sequence[iam.IRole] = ()) -> None:
        """`function` writes the verdicts from the scan queue's messages; the verdict writer and
        `readers` are the only ones who read unscanned objects."""
        self.function = function
        self.readers = (self.role, *readers, *self.inputs.readers)
        function.add_event_source(
            sources.SqsEventSource(
                self.queue,
                batch_size=BATCH_SIZE,
                report_batch_item_failures=True,
                max_concurrency=self.config.scanner_concurrency,
            )
        )
        deny_until_clean(
            self.inputs.data_bucket,
            readers=self.readers,
            tagger=self.role,
            restores=self.inputs.restores,
        )

    def _queue_alarms(self, alerts: Alerts) -> None:
        """A message in the DLQ is an upload that could not be judged; an old message means the
        scanner is not keeping up (MP-MON-02)."""
        self.dead_letter_alarm = cloudwatch.Alarm(
            self,
            "DeadLetterAlarm",
            alarm_name=f"{self.resource_names.scan_dead_letter_queue}-not-empty",
            alarm_description=(
                "Uploads whose scan failed five times wait in the DLQ: they stay unreadable. "
                "Read the scanner's log, fix the cause, then redrive the DLQ. "
                f"Runbook: {RUNBOOK}#scan-dlq"
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
            alarm_name=f"{self.resource_names.scan_queue}-waiting",
            alarm_description=(
                f"An upload has waited more than {OLDEST_MESSAGE_ALARM_SECONDS // 60} minutes "
                "for its scan: learners see 検査中. Check the scanner's errors and throttles. "
                f"Runbook: {RUNBOOK}#scan-waiting"
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


def deny_until_clean(
    bucket: s3.IBucket,
    *,
    readers: Sequence[iam.IRole],
    tagger: iam.IRole,
    restores: Restores | None = None,
) -> None:
    """The design's fail-closed statements (MP-AV-02/03) on the data bucket; Delete is never
    denied. Only `tagger` tags; only `readers` read an object whose verdict is not CLEAN.

    The restorer (MP-RST-01) is left out of the tagging and verdict-tag denies, and instead is
    denied every tagging call and every write whose `s3:x-amz-copy-source` is not an object of
    a backup bucket (`DenyRestorerButBackupCopies`): it writes verdicts only by copying a
    backup copy that carries them. A request without a copy source is denied to it, so it never
    tags an object by hand."""
    objects = bucket.arn_for_objects("*")
    status = f"s3:ExistingObjectTag/{verdicts.TAG_STATUS}"
    restorer = [] if restores is None else [restores.role.role_arn]

    def deny(sid: str, actions: Sequence[str], conditions: dict[str, Any]) -> iam.PolicyStatement:
        return iam.PolicyStatement(
            sid=sid,
            effect=iam.Effect.DENY,
            principals=[iam.AnyPrincipal()],
            actions=list(actions),
            resources=[objects],
            conditions=conditions,
        )

    def but(*arns: str) -> str | list[str]:
        return arns[0] if len(arns) == 1 else list(arns)

    verdict_uploads: dict[str, Any] = {
        "ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": f"{verdicts.TAG_PREFIX}*"}
    }
    if restores is not None:
        verdict_uploads["ArnNotEquals"] = {"aws:PrincipalArn": restores.role.role_arn}
    statements = [
        deny(
            "DenyReadUnlessClean",
            READ_ACTIONS,
            {
                "StringNotEquals": {status: verdicts.AvStatus.CLEAN.value},
                "ArnNotEquals": {"aws:PrincipalArn": [r.role_arn for r in readers]},
            },
        ),
        deny(
            "DenyTaggingButScanner",
            TAGGING_ACTIONS,
            {"ArnNotEquals": {"aws:PrincipalArn": but(tagger.role_arn, *restorer)}},
        ),
        deny(
            "DenyTaggingWhenInfected",
            TAGGING_ACTIONS,
            {"StringEquals": {status: verdicts.AvStatus.INFECTED.value}},
        ),
        deny("DenyUploadsWithVerdictTags", ["s3:PutObject"], verdict_uploads),
    ]
    if restores is not None:
        statements.append(
            deny(
                "DenyRestorerButBackupCopies",
                [*TAGGING_ACTIONS, "s3:PutObject"],
                {
                    "ArnEquals": {"aws:PrincipalArn": restores.role.role_arn},
                    "StringNotLike": {
                        "s3:x-amz-copy-source": copy_source_patterns(restores.source_buckets)
                    },
                },
            )
        )
    for statement in statements:
        bucket.add_to_resource_policy(statement)


def copy_source_patterns(buckets: Sequence[str]) -> list[str]:
    """`s3:x-amz-copy-source` of an object of `buckets`: `bucket/key`, as SDKs send it, or
    `/bucket/key`."""
    return [p for b in buckets for p in (f"{b}/*", f"/{b}/*")]
