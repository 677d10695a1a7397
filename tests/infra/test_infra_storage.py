"""MP-S3-01..03, MP-S3-05: bucket names, public access, TLS, encryption, access logs."""

from __future__ import annotations

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


def test_mp_s3_bucket_names_follow_the_design(stack: SynthesizedStack) -> None:
    prefix = stack.config.prefix
    suffix = stack.config.bucket_suffix
    found = {r["Properties"]["BucketName"] for r in stack.of_type("AWS::S3::Bucket").values()}
    assert found == {
        f"{prefix}-manabiplus-{role}{suffix}" for role in ("web", "data", "application", "log")
    }


def test_mp_s3_all_buckets_private_encrypted_acls_disabled_retained(
    stack: SynthesizedStack,
) -> None:
    for logical_id, bucket in stack.of_type("AWS::S3::Bucket").items():
        props = bucket["Properties"]
        assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL, logical_id
        (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        assert rule["ServerSideEncryptionByDefault"] == {"SSEAlgorithm": "AES256"}, logical_id
        assert props["OwnershipControls"] == {
            "Rules": [{"ObjectOwnership": "BucketOwnerEnforced"}]
        }, logical_id
        assert bucket["DeletionPolicy"] == "Retain", logical_id


def test_mp_s3_all_buckets_deny_plain_http_and_old_tls(stack: SynthesizedStack) -> None:
    policies = {
        p["Properties"]["Bucket"]["Ref"]: p["Properties"]["PolicyDocument"]["Statement"]
        for p in stack.of_type("AWS::S3::BucketPolicy").values()
    }
    for logical_id in stack.of_type("AWS::S3::Bucket"):
        denies = [s for s in policies[logical_id] if s["Effect"] == "Deny"]
        conditions = [s["Condition"] for s in denies]
        assert {"Bool": {"aws:SecureTransport": "false"}} in conditions, logical_id
        assert {"NumericLessThan": {"s3:TlsVersion": 1.2}} in conditions, logical_id


@pytest.mark.parametrize(
    ("role", "prefix"),
    [
        ("web_bucket", names.ACCESS_LOG_PREFIX_WEB),
        ("data_bucket", names.ACCESS_LOG_PREFIX_DATA),
        ("application_bucket", names.ACCESS_LOG_PREFIX_APPLICATION),
    ],
)
def test_mp_s3_01_03_server_access_logs_to_log_bucket(
    stack: SynthesizedStack, role: str, prefix: str
) -> None:
    """MP-S3-01, MP-S3-02, MP-S3-03: web, data and application buckets log to the log bucket."""
    log_id, _ = _bucket(stack, stack.names.log_bucket)
    _, bucket = _bucket(stack, getattr(stack.names, role))
    assert bucket["Properties"]["LoggingConfiguration"] == {
        "DestinationBucketName": {"Ref": log_id},
        "LogFilePrefix": prefix,
    }
    assert prefix.rstrip("/") in {"webacclog", "dataacclog", "appacclog"}


def test_mp_s3_05_log_bucket_expires_after_761_days(stack: SynthesizedStack) -> None:
    _, log = _bucket(stack, stack.names.log_bucket)
    rules = log["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [r["ExpirationInDays"] for r in rules if r["Status"] == "Enabled"] == [761]
