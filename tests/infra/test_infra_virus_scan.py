"""MP-AV-01..03, GL-QUEUE-01: S3 → SQS (DLQ 14 days) → the scanner; the fail-closed policy."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.constructs.virus_scan import (
    RECONCILE_AFTER_MINUTES,
    RECONCILER_HANDLER,
    SCANNER_MEMORY_MB,
    SCANNER_TIMEOUT_SECONDS,
    TAGGING_ACTIONS,
)

from .conftest import SynthesizedStack

pytestmark = pytest.mark.infra


def _queue(stack: SynthesizedStack, name: str) -> tuple[str, dict[str, Any]]:
    return stack.named("AWS::SQS::Queue", "QueueName", name)


def _function(stack: SynthesizedStack) -> tuple[str, dict[str, Any]]:
    return stack.named("AWS::Lambda::Function", "FunctionName", stack.names.scan_function)


def _data_policy(stack: SynthesizedStack) -> dict[str, dict[str, Any]]:
    bucket_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    (statements,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    return {s.get("Sid", f"#{n}"): s for n, s in enumerate(statements)}


def _listed(value: Any) -> set[str]:
    return set(value) if isinstance(value, list) else {value}


def _scanner_role_arn(stack: SynthesizedStack) -> dict[str, Any]:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.scan_role)
    return {"Fn::GetAtt": [role_id, "Arn"]}


def test_gl_queue_01_scan_queue_dlq_14_days_sse_tls(stack: SynthesizedStack) -> None:
    dlq_id, dlq = _queue(stack, stack.names.scan_dead_letter_queue)
    _, queue = _queue(stack, stack.names.scan_queue)
    assert dlq["Properties"]["MessageRetentionPeriod"] == 14 * 24 * 3600
    assert queue["Properties"]["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": [dlq_id, "Arn"]
    }
    assert queue["Properties"]["RedrivePolicy"]["maxReceiveCount"] >= 3
    for props in (queue["Properties"], dlq["Properties"]):
        assert props["SqsManagedSseEnabled"] is True
    denies = [
        s
        for p in stack.of_type("AWS::SQS::QueuePolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Deny"
    ]
    assert len(denies) == 2
    assert all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_mp_av_01_visibility_at_least_six_times_the_scanner_timeout(
    stack: SynthesizedStack,
) -> None:
    _, queue = _queue(stack, stack.names.scan_queue)
    _, function = _function(stack)
    timeout = function["Properties"]["Timeout"]
    assert timeout == SCANNER_TIMEOUT_SECONDS
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_mp_av_01_uploads_notify_the_scan_queue(stack: SynthesizedStack) -> None:
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    (notifications,) = stack.of_type("Custom::S3BucketNotifications").values()
    (config,) = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["QueueArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    rules = config["Filter"]["Key"]["FilterRules"]
    assert rules == [{"Name": "prefix", "Value": names.SUBMISSIONS_PREFIX}]


def test_mp_av_01_scanner_image_concurrency_and_partial_failures(
    stack: SynthesizedStack,
) -> None:
    function_id, function = _function(stack)
    props = function["Properties"]
    assert props["PackageType"] == "Image"
    image = str(props["Code"]["ImageUri"])
    assert stack.config.scanner_image_repository in image
    assert f":{stack.config.scanner_image_tag}" in image
    assert props["MemorySize"] == SCANNER_MEMORY_MB
    assert props["ReservedConcurrentExecutions"] == stack.config.scanner_concurrency
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    (mapping,) = stack.of_type("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionName"] == {"Ref": function_id}
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_mp_av_01_scanner_role_least_privilege(stack: SynthesizedStack) -> None:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.scan_role)
    statements = [
        s
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    by_sid = {s.get("Sid"): s for s in statements}
    assert _listed(by_sid["ReadAndTagUploads"]["Action"]) == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:PutObjectTagging",
        "s3:PutObjectVersionTagging",
    }
    resource = by_sid["ReadAndTagUploads"]["Resource"]["Fn::Join"][1]
    assert resource[-1] == f"/{names.SUBMISSIONS_PREFIX}*"
    assert _listed(by_sid["RecordVerdicts"]["Action"]) == {"dynamodb:UpdateItem"}
    actions = set().union(*(_listed(s["Action"]) for s in statements))
    assert not any(a.endswith("*") and not a.startswith(("sqs:", "logs:")) for a in actions)
    assert "s3:DeleteObject" not in actions
    assert "dynamodb:Scan" not in actions


def test_mp_av_02_deny_reads_unless_clean_except_the_scanner(stack: SynthesizedStack) -> None:
    statement = _data_policy(stack)["DenyReadUnlessClean"]
    assert (statement["Effect"], statement["Principal"]) == ("Deny", {"AWS": "*"})
    assert _listed(statement["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    assert statement["Condition"] == {
        "StringNotEquals": {"s3:ExistingObjectTag/av-status": "CLEAN"},
        "ArnNotEquals": {"aws:PrincipalArn": _scanner_role_arn(stack)},
    }


def test_mp_av_03_only_the_scanner_tags(stack: SynthesizedStack) -> None:
    statement = _data_policy(stack)["DenyTaggingButScanner"]
    assert statement["Effect"] == "Deny"
    assert _listed(statement["Action"]) == set(TAGGING_ACTIONS)
    assert statement["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": _scanner_role_arn(stack)}
    }


def test_mp_av_03_nobody_retags_an_infected_object(stack: SynthesizedStack) -> None:
    statement = _data_policy(stack)["DenyTaggingWhenInfected"]
    assert (statement["Effect"], statement["Principal"]) == ("Deny", {"AWS": "*"})
    assert _listed(statement["Action"]) == set(TAGGING_ACTIONS)
    assert statement["Condition"] == {
        "StringEquals": {"s3:ExistingObjectTag/av-status": "INFECTED"}
    }


def test_mp_av_02_no_upload_carries_verdict_tags(stack: SynthesizedStack) -> None:
    statement = _data_policy(stack)["DenyUploadsWithVerdictTags"]
    assert (statement["Effect"], _listed(statement["Action"])) == ("Deny", {"s3:PutObject"})
    assert statement["Condition"] == {"ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "av-*"}}


def test_mp_av_03_delete_is_never_denied(stack: SynthesizedStack) -> None:
    for statement in _data_policy(stack).values():
        if statement["Effect"] == "Deny":
            assert not any(
                "Delete" in a and "Tagging" not in a for a in _listed(statement["Action"])
            )


def test_mp_av_01_reconciler_requeues_unscanned_uploads_on_a_schedule(
    stack: SynthesizedStack,
) -> None:
    function_id, function = stack.named(
        "AWS::Lambda::Function", "FunctionName", stack.names.reconciler_function
    )
    props = function["Properties"]
    assert props["ImageConfig"]["Command"] == [RECONCILER_HANDLER]
    assert props["Environment"]["Variables"]["RECONCILE_AFTER_MINUTES"] == str(
        RECONCILE_AFTER_MINUTES
    )
    (rule,) = stack.of_type("AWS::Events::Rule").values()
    assert rule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
    assert rule["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.reconciler_role)
    actions = {
        a
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        for a in _listed(s["Action"])
    }
    assert "s3:GetObject" not in actions
    assert "s3:PutObjectTagging" not in actions
    assert {"sqs:SendMessage", "s3:GetObjectTagging", "s3:ListBucketVersions"} <= actions
