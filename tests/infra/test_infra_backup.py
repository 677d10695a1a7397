"""MP-BAK-02..04, MP-S3-04 (backup side), MP-AVL-01: what moto cannot run is proven here on the
synthesized templates of both environments: the daily schedule, the rights of the backup
function (only the named table and buckets), Object Lock mode and retention on the Tokyo and
Osaka backup buckets, the lifecycle, replication to Osaka with the lock permissions."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_contract import backups as contract
from manabi_contract import environment as env
from manabi_infra.constructs.backups import HANDLER
from manabi_infra.constructs.storage import LOCK_CHANGING_ACTIONS

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra


def _statements(stack: SynthesizedStack, role_id: str) -> list[dict[str, Any]]:
    found = []
    for policy in stack.of_type("AWS::IAM::Policy").values():
        if {"Ref": role_id} in policy["Properties"]["Roles"]:
            found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    return found


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _backup_bucket(stack: SynthesizedStack, name: str) -> tuple[str, Resource]:
    return stack.named("AWS::S3::Bucket", "BucketName", name)


def test_mp_bak_02_03_daily_schedule_runs_the_backup_function(stack: SynthesizedStack) -> None:
    function_id, function = stack.named(
        "AWS::Lambda::Function", "FunctionName", stack.names.backup_function
    )
    assert function["Properties"]["Handler"] == HANDLER
    variables = function["Properties"]["Environment"]["Variables"]
    table_id, _ = stack.only("AWS::DynamoDB::Table")
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    backup_id, _ = _backup_bucket(stack, stack.names.backup_bucket)
    assert variables[env.TABLE_NAME] == {"Ref": table_id}
    assert variables[env.DATA_BUCKET] == {"Ref": data_id}
    assert variables[env.BACKUP_BUCKET] == {"Ref": backup_id}
    rules = [
        r
        for r in stack.of_type("AWS::Events::Rule").values()
        if any(t["Arn"] == {"Fn::GetAtt": [function_id, "Arn"]} for t in r["Properties"]["Targets"])
    ]
    assert [r["Properties"]["ScheduleExpression"] for r in rules] == ["cron(0 18 * * ? *)"]


def test_mp_bak_02_03_backup_rights_limited_to_the_named_table_and_buckets(
    stack: SynthesizedStack,
) -> None:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.backup_function_role)
    table_id, _ = stack.only("AWS::DynamoDB::Table")
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    backup_id, _ = _backup_bucket(stack, stack.names.backup_bucket)
    allowed = {data_id, backup_id, table_id}
    for statement in _statements(stack, role_id):
        actions = _list(statement["Action"])
        if all(a.startswith("logs:") for a in actions):
            continue
        for resource in _list(statement["Resource"]):
            text = str(resource)
            assert resource != "*", statement
            assert any(lid in text for lid in allowed), statement
        if any(a.startswith("s3:Put") for a in actions):
            assert backup_id in str(statement["Resource"]), "writes only into the backup bucket"
        assert not any(
            a.startswith("dynamodb:") and "Export" not in a and "Describe" not in a for a in actions
        ), statement
    # It reads objects without a CLEAN verdict too: it is exempt from the read deny.
    policies = [
        p
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": data_id}
    ]
    (deny,) = [
        s
        for p in policies
        for s in p["Properties"]["PolicyDocument"]["Statement"]
        if s.get("Sid") == "DenyReadUnlessClean"
    ]
    readers = deny["Condition"]["ArnNotEquals"]["aws:PrincipalArn"]
    assert {"Fn::GetAtt": [role_id, "Arn"]} in readers


def _assert_locked(stack: SynthesizedStack, name: str) -> None:
    bucket_id, bucket = _backup_bucket(stack, name)
    props = bucket["Properties"]
    assert props["ObjectLockEnabled"] is True
    assert props["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled",
        "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Days": contract.RETENTION_DAYS}},
    }
    assert contract.RETENTION_DAYS >= 35
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == contract.EXPIRE_AFTER_DAYS > contract.RETENTION_DAYS
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": 1}
    statements = [
        s
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
        for s in p["Properties"]["PolicyDocument"]["Statement"]
    ]
    (deny,) = [s for s in statements if s.get("Sid") == "DenyChangingLocks"]
    assert deny["Effect"] == "Deny"
    assert deny["Principal"] == {"AWS": "*"}
    assert set(deny["Action"]) == set(LOCK_CHANGING_ACTIONS)
    assert "Condition" not in deny  # nobody: not the operations role, not an administrator


def test_mp_bak_04_tokyo_backup_bucket_locked_in_compliance_mode(stack: SynthesizedStack) -> None:
    _assert_locked(stack, stack.names.backup_bucket)


def test_mp_bak_04_osaka_backup_bucket_locked_in_compliance_mode(dr: SynthesizedStack) -> None:
    _assert_locked(dr, dr.names.dr_backup_bucket)


def test_mp_bak_04_refresh_keeps_every_manifest_within_the_retention() -> None:
    """An unchanged object is copied again before its last copy's lock ends, so a day's manifest
    never points at a copy the lifecycle may already have expired."""
    assert contract.REFRESH_AFTER_DAYS < contract.RETENTION_DAYS < contract.EXPIRE_AFTER_DAYS


def test_mp_s3_04_replication_carries_the_lock_in_production(production: SynthesizedStack) -> None:
    _, bucket = _backup_bucket(production, production.names.backup_bucket)
    replication = bucket["Properties"]["ReplicationConfiguration"]
    (rule,) = replication["Rules"]
    assert production.names.dr_backup_bucket in str(rule["Destination"]["Bucket"])
    role_ref = replication["Role"]["Fn::GetAtt"][0]
    actions = {a for s in _statements(production, role_ref) for a in _list(s["Action"])}
    assert {"s3:GetObjectRetention", "s3:GetObjectLegalHold", "s3:ReplicateTags"} <= actions


def test_mp_s3_04_staging_backup_bucket_does_not_replicate(staging: SynthesizedStack) -> None:
    """Staging keeps its copies in Tokyo (decision 0034): its Osaka bucket exists, locked, for
    the DR drill in the cloud; replication costs are paid for production only."""
    _, bucket = _backup_bucket(staging, staging.names.backup_bucket)
    assert "ReplicationConfiguration" not in bucket["Properties"]


def test_mp_bak_04_cloudtrail_bucket_versioned_and_old_versions_kept(
    stack: SynthesizedStack,
) -> None:
    """A trail file that is overwritten or deleted stays as a noncurrent version for the logs'
    whole retention (log file validation of the trail: the security baseline)."""
    _, bucket = stack.named("AWS::S3::Bucket", "BucketName", stack.names.cloudtrail_bucket)
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = props["LifecycleConfiguration"]["Rules"]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": rule["ExpirationInDays"]}
