"""MP-AV-01..03, GL-QUEUE-01: S3 → SQS (DLQ 14 days) → the scanner; the fail-closed policy."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract import storage
from manabi_contract.verdicts import GUARDDUTY_RESULT_DETAIL_TYPE
from manabi_infra import names
from manabi_infra.config import ScanBackend, osaka_workload
from manabi_infra.constructs.clamav_scan import RECONCILE_AFTER_MINUTES, SCANNER_MEMORY_MB
from manabi_infra.constructs.virus_definitions import (
    STALE_AFTER_HOURS,
    UPDATE_AFTER_HOURS,
    UPDATER_MEMORY_MB,
)
from manabi_infra.constructs.virus_scan import (
    OLDEST_MESSAGE_ALARM_SECONDS,
    SCANNER_TIMEOUT_SECONDS,
    TAGGING_ACTIONS,
)
from manabi_infra.scanner_image import DOCKERFILE
from manabi_infra.synth import DEFAULT_OUTDIR
from manabi_scanner.clamd import MIB, ClamdTimeouts
from manabi_scanner.config import ScannerConfig

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


def test_gl_queue_01_scan_queue_dlq_14_days_sse_tls(scan_stack: SynthesizedStack) -> None:
    stack = scan_stack
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
    assert len(denies) == 2  # one per queue
    assert all(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} for s in denies)


def test_mp_av_01_visibility_at_least_six_times_the_scanner_timeout(
    stack: SynthesizedStack,
) -> None:
    _, queue = _queue(stack, stack.names.scan_queue)
    _, function = _function(stack)
    timeout = function["Properties"]["Timeout"]
    assert timeout == SCANNER_TIMEOUT_SECONDS
    assert queue["Properties"]["VisibilityTimeout"] >= 6 * timeout


def test_gl_rel_01_clamd_deadlines_fit_the_function_and_error_precedes_the_dlq(
    stack: SynthesizedStack,
) -> None:
    """GL-REL-01, MP-AV-02 (docs/decisions/0030): the scanner's clamd deadlines, as the
    scanner reads them from the synthesized environment, end a scan of the largest upload inside
    the function's timeout (so the handler, not Lambda, ends it and no verdict is written); a
    scan clamd never finished is ERROR on the queue's maxReceiveCount-th delivery, the last one
    before the DLQ; a message is hidden longer than one invocation lasts."""
    _, queue = _queue(stack, stack.names.scan_queue)
    _, function = _function(stack)
    environment = function["Properties"]["Environment"]["Variables"]
    for name in (env.CLAMD_TIMEOUT_SECONDS, env.CLAMD_SECONDS_PER_MIB, env.SCAN_MAX_DELIVERIES):
        assert isinstance(environment[name], str), name  # literal values, read at init
    # the literal values (the others are references resolved at deploy)
    environment = {k: v for k, v in environment.items() if isinstance(v, str)}
    environment[env.TABLE_NAME] = "table"
    config = ScannerConfig.from_environment(environment)
    assert config.clamd_timeouts == ClamdTimeouts(10.0, 0.8)  # the scanner's defaults too
    assert config.clamd_timeouts == ClamdTimeouts()
    timeout = function["Properties"]["Timeout"]
    largest = config.clamd_timeouts.reply_seconds(storage.MAX_SUBMISSION_BYTES)
    assert largest == pytest.approx(90.0)
    assert largest + config.clamd_timeouts.call_seconds < timeout  # the connect, then the reply
    redrive = queue["Properties"]["RedrivePolicy"]
    assert config.max_deliveries == redrive["maxReceiveCount"]
    assert queue["Properties"]["VisibilityTimeout"] > timeout
    assert storage.MAX_SUBMISSION_BYTES / MIB == 100


def test_mp_av_01_uploads_notify_the_scan_queue(stack: SynthesizedStack) -> None:
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    (notifications,) = stack.of_type("Custom::S3BucketNotifications").values()
    (config,) = notifications["Properties"]["NotificationConfiguration"]["QueueConfigurations"]
    assert config["Events"] == ["s3:ObjectCreated:*"]
    assert config["QueueArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    rules = config["Filter"]["Key"]["FilterRules"]
    assert rules == [{"Name": "prefix", "Value": storage.SUBMISSIONS_PREFIX}]


def assert_image_asset(props: dict[str, Any], stack: SynthesizedStack) -> None:
    """GL-DEP-01: the image is a CDK asset (`cdk deploy` builds it for arm64 and pushes it to
    the bootstrap's repository): no ECR repository or tag is configured by hand."""
    image = json.dumps(props["Code"]["ImageUri"])
    assert "cdk-hnb659fds-container-assets-" in image
    tag = image.rsplit(":", 1)[-1].split('"')[0]
    assets = json.loads((DEFAULT_OUTDIR / f"{stack.stack_id}.assets.json").read_text())
    source = assets["dockerImages"][tag]["source"]
    assert source["dockerFile"] == DOCKERFILE
    assert source["platform"] == "linux/arm64"
    context = DEFAULT_OUTDIR / source["directory"]
    assert sorted(p.name for p in (context / "src").iterdir()) == [
        "manabi_contract",
        "manabi_scanner",
    ]


def test_mp_av_01_scanner_image_concurrency_and_partial_failures(
    stack: SynthesizedStack,
) -> None:
    function_id, function = _function(stack)
    props = function["Properties"]
    assert props["PackageType"] == "Image"
    assert_image_asset(props, stack)
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
    assert resource[-1] == f"/{storage.SUBMISSIONS_PREFIX}*"
    assert _listed(by_sid["RecordVerdicts"]["Action"]) == {"dynamodb:UpdateItem"}
    actions = set().union(*(_listed(s["Action"]) for s in statements))
    assert not any(a.endswith("*") and not a.startswith(("sqs:", "logs:")) for a in actions)
    assert "s3:DeleteObject" not in actions
    assert "dynamodb:Scan" not in actions


def _readers(stack: SynthesizedStack) -> list[dict[str, Any]]:
    """Who may read unscanned objects: the verdict writer, GuardDuty when it scans, and the
    daily backup, which copies every object with its verdict (MP-BAK-03)."""
    readers = [_scanner_role_arn(stack)]
    if stack.config.scan_backend is ScanBackend.GUARDDUTY:
        role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.guardduty_scan_role)
        readers.append({"Fn::GetAtt": [role_id, "Arn"]})
    backup_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.backup_function_role)
    readers.append({"Fn::GetAtt": [backup_id, "Arn"]})
    return readers


def test_mp_av_02_deny_reads_unless_clean_except_the_scanner(
    scan_stack: SynthesizedStack,
) -> None:
    statement = _data_policy(scan_stack)["DenyReadUnlessClean"]
    assert (statement["Effect"], statement["Principal"]) == ("Deny", {"AWS": "*"})
    assert _listed(statement["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    assert statement["Condition"] == {
        "StringNotEquals": {"s3:ExistingObjectTag/av-status": "CLEAN"},
        "ArnNotEquals": {"aws:PrincipalArn": _readers(scan_stack)},
    }


def _operations_role_arn(stack: SynthesizedStack) -> dict[str, Any]:
    role_id, _ = stack.named(
        "AWS::IAM::Role", "RoleName", f"{stack.names.access_role_prefix}-operations"
    )
    return {"Fn::GetAtt": [role_id, "Arn"]}


def test_mp_av_03_only_the_scanner_tags(scan_stack: SynthesizedStack) -> None:
    """Nobody but the scanner tags; the operations role is left to DenyRestorerButBackupCopies,
    which lets it copy the backup bucket's copies with their verdicts and nothing else (MP-RST-01,
    tests/infra/test_infra_restore_policy.py)."""
    statements = _data_policy(scan_stack)
    statement = statements["DenyTaggingButScanner"]
    assert statement["Effect"] == "Deny"
    assert _listed(statement["Action"]) == set(TAGGING_ACTIONS)
    operations = _operations_role_arn(scan_stack)
    assert statement["Condition"] == {
        "ArnNotEquals": {"aws:PrincipalArn": [_scanner_role_arn(scan_stack), operations]}
    }
    restorer = statements["DenyRestorerButBackupCopies"]
    assert (restorer["Effect"], restorer["Principal"]) == ("Deny", {"AWS": "*"})
    assert _listed(restorer["Action"]) == {*TAGGING_ACTIONS, "s3:PutObject"}
    # its own backup bucket, and the Osaka workload's for the way back (MP-AVL-01)
    backup = scan_stack.names.backup_bucket
    osaka = names.resource_names(osaka_workload(scan_stack.config)).backup_bucket
    assert osaka == f"{backup}-osaka"
    assert restorer["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": operations},
        "StringNotLike": {
            "s3:x-amz-copy-source": [f"{backup}/*", f"/{backup}/*", f"{osaka}/*", f"/{osaka}/*"]
        },
    }


def test_mp_av_03_nobody_retags_an_infected_object(scan_stack: SynthesizedStack) -> None:
    statement = _data_policy(scan_stack)["DenyTaggingWhenInfected"]
    assert (statement["Effect"], statement["Principal"]) == ("Deny", {"AWS": "*"})
    assert _listed(statement["Action"]) == set(TAGGING_ACTIONS)
    assert statement["Condition"] == {
        "StringEquals": {"s3:ExistingObjectTag/av-status": "INFECTED"}
    }


def test_mp_av_02_no_upload_carries_verdict_tags(scan_stack: SynthesizedStack) -> None:
    statement = _data_policy(scan_stack)["DenyUploadsWithVerdictTags"]
    assert (statement["Effect"], _listed(statement["Action"])) == ("Deny", {"s3:PutObject"})
    # the operations role's tagged writes are DenyRestorerButBackupCopies' (MP-RST-01)
    assert statement["Condition"] == {
        "ForAnyValue:StringLike": {"s3:RequestObjectTagKeys": "av-*"},
        "ArnNotEquals": {"aws:PrincipalArn": _operations_role_arn(scan_stack)},
    }


def test_mp_av_03_delete_is_never_denied(scan_stack: SynthesizedStack) -> None:
    for statement in _data_policy(scan_stack).values():
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
    assert props["ImageConfig"]["Command"] == [contract.RECONCILER_HANDLER]
    assert props["Environment"]["Variables"]["RECONCILE_AFTER_MINUTES"] == str(
        RECONCILE_AFTER_MINUTES
    )
    (rule,) = [
        r
        for r in stack.of_type("AWS::Events::Rule").values()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert rule["Properties"]["ScheduleExpression"] == "rate(15 minutes)"
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


# --- Virus definitions (MP-AV-04) ---------------------------------------------------------------


def _role_statements(stack: SynthesizedStack, role_name: str) -> dict[str, dict[str, Any]]:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", role_name)
    return {
        s.get("Sid", f"#{n}"): s
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
        for n, s in enumerate(p["Properties"]["PolicyDocument"]["Statement"])
    }


def _definitions_bucket_id(stack: SynthesizedStack) -> str:
    bucket_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.definitions_bucket)
    return bucket_id


def _object_prefix(resource: Any) -> tuple[str, str]:
    """(bucket logical id, key pattern) of a `bucket.arn_for_objects(...)` resource."""
    parts = resource["Fn::Join"][1]
    return parts[0]["Fn::GetAtt"][0], parts[-1]


def test_mp_av_04_definitions_bucket_private_versioned_logged(stack: SynthesizedStack) -> None:
    _, bucket = stack.named("AWS::S3::Bucket", "BucketName", stack.names.definitions_bucket)
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    sse = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert sse[0]["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert props["LoggingConfiguration"]["LogFilePrefix"] == names.ACCESS_LOG_PREFIX_DEFINITIONS


def test_mp_av_04_updater_runs_hourly_and_publishes_once_a_day(stack: SynthesizedStack) -> None:
    function_id, function = stack.named(
        "AWS::Lambda::Function", "FunctionName", stack.names.updater_function
    )
    props = function["Properties"]
    assert props["PackageType"] == "Image"
    assert props["ImageConfig"]["Command"] == [contract.UPDATER_HANDLER]
    assert_image_asset(props, stack)
    assert props["ReservedConcurrentExecutions"] == 1
    assert props["MemorySize"] == UPDATER_MEMORY_MB
    assert props["EphemeralStorage"]["Size"] >= 1024
    variables = props["Environment"]["Variables"]
    assert variables[env.DEFINITIONS_BUCKET] == {"Ref": _definitions_bucket_id(stack)}
    assert variables[env.CLAMAV_MIRROR] == stack.config.clamav_mirror
    assert variables[env.UPDATE_AFTER_HOURS] == str(UPDATE_AFTER_HOURS) == "24"
    # its own service name (MP-MON-03); its age metric keeps the scanners' dimension (alarm below)
    assert variables[env.POWERTOOLS_SERVICE_NAME] == contract.UPDATER_SERVICE
    assert variables[env.POWERTOOLS_METRICS_NAMESPACE] == contract.METRICS_NAMESPACE
    (rule,) = [
        r
        for r in stack.of_type("AWS::Events::Rule").values()
        if r["Properties"]["Targets"][0]["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]}
    ]
    assert rule["Properties"]["ScheduleExpression"] == "rate(1 hour)"
    assert rule["Properties"]["Targets"][0]["RetryPolicy"]["MaximumRetryAttempts"] == 2


def test_mp_av_04_updater_writes_only_definition_sets(stack: SynthesizedStack) -> None:
    statements = _role_statements(stack, stack.names.updater_role)
    bucket_id = _definitions_bucket_id(stack)
    publish = statements["PublishAndPruneSets"]
    assert _listed(publish["Action"]) == {"s3:GetObject", "s3:PutObject", "s3:DeleteObject"}
    assert _object_prefix(publish["Resource"]) == (bucket_id, f"/{storage.DEFINITIONS_PREFIX}*")
    listing = statements["ListDefinitionSets"]
    assert listing["Resource"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert listing["Condition"] == {"StringLike": {"s3:prefix": [f"{storage.DEFINITIONS_PREFIX}*"]}}
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    assert data_id not in json.dumps(statements), "the updater never touches uploads"


def test_mp_av_04_scanners_load_the_newest_set_read_only(stack: SynthesizedStack) -> None:
    _, function = _function(stack)
    variables = function["Properties"]["Environment"]["Variables"]
    bucket_id = _definitions_bucket_id(stack)
    assert variables[env.DEFINITIONS_BUCKET] == {"Ref": bucket_id}
    assert int(variables[env.DEFINITIONS_REFRESH_MINUTES]) <= 24 * 60
    assert function["Properties"]["EphemeralStorage"]["Size"] >= 1024  # sets live in /tmp
    statements = _role_statements(stack, stack.names.scan_role)
    load = statements["LoadDefinitionSets"]
    assert _listed(load["Action"]) == {"s3:GetObject"}
    assert _object_prefix(load["Resource"]) == (bucket_id, f"/{storage.DEFINITIONS_PREFIX}*")
    on_definitions = {
        a
        for s in statements.values()
        if bucket_id in json.dumps(s["Resource"])
        for a in _listed(s["Action"])
    }
    assert on_definitions == {"s3:GetObject", "s3:ListBucket"}


def _alarm(stack: SynthesizedStack, name: str) -> dict[str, Any]:
    (_, alarm) = stack.named("AWS::CloudWatch::Alarm", "AlarmName", name)
    props: dict[str, Any] = alarm["Properties"]
    return props


def _alerts_topic(stack: SynthesizedStack) -> dict[str, str]:
    topic_id, _ = stack.named("AWS::SNS::Topic", "TopicName", stack.names.alerts_topic)
    return {"Ref": topic_id}


def test_mp_av_04_stale_definitions_raise_an_alarm(stack: SynthesizedStack) -> None:
    alarm = _alarm(stack, f"{stack.names.updater_function}-stale")
    assert (alarm["Namespace"], alarm["MetricName"]) == (
        contract.METRICS_NAMESPACE,
        contract.DEFINITIONS_AGE_METRIC,
    )
    assert alarm["Dimensions"] == [{"Name": "service", "Value": contract.SCANNER_SERVICE}]
    assert alarm["Statistic"] == "Maximum"
    assert alarm["Threshold"] == STALE_AFTER_HOURS == 26
    assert alarm["ComparisonOperator"] == "GreaterThanThreshold"
    assert alarm["Period"] == 3600
    # no report from the updater is as bad as an old set
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == [_alerts_topic(stack)]


def test_mp_mon_02_scan_queue_alarms_reach_the_alert_topic(scan_stack: SynthesizedStack) -> None:
    stack = scan_stack
    dlq_id, _ = _queue(stack, stack.names.scan_dead_letter_queue)
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    dead = _alarm(stack, f"{stack.names.scan_dead_letter_queue}-not-empty")
    assert dead["MetricName"] == "ApproximateNumberOfMessagesVisible"
    assert dead["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [dlq_id, "QueueName"]}}
    ]
    assert (dead["Threshold"], dead["ComparisonOperator"]) == (0, "GreaterThanThreshold")
    waiting = _alarm(stack, f"{stack.names.scan_queue}-waiting")
    assert waiting["MetricName"] == "ApproximateAgeOfOldestMessage"
    assert waiting["Dimensions"] == [
        {"Name": "QueueName", "Value": {"Fn::GetAtt": [queue_id, "QueueName"]}}
    ]
    assert waiting["Threshold"] == OLDEST_MESSAGE_ALARM_SECONDS
    for alarm in (dead, waiting):
        assert alarm["AlarmActions"] == alarm["OKActions"] == [_alerts_topic(stack)]


def test_mp_mon_02_alert_topic_encrypted_tls_only_mailed(stack: SynthesizedStack) -> None:
    topic_id, topic = stack.named("AWS::SNS::Topic", "TopicName", stack.names.alerts_topic)
    key_ref = topic["Properties"]["KmsMasterKeyId"]
    key = stack.resources[key_ref["Fn::GetAtt"][0]]
    assert key["Type"] == "AWS::KMS::Key"
    assert key["Properties"]["EnableKeyRotation"] is True
    key_statements = key["Properties"]["KeyPolicy"]["Statement"]
    assert any(
        s.get("Principal") == {"Service": "cloudwatch.amazonaws.com"}
        and {"kms:Decrypt", "kms:GenerateDataKey*"} <= _listed(s["Action"])
        for s in key_statements
    ), "CloudWatch alarms must be able to publish to the encrypted topic"
    (subscription,) = stack.of_type("AWS::SNS::Subscription").values()
    assert subscription["Properties"]["Protocol"] == "email"
    assert subscription["Properties"]["Endpoint"] == stack.config.alert_email
    assert subscription["Properties"]["TopicArn"] == {"Ref": topic_id}
    (policy,) = stack.of_type("AWS::SNS::TopicPolicy").values()
    statements = policy["Properties"]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


# --- GuardDuty Malware Protection for S3, the optional backend (MP-AV-01) ---------------------


def test_mp_av_01_guardduty_backend_protects_the_uploads(guardduty_stack: SynthesizedStack) -> None:
    stack = guardduty_stack
    (_, plan) = stack.only("AWS::GuardDuty::MalwareProtectionPlan")
    props = plan["Properties"]
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    assert props["ProtectedResource"]["S3Bucket"] == {
        "BucketName": {"Ref": data_id},
        "ObjectPrefixes": [storage.SUBMISSIONS_PREFIX],
    }
    # GuardDuty's own tag would be a second verdict; only our verdict writer tags (MP-AV-03)
    assert props["Actions"] == {"Tagging": {"Status": "DISABLED"}}
    role_id, role = stack.named("AWS::IAM::Role", "RoleName", stack.names.guardduty_scan_role)
    assert props["Role"] == {"Fn::GetAtt": [role_id, "Arn"]}
    (trust,) = role["Properties"]["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"Service": "malware-protection-plan.guardduty.amazonaws.com"}
    assert "aws:SourceAccount" in trust["Condition"]["StringEquals"]
    statements = _role_statements(stack, stack.names.guardduty_scan_role)
    assert _listed(statements["ScanUploads"]["Action"]) == {"s3:GetObject", "s3:GetObjectVersion"}
    assert _object_prefix(statements["ScanUploads"]["Resource"]) == (
        data_id,
        f"/{storage.SUBMISSIONS_PREFIX}*",
    )
    granted = {a for s in statements.values() for a in _listed(s["Action"])}
    assert not any("Tagging" in a for a in granted)
    assert "s3:DeleteObject" not in granted


def test_mp_av_01_guardduty_results_reach_the_verdict_function_through_sqs(
    guardduty_stack: SynthesizedStack,
) -> None:
    """GL-QUEUE-01 in GuardDuty mode: results → EventBridge → the scan queue → verdicts."""
    stack = guardduty_stack
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    # The other rules: AWS Health events to the alert topic (MP-MON-02), the daily backups'
    # schedule (MP-BAK-02/03).
    ((rule_id, rule),) = [
        (lid, r)
        for lid, r in stack.of_type("AWS::Events::Rule").items()
        if r["Properties"].get("EventPattern", {}).get("source") == ["aws.guardduty"]
    ]
    pattern = rule["Properties"]["EventPattern"]
    assert pattern["source"] == ["aws.guardduty"]
    assert pattern["detail-type"] == [GUARDDUTY_RESULT_DETAIL_TYPE]
    assert pattern["detail"]["s3ObjectDetails"]["bucketName"] == [{"Ref": data_id}]
    (target,) = rule["Properties"]["Targets"]
    assert target["Arn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    sends = [
        s
        for p in stack.of_type("AWS::SQS::QueuePolicy").values()
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s["Effect"] == "Allow"
    ]
    (send,) = sends
    assert send["Principal"] == {"Service": "events.amazonaws.com"}
    assert send["Condition"]["ArnEquals"]["aws:SourceArn"] == {"Fn::GetAtt": [rule_id, "Arn"]}
    function_id, function = stack.named(
        "AWS::Lambda::Function", "FunctionName", stack.names.guardduty_verdict_function
    )
    props = function["Properties"]
    assert props["Handler"] == contract.GUARDDUTY_VERDICT_HANDLER
    assert props["Runtime"] == "python3.13"
    assert props["Environment"]["Variables"][env.DATA_BUCKET] == {"Ref": data_id}
    (mapping,) = stack.of_type("AWS::Lambda::EventSourceMapping").values()
    assert mapping["Properties"]["FunctionName"] == {"Ref": function_id}
    assert mapping["Properties"]["EventSourceArn"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    assert mapping["Properties"]["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
    statements = _role_statements(stack, stack.names.scan_role)
    granted = {a for s in statements.values() for a in _listed(s["Action"])}
    assert "s3:GetObject" not in granted  # it writes verdicts, it never reads uploads
    assert {"s3:PutObjectVersionTagging", "dynamodb:UpdateItem"} <= granted


def test_mp_av_01_guardduty_backend_deploys_nothing_of_clamav(
    guardduty_stack: SynthesizedStack,
) -> None:
    stack = guardduty_stack
    functions = stack.of_type("AWS::Lambda::Function").values()
    assert not [f for f in functions if f["Properties"].get("PackageType") == "Image"]
    assert not stack.of_type("Custom::S3BucketNotifications")  # GuardDuty watches the bucket
    alarms = {
        a["Properties"]["AlarmName"] for a in stack.of_type("AWS::CloudWatch::Alarm").values()
    }
    assert f"{stack.names.updater_function}-stale" not in alarms  # GuardDuty keeps its own


def test_mp_av_01_the_api_may_ask_for_scans_again_with_clamav_only(
    scan_stack: SynthesizedStack,
) -> None:
    """A completion that comes after the verdict re-queues the exact version (ClamAV); GuardDuty
    scans only on upload, so its API gets no queue."""
    stack = scan_stack
    queue_id, _ = _queue(stack, stack.names.scan_queue)
    _, api = stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)
    variables = api["Properties"]["Environment"]["Variables"]
    statements = _role_statements(stack, stack.names.api_role)
    sends = [
        s
        for s in statements.values()
        if "sqs:SendMessage" in _listed(s["Action"])
        and s["Resource"] == {"Fn::GetAtt": [queue_id, "Arn"]}
    ]
    if stack.config.scan_backend is ScanBackend.CLAMAV:
        assert variables[env.SCAN_QUEUE_URL] == {"Ref": queue_id}
        (send,) = sends
        assert not any(a.startswith("sqs:Receive") or a == "sqs:*" for a in _listed(send["Action"]))
    else:
        assert env.SCAN_QUEUE_URL not in variables
        assert not sends
