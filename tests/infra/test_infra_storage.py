"""MP-S3-01..06: bucket names, public access, TLS, encryption, policies, logs, lifecycle, DR."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_infra import names

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

BLOCK_ALL = {
    "BlockPublicAcls": True,
    "BlockPublicPolicy": True,
    "IgnorePublicAcls": True,
    "RestrictPublicBuckets": True,
}


def _bucket(stack: SynthesizedStack, name: str) -> tuple[str, Resource]:
    return stack.named("AWS::S3::Bucket", "BucketName", name)


def _policy(stack: SynthesizedStack, bucket_id: str) -> list[dict[str, Any]]:
    (statements,) = [
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
        if p["Properties"]["Bucket"] == {"Ref": bucket_id}
    ]
    return list(statements)


def _allows(stack: SynthesizedStack, bucket_name: str) -> list[dict[str, Any]]:
    bucket_id, _ = _bucket(stack, bucket_name)
    return [s for s in _policy(stack, bucket_id) if s["Effect"] == "Allow"]


def _actions(statement: dict[str, Any]) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


def test_mp_s3_bucket_names_follow_the_design(
    stack: SynthesizedStack, edge_stacks: dict[Any, SynthesizedStack], dr_stacks: dict[Any, Any]
) -> None:
    """All six buckets of the design, their WAF-log sibling, the virus-definitions bucket
    (MP-AV-04), the Osaka pair; one suffix."""
    prefix, suffix = stack.config.prefix, stack.config.bucket_suffix
    found = {r["Properties"]["BucketName"] for r in stack.of_type("AWS::S3::Bucket").values()}
    assert found == {
        *(
            f"{prefix}-manabiplus-{role}{suffix}"
            for role in ("web", "data", "application", "backup", "log", "cloudtrail")
        ),
        f"aws-waf-logs-{prefix}-manabiplus-api{suffix}",
        f"{prefix}-manabiplus-avdefinitions{suffix}",
    }
    edge = edge_stacks[stack.config.name]
    assert {r["Properties"]["BucketName"] for r in edge.of_type("AWS::S3::Bucket").values()} == {
        f"aws-waf-logs-{prefix}-manabiplus-edge{suffix}"
    }
    dr = dr_stacks[stack.config.name]
    dr_prefix = stack.config.dr_prefix
    assert {r["Properties"]["BucketName"] for r in dr.of_type("AWS::S3::Bucket").values()} == {
        f"{dr_prefix}-manabiplus-backup{suffix}",
        f"{dr_prefix}-manabiplus-log{suffix}",
    }


def test_mp_s3_04_production_dr_bucket_has_the_design_name(production: SynthesizedStack) -> None:
    assert production.names.dr_backup_bucket == "dr-manabiplus-backup"


def test_mp_s3_all_buckets_private_encrypted_retained(every_stack: SynthesizedStack) -> None:
    """Every bucket of every stack: Block Public Access, SSE-S3, retained, ACLs off but for
    the log bucket that takes CloudFront's ACL-based log delivery (MP-CF-04)."""
    log_bucket = every_stack.names.log_bucket
    for logical_id, bucket in every_stack.of_type("AWS::S3::Bucket").items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL, logical_id
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, logical_id
        ownership = (
            "BucketOwnerPreferred" if props["BucketName"] == log_bucket else ("BucketOwnerEnforced")
        )
        assert props["OwnershipControls"] == {"Rules": [{"ObjectOwnership": ownership}]}
        assert bucket["DeletionPolicy"] == "Retain", logical_id


def test_mp_s3_all_buckets_deny_plain_http_and_old_tls(every_stack: SynthesizedStack) -> None:
    for logical_id in every_stack.of_type("AWS::S3::Bucket"):
        denies = [s for s in _policy(every_stack, logical_id) if s["Effect"] == "Deny"]
        conditions = [s.get("Condition") for s in denies]  # the lock deny has none
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions, logical_id
        assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in conditions, logical_id


@pytest.mark.parametrize(
    ("role", "prefix"),
    [
        ("web_bucket", "webacclog/"),
        ("data_bucket", "dataacclog/"),
        ("application_bucket", "appacclog/"),
        ("backup_bucket", "bkacclog/"),
        ("cloudtrail_bucket", "ctacclog/"),
    ],
)
def test_mp_s3_01_03_server_access_logs_to_log_bucket(
    stack: SynthesizedStack, role: str, prefix: str
) -> None:
    """MP-S3-01, MP-S3-02, MP-S3-03, MP-S3-04, MP-S3-06: access logs under the design's
    prefixes, granted to S3 log delivery by the log bucket's policy."""
    log_id, _ = _bucket(stack, stack.names.log_bucket)
    bucket_id, bucket = _bucket(stack, getattr(stack.names, role))
    assert bucket["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_id},
        "LogFilePrefix": prefix,
    }
    grants = [
        s
        for s in _allows(stack, stack.names.log_bucket)
        if s["Principal"] == {"Service": "logging.s3.amazonaws.com"}
        and s["Condition"]["ArnLike"]["aws:SourceArn"] == {"Fn::GetAtt": [bucket_id, "Arn"]}
    ]
    assert len(grants) == 1
    assert grants[0]["Resource"]["Fn::Join"][1][-1] == f"/{prefix}*"


def test_mp_s3_01_web_bucket_readable_by_the_website_distribution_only(
    stack: SynthesizedStack,
) -> None:
    """OAC: CloudFront reads objects, for the website distribution's ARN only; no website
    hosting (docs/decisions/0004)."""
    _, web = _bucket(stack, stack.names.web_bucket)
    assert "WebsiteConfiguration" not in web["Properties"]
    (allow,) = _allows(stack, stack.names.web_bucket)
    assert allow["Principal"] == {"Service": "cloudfront.amazonaws.com"}
    assert _actions(allow) == {"s3:GetObject"}
    source = allow["Condition"]["StringEquals"]["AWS:SourceArn"]["Fn::Join"][1]
    web_distribution, _ = next(
        (lid, r)
        for lid, r in stack.of_type("AWS::CloudFront::Distribution").items()
        if r["Properties"]["DistributionConfig"]["Comment"] == stack.names.web_distribution
    )
    assert source[-1] == {"Ref": web_distribution}


def test_mp_s3_02_data_bucket_read_write_for_the_api_role_only(stack: SynthesizedStack) -> None:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.api_role)
    (allow,) = _allows(stack, stack.names.data_bucket)
    assert allow["Principal"] == {"AWS": {"Fn::GetAtt": [role_id, "Arn"]}}
    assert _actions(allow) == {
        "s3:GetObject",
        "s3:GetObjectVersion",
        "s3:GetObjectTagging",
        "s3:GetObjectVersionTagging",
        "s3:PutObject",
        "s3:DeleteObject",
        "s3:DeleteObjectVersion",  # an upload that is not the file declared (GL-REL-01)
    }


def test_mp_s3_03_application_bucket_read_only_for_the_api_role(stack: SynthesizedStack) -> None:
    role_id, _ = stack.named("AWS::IAM::Role", "RoleName", stack.names.api_role)
    (allow,) = _allows(stack, stack.names.application_bucket)
    assert allow["Principal"] == {"AWS": {"Fn::GetAtt": [role_id, "Arn"]}}
    assert _actions(allow) == {"s3:GetObject"}


def test_mp_s3_04_backup_bucket_versioned_and_replicated_to_osaka_in_production(
    stack: SynthesizedStack,
) -> None:
    _, backup = _bucket(stack, stack.names.backup_bucket)
    props = backup["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (allow,) = _allows(stack, stack.names.backup_bucket)
    assert _actions(allow) == {"s3:GetObject"}
    if not stack.config.replicate_backups:
        assert "ReplicationConfiguration" not in props
        return
    (rule,) = props["ReplicationConfiguration"]["Rules"]
    assert rule["Status"] == "Enabled"
    destination = rule["Destination"]["Bucket"]["Fn::Join"][1]
    assert destination[-1] == f":s3:::{stack.names.dr_backup_bucket}"


def test_mp_s3_04_osaka_dr_bucket_versioned_and_logged(dr: SynthesizedStack) -> None:
    log_id, log = _bucket(dr, dr.names.dr_log_bucket)
    _, backup = _bucket(dr, dr.names.dr_backup_bucket)
    assert backup["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    assert backup["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_id},
        "LogFilePrefix": names.ACCESS_LOG_PREFIX_BACKUP,
    }
    assert [
        r["ExpirationInDays"] for r in log["Properties"]["LifecycleConfiguration"]["Rules"]
    ] == [761]


def _expiry(bucket: Resource) -> list[int]:
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    return [r["ExpirationInDays"] for r in rules if r["Status"] == "Enabled"]


def test_mp_s3_05_log_bucket_expires_after_761_days(stack: SynthesizedStack) -> None:
    """Current versions expire after 761 days; the bucket is unversioned, so expiry deletes."""
    _, log = _bucket(stack, stack.names.log_bucket)
    assert _expiry(log) == [761]
    assert "VersioningConfiguration" not in log["Properties"]


def test_mp_s3_05_every_log_bucket_expires_after_761_days(every_stack: SynthesizedStack) -> None:
    for bucket in every_stack.of_type("AWS::S3::Bucket").values():
        name = bucket["Properties"]["BucketName"]
        if name.startswith("aws-waf-logs-") or "-log" in name or "cloudtrail" in name:
            assert _expiry(bucket) == [761], name


def test_mp_s3_06_cloudtrail_bucket_written_by_the_trail_only(stack: SynthesizedStack) -> None:
    _, bucket = _bucket(stack, stack.names.cloudtrail_bucket)
    assert _expiry(bucket) == [761]
    allows = _allows(stack, stack.names.cloudtrail_bucket)
    assert {s["Principal"]["Service"] for s in allows} == {"cloudtrail.amazonaws.com"}
    assert set().union(*(_actions(s) for s in allows)) == {"s3:GetBucketAcl", "s3:PutObject"}
    for statement in allows:
        trail = statement["Condition"]["StringEquals"]["aws:SourceArn"]["Fn::Join"][1][-1]
        assert trail == f":trail/{stack.names.trail}"


def test_mp_s3_02_app_asg_02_data_bucket_versioned_and_takes_browser_uploads(
    stack: SynthesizedStack,
) -> None:
    """Verdict tags sit on exact versions (MP-AV-02); the SPA POSTs files to the bucket."""
    _, data = _bucket(stack, stack.names.data_bucket)
    props = data["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    (rule,) = props["CorsConfiguration"]["CorsRules"]
    assert rule["AllowedMethods"] == ["POST"]
    assert rule["AllowedOrigins"] == [stack.config.web_origin]
