"""AWS::S3::Bucket and CDK's Custom::S3BucketNotifications."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from manabi_local.provisioning.rules import (
    Created,
    ProvisioningContext,
    ProvisioningError,
    TypeRules,
    existing,
    pick,
    tags,
)
from manabi_local.template import Resource

_BUCKET_PASSED = frozenset(
    {
        "BucketName",
        "CorsConfiguration",
        "VersioningConfiguration",
        "BucketEncryption",
        "PublicAccessBlockConfiguration",
        "OwnershipControls",
        "Tags",
    }
)
_BUCKET_IGNORED = {
    "LoggingConfiguration": "server access logs exist only in the cloud",
    "LifecycleConfiguration": "object ageing takes days; it does not matter locally",
    "ReplicationConfiguration": "cross-region replication to Osaka is cloud only",
    "ObjectLockEnabled": "retention locks are cloud only",
    "ObjectLockConfiguration": "retention locks are cloud only",
    "IntelligentTieringConfigurations": "storage classes do not matter locally",
    "MetricsConfigurations": "monitoring exists only in the cloud",
    "InventoryConfigurations": "inventory reports are cloud only",
    "AnalyticsConfigurations": "storage analytics are cloud only",
    "AccelerateConfiguration": "transfer acceleration is cloud only",
    "WebsiteConfiguration": "the SPA is served by manabi_local.web, not from a bucket",
    "NotificationConfiguration": "CDK configures notifications through "
    "Custom::S3BucketNotifications, which is provisioned on its own",
}


def _bucket(resource: Resource, props: dict[str, Any], ctx: ProvisioningContext) -> Created:
    name: str = props.get("BucketName") or resource.logical_id.lower()
    # Every argument below comes from untyped template JSON; the stubs' TypedDicts add nothing.
    s3: Any = ctx.clients.s3
    if existing(lambda: s3.head_bucket(Bucket=name), "404", "NoSuchBucket") is None:
        s3.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": ctx.region})
    if "CorsConfiguration" in props:
        rules = [
            _cors_rule(rule, ctx.web_origin) for rule in props["CorsConfiguration"]["CorsRules"]
        ]
        s3.put_bucket_cors(Bucket=name, CORSConfiguration={"CORSRules": rules})
    if "VersioningConfiguration" in props:
        status = props["VersioningConfiguration"]["Status"]
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    if "BucketEncryption" in props:
        rules = [
            _encryption_rule(r)
            for r in props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
        ]
        s3.put_bucket_encryption(Bucket=name, ServerSideEncryptionConfiguration={"Rules": rules})
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(
            Bucket=name, PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"]
        )
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=name, OwnershipControls=props["OwnershipControls"])
    if props.get("Tags"):
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": tags(props)})
    return Created(
        name,
        {
            "Arn": f"arn:aws:s3:::{name}",
            "DomainName": f"{name}.s3.amazonaws.com",
            "RegionalDomainName": f"{name}.s3.{ctx.region}.amazonaws.com",
        },
    )


def _encryption_rule(rule: Mapping[str, Any]) -> dict[str, Any]:
    # CloudFormation says ServerSideEncryptionByDefault where the S3 API says Apply….
    converted = pick(rule, "BucketKeyEnabled")
    if "ServerSideEncryptionByDefault" in rule:
        converted["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    return converted


def _cors_rule(rule: Mapping[str, Any], web_origin: str) -> dict[str, Any]:
    """CloudFormation CORS rule -> S3 API rule; the local SPA origin is allowed as well.

    The template allows the cloud website origin; the browser locally comes from web_origin, so it
    is added next to it (same rule, same methods and headers).
    """
    converted = pick(rule, "AllowedHeaders", "AllowedMethods", "AllowedOrigins")
    # CloudFormation's names differ from the S3 API's for these three.
    if "Id" in rule:
        converted["ID"] = rule["Id"]
    if "ExposedHeaders" in rule:
        converted["ExposeHeaders"] = rule["ExposedHeaders"]
    if "MaxAge" in rule:
        converted["MaxAgeSeconds"] = int(rule["MaxAge"])
    origins = list(converted.get("AllowedOrigins", []))
    if "*" not in origins and web_origin not in origins:
        origins.append(web_origin)
    converted["AllowedOrigins"] = origins
    return converted


_NOTIFICATIONS_PASSED = frozenset({"BucketName", "NotificationConfiguration"})
_NOTIFICATIONS_IGNORED = {
    "ServiceToken": "CDK's notifications handler is not run; the bucket gets the configuration "
    "straight from here",
    "Managed": "the local bucket has no notifications other than the template's",
    "SkipDestinationValidation": "destinations exist locally",
}
_NOTIFICATION_TARGETS = {"QueueConfigurations", "TopicConfigurations", "EventBridgeConfiguration"}


def _bucket_notifications(
    resource: Resource, props: dict[str, Any], ctx: ProvisioningContext
) -> Created:
    """CDK's Custom::S3BucketNotifications carries the S3 API shape already."""
    bucket = props["BucketName"]
    configuration = props.get("NotificationConfiguration", {})
    unsupported = set(configuration) - _NOTIFICATION_TARGETS
    if unsupported:
        raise ProvisioningError(
            f"{resource.logical_id}: notification targets {sorted(unsupported)} are not "
            "available locally (Lambda targets need Docker in moto)"
        )
    ctx.clients.s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=configuration
    )
    return Created(f"{bucket}-notifications")


RULES = {
    "AWS::S3::Bucket": TypeRules(_bucket, _BUCKET_PASSED, _BUCKET_IGNORED),
    "Custom::S3BucketNotifications": TypeRules(
        _bucket_notifications, _NOTIFICATIONS_PASSED, _NOTIFICATIONS_IGNORED
    ),
}
