"""Create the template's resources in the emulator, with the template's own properties.

CloudFormation in moto cannot deploy the CDK template (decisions.md), so every PROVISIONED type
has a small function here that turns its CloudFormation properties into the boto3 calls. Each one
declares which properties it passes on and which it ignores (and why); a property in neither set
stops provisioning, exactly like an unknown resource type does. Every function is idempotent: a
second run against the same emulator finds the resources and leaves them as they are.
"""

from __future__ import annotations

import graphlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import boto3
from botocore.exceptions import ClientError

from manabi_infra import names
from manabi_local.emulator import ACCESS_KEY_ID, ACCOUNT_ID, REGION, SECRET_ACCESS_KEY
from manabi_local.resource_types import NOT_EMULATED, Handling, classify
from manabi_local.template import Resolver, Resource, Template, TemplateError, references

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_s3 import S3Client


class ProvisioningError(TemplateError):
    """The template cannot be reproduced locally as it is."""


@dataclass(frozen=True)
class LocalResources:
    """Physical ids of the local resources and the API handler's environment."""

    endpoint: str
    region: str
    account_id: str
    table_name: str
    user_pool_id: str
    user_pool_client_id: str
    buckets: Mapping[str, str]  # logical id -> bucket name
    physical_ids: Mapping[str, str]  # logical id -> what Ref returns
    attributes: Mapping[tuple[str, str], str]  # (logical id, attribute) -> Fn::GetAtt value
    clients_by_pool: Mapping[str, tuple[str, ...]]  # user pool id -> its app client ids
    api_environment: Mapping[str, str]  # resolved Environment.Variables of the API function
    not_emulated: Mapping[str, str] = field(default_factory=dict)  # logical id -> reason

    def resolver(self) -> Resolver:
        return Resolver(
            region=self.region,
            account_id=self.account_id,
            physical_ids=dict(self.physical_ids),
            attributes=dict(self.attributes),
        )


@dataclass(frozen=True)
class Created:
    physical_id: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass
class EmulatorClients:
    """boto3 clients bound to the emulator; created once and shared (provisioner, seed).

    Creating them loads botocore's service models but opens no connection, so the run command
    builds them while the emulator is still booting.
    """

    endpoint: str

    def __post_init__(self) -> None:
        self.session = boto3.session.Session(
            aws_access_key_id=ACCESS_KEY_ID,
            aws_secret_access_key=SECRET_ACCESS_KEY,
            region_name=REGION,
        )
        self.dynamodb: DynamoDBClient = self.session.client("dynamodb", endpoint_url=self.endpoint)
        self.s3: S3Client = self.session.client("s3", endpoint_url=self.endpoint)
        self.cognito: CognitoIdentityProviderClient = self.session.client(
            "cognito-idp", endpoint_url=self.endpoint
        )
        # No type stubs are installed for these two; they are typed as Any on purpose.
        self.sqs: Any = self.session.client("sqs", endpoint_url=self.endpoint)
        self.sns: Any = self.session.client("sns", endpoint_url=self.endpoint)
        self.kms: Any = self.session.client("kms", endpoint_url=self.endpoint)


@dataclass
class _Context:
    clients: EmulatorClients
    resolver: Resolver
    web_origin: str
    region: str = REGION
    account_id: str = ACCOUNT_ID


@dataclass(frozen=True)
class TypeRules:
    """How one PROVISIONED type is created: the function, and what it does with each property."""

    create: Callable[[Resource, _Context], Created]
    passed: frozenset[str]
    ignored: Mapping[str, str]  # property -> why the local mode does without it


def check_properties(resource: Resource, rules: TypeRules) -> None:
    unknown = set(resource.properties) - rules.passed - set(rules.ignored)
    if unknown:
        raise ProvisioningError(
            f"{resource.logical_id} ({resource.type}) has properties the local mode does not "
            f"handle: {', '.join(sorted(unknown))}. Pass them on or ignore them with a reason in "
            "src/manabi_local/provisioner.py."
        )


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))


def _pick(properties: Mapping[str, Any], keys: frozenset[str]) -> dict[str, Any]:
    return {k: v for k, v in properties.items() if k in keys}


def _tags(properties: Mapping[str, Any]) -> list[dict[str, str]]:
    return [{"Key": t["Key"], "Value": str(t["Value"])} for t in properties.get("Tags", [])]


# --- DynamoDB -----------------------------------------------------------------------------------

_TABLE_PASSED = frozenset(
    {
        "TableName",
        "KeySchema",
        "AttributeDefinitions",
        "BillingMode",
        "ProvisionedThroughput",
        "GlobalSecondaryIndexes",
        "LocalSecondaryIndexes",
        "StreamSpecification",
        "SSESpecification",
        "TableClass",
        "DeletionProtectionEnabled",
        "Tags",
        "PointInTimeRecoverySpecification",
        "TimeToLiveSpecification",
    }
)
_TABLE_IGNORED = {
    "ContributorInsightsSpecification": "CloudWatch Contributor Insights is cloud only",
    "KinesisStreamSpecification": "no Kinesis locally",
    "OnDemandThroughput": "capacity caps do not matter locally",
    "WarmThroughput": "capacity does not matter locally",
    "ResourcePolicy": "moto does not enforce IAM",
    "ImportSourceSpecification": "imports are a cloud operation",
}
_INDEX_KEYS = frozenset({"IndexName", "KeySchema", "Projection", "ProvisionedThroughput"})


def _table(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(resource.properties, resource.logical_id)
    name: str = props.get("TableName") or resource.logical_id
    dynamodb = ctx.clients.dynamodb
    try:
        description = dynamodb.describe_table(TableName=name)["Table"]
    except ClientError as error:
        if _error_code(error) != "ResourceNotFoundException":
            raise
        params: dict[str, Any] = {
            "TableName": name,
            "KeySchema": props["KeySchema"],
            "AttributeDefinitions": props["AttributeDefinitions"],
            "BillingMode": props.get("BillingMode", "PROVISIONED"),
        }
        if "ProvisionedThroughput" in props:
            params["ProvisionedThroughput"] = _throughput(props["ProvisionedThroughput"])
        for key in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if key in props:
                params[key] = [_index(index) for index in props[key]]
        if "StreamSpecification" in props:
            view = props["StreamSpecification"]["StreamViewType"]
            params["StreamSpecification"] = {"StreamEnabled": True, "StreamViewType": view}
        if "SSESpecification" in props:
            sse = props["SSESpecification"]
            params["SSESpecification"] = {"Enabled": bool(sse.get("SSEEnabled", False))} | _pick(
                sse, frozenset({"SSEType", "KMSMasterKeyId"})
            )
        for key in ("TableClass", "DeletionProtectionEnabled"):
            if key in props:
                params[key] = props[key]
        if props.get("Tags"):
            params["Tags"] = _tags(props)
        description = dynamodb.create_table(**params)["TableDescription"]
        pitr = props.get("PointInTimeRecoverySpecification", {})
        if pitr.get("PointInTimeRecoveryEnabled"):
            dynamodb.update_continuous_backups(
                TableName=name, PointInTimeRecoverySpecification=pitr
            )
        ttl = props.get("TimeToLiveSpecification", {})
        if ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
            )
    attributes = {"Arn": description["TableArn"]}
    if "LatestStreamArn" in description:
        attributes["StreamArn"] = description["LatestStreamArn"]
    return Created(name, attributes)


def _throughput(raw: Mapping[str, Any]) -> dict[str, int]:
    return {
        "ReadCapacityUnits": int(raw["ReadCapacityUnits"]),
        "WriteCapacityUnits": int(raw["WriteCapacityUnits"]),
    }


def _index(raw: Mapping[str, Any]) -> dict[str, Any]:
    index = _pick(raw, _INDEX_KEYS)
    if "ProvisionedThroughput" in index:
        index["ProvisionedThroughput"] = _throughput(index["ProvisionedThroughput"])
    return index


# --- S3 -----------------------------------------------------------------------------------------

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


def _bucket(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(
        _without(resource.properties, _BUCKET_IGNORED), resource.logical_id
    )
    name: str = props.get("BucketName") or resource.logical_id.lower()
    # Every argument below comes from untyped template JSON; the stubs' TypedDicts add nothing.
    s3: Any = ctx.clients.s3
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as error:
        if _error_code(error) not in {"404", "NoSuchBucket"}:
            raise
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
        s3.put_bucket_tagging(Bucket=name, Tagging={"TagSet": _tags(props)})
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
    converted = _pick(rule, frozenset({"BucketKeyEnabled"}))
    if "ServerSideEncryptionByDefault" in rule:
        converted["ApplyServerSideEncryptionByDefault"] = rule["ServerSideEncryptionByDefault"]
    return converted


def _cors_rule(rule: Mapping[str, Any], web_origin: str) -> dict[str, Any]:
    """CloudFormation CORS rule -> S3 API rule; the local SPA origin is allowed as well.

    The template allows the cloud website origin; the browser locally comes from web_origin, so it
    is added next to it (same rule, same methods and headers).
    """
    converted: dict[str, Any] = _pick(
        rule, frozenset({"AllowedHeaders", "AllowedMethods", "AllowedOrigins"})
    )
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


def _without(properties: Mapping[str, Any], ignored: Mapping[str, str]) -> dict[str, Any]:
    # Ignored properties may refer to resources that have no local counterpart (log buckets,
    # IAM roles …); they are dropped before resolving so they cannot fail the resolution.
    return {k: v for k, v in properties.items() if k not in ignored}


_NOTIFICATIONS_PASSED = frozenset({"ServiceToken", "BucketName", "NotificationConfiguration"})
_NOTIFICATIONS_IGNORED = {
    "Managed": "the local bucket has no notifications other than the template's",
    "SkipDestinationValidation": "destinations exist locally",
}


def _bucket_notifications(resource: Resource, ctx: _Context) -> Created:
    """CDK's Custom::S3BucketNotifications carries the S3 API shape already."""
    bucket = ctx.resolver.resolve(resource.properties["BucketName"], resource.logical_id)
    configuration = ctx.resolver.resolve(
        resource.properties.get("NotificationConfiguration", {}), resource.logical_id
    )
    allowed = {"QueueConfigurations", "TopicConfigurations", "EventBridgeConfiguration"}
    unsupported = set(configuration) - allowed
    if unsupported:
        raise ProvisioningError(
            f"{resource.logical_id}: notification targets {sorted(unsupported)} are not "
            "available locally (Lambda targets need Docker in moto)"
        )
    ctx.clients.s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration=configuration
    )
    return Created(f"{bucket}-notifications")


# --- SQS and SNS --------------------------------------------------------------------------------

_QUEUE_ATTRIBUTES = frozenset(
    {
        "DelaySeconds",
        "MaximumMessageSize",
        "MessageRetentionPeriod",
        "ReceiveMessageWaitTimeSeconds",
        "VisibilityTimeout",
        "FifoQueue",
        "ContentBasedDeduplication",
        "DeduplicationScope",
        "FifoThroughputLimit",
        "SqsManagedSseEnabled",
        "KmsMasterKeyId",
        "KmsDataKeyReusePeriodSeconds",
        "RedrivePolicy",
        "RedriveAllowPolicy",
    }
)


def _queue(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(resource.properties, resource.logical_id)
    name: str = props.get("QueueName") or resource.logical_id
    attributes = {
        key: json.dumps(value) if isinstance(value, dict) else _attribute_string(value)
        for key, value in props.items()
        if key in _QUEUE_ATTRIBUTES
    }
    tags = {t["Key"]: t["Value"] for t in _tags(props)}
    url: str = ctx.clients.sqs.create_queue(
        QueueName=name, Attributes=attributes, **({"tags": tags} if tags else {})
    )["QueueUrl"]
    arn = f"arn:aws:sqs:{ctx.region}:{ctx.account_id}:{name}"
    return Created(url, {"Arn": arn, "QueueName": name, "QueueUrl": url})


def _attribute_string(value: Any) -> str:
    return str(value).lower() if isinstance(value, bool) else str(value)


_TOPIC_PASSED = frozenset({"TopicName", "DisplayName", "KmsMasterKeyId", "FifoTopic", "Tags"})
_TOPIC_IGNORED = {
    "Subscription": "subscriptions (alert e-mails) have no local recipient",
    "TracingConfig": "X-Ray is cloud only",
}


def _topic(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(_without(resource.properties, _TOPIC_IGNORED), resource.logical_id)
    name: str = props.get("TopicName") or resource.logical_id
    attributes = {
        key: _attribute_string(props[key])
        for key in ("DisplayName", "KmsMasterKeyId", "FifoTopic")
        if key in props
    }
    arn: str = ctx.clients.sns.create_topic(Name=name, Attributes=attributes)["TopicArn"]
    return Created(arn, {"TopicArn": arn, "TopicName": name})


_KEY_PASSED = frozenset({"Description", "EnableKeyRotation", "KeyUsage", "KeySpec", "Tags"})
_KEY_IGNORED = {"KeyPolicy": "moto does not enforce key policies (IAM)"}


def _key(resource: Resource, ctx: _Context) -> Created:
    """A KMS key (the alert topic's): created so the resources that name it resolve."""
    props = ctx.resolver.resolve(_without(resource.properties, _KEY_IGNORED), resource.logical_id)
    kms = ctx.clients.kms
    # Keys have no names: a local alias finds the key again when provisioning runs twice.
    alias = f"alias/manabi-local/{resource.logical_id}"
    try:
        key = kms.describe_key(KeyId=alias)["KeyMetadata"]
    except ClientError as error:
        if _error_code(error) != "NotFoundException":
            raise
        extra = {k: props[k] for k in ("Description", "KeyUsage", "KeySpec") if k in props}
        key = kms.create_key(**extra)["KeyMetadata"]
        kms.create_alias(AliasName=alias, TargetKeyId=key["KeyId"])
        if props.get("EnableKeyRotation"):
            kms.enable_key_rotation(KeyId=key["KeyId"])
    return Created(key["KeyId"], {"Arn": key["Arn"], "KeyId": key["KeyId"]})


# --- Cognito ------------------------------------------------------------------------------------

_POOL_PASSED = frozenset(
    {
        "UserPoolName",
        "Policies",
        "Schema",
        "AliasAttributes",
        "UsernameAttributes",
        "UsernameConfiguration",
        "AutoVerifiedAttributes",
        "VerificationMessageTemplate",
        "EmailVerificationMessage",
        "EmailVerificationSubject",
        "SmsVerificationMessage",
        "SmsAuthenticationMessage",
        "AdminCreateUserConfig",
        "AccountRecoverySetting",
        "MfaConfiguration",
        "DeviceConfiguration",
        "UserAttributeUpdateSettings",
        "DeletionProtection",
        "UserPoolTags",
        "UserPoolTier",
    }
)
_POOL_IGNORED = {
    "LambdaConfig": "Cognito Lambda triggers never run in moto (decisions.md)",
    "SmsConfiguration": "no SMS locally (its IAM role has no local counterpart)",
    "EmailConfiguration": "no e-mail locally; moto accepts any confirmation code",
    "EnabledMfas": "demo accounts sign in without MFA locally",
    "UserPoolAddOns": "threat protection is cloud only",
    "WebAuthnRelyingPartyID": "passkeys are cloud only",
    "WebAuthnUserVerification": "passkeys are cloud only",
}


def _user_pool(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(_without(resource.properties, _POOL_IGNORED), resource.logical_id)
    name: str = props.pop("UserPoolName", None) or resource.logical_id
    cognito = ctx.clients.cognito
    existing = [
        pool["Id"]
        for page in cognito.get_paginator("list_user_pools").paginate(
            PaginationConfig={"PageSize": 60}
        )
        for pool in page["UserPools"]
        if pool["Name"] == name
    ]
    if existing:
        pool_id = existing[0]
        arn = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]["Arn"]
    else:
        created = cognito.create_user_pool(PoolName=name, **props)["UserPool"]
        pool_id, arn = created["Id"], created["Arn"]
    provider = f"cognito-idp.{ctx.region}.amazonaws.com/{pool_id}"
    return Created(
        pool_id,
        {
            "Arn": arn,
            "ProviderName": provider,
            "ProviderURL": f"https://{provider}",
            "UserPoolId": pool_id,
        },
    )


_CLIENT_PASSED = frozenset(
    {
        "ClientName",
        "UserPoolId",
        "GenerateSecret",
        "RefreshTokenValidity",
        "AccessTokenValidity",
        "IdTokenValidity",
        "TokenValidityUnits",
        "ReadAttributes",
        "WriteAttributes",
        "ExplicitAuthFlows",
        "SupportedIdentityProviders",
        "CallbackURLs",
        "LogoutURLs",
        "DefaultRedirectURI",
        "AllowedOAuthFlows",
        "AllowedOAuthScopes",
        "AllowedOAuthFlowsUserPoolClient",
        "PreventUserExistenceErrors",
        "EnableTokenRevocation",
        "EnablePropagateAdditionalUserContextData",
        "AuthSessionValidity",
    }
)
# Every Cognito user pool has these, whatever its Schema lists.
COGNITO_STANDARD_ATTRIBUTES = frozenset(
    {
        "address",
        "birthdate",
        "email",
        "email_verified",
        "family_name",
        "gender",
        "given_name",
        "locale",
        "middle_name",
        "name",
        "nickname",
        "phone_number",
        "phone_number_verified",
        "picture",
        "preferred_username",
        "profile",
        "updated_at",
        "website",
        "zoneinfo",
    }
)
_CLIENT_IGNORED = {
    "AnalyticsConfiguration": "Pinpoint analytics are cloud only",
    "RefreshTokenRotation": "not modelled by moto",
}


def _user_pool_client(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(
        _without(resource.properties, _CLIENT_IGNORED), resource.logical_id
    )
    pool_id: str = props.pop("UserPoolId")
    name: str = props.pop("ClientName", None) or resource.logical_id
    cognito = ctx.clients.cognito
    existing = [
        client["ClientId"]
        for page in cognito.get_paginator("list_user_pool_clients").paginate(
            UserPoolId=pool_id, PaginationConfig={"PageSize": 60}
        )
        for client in page["UserPoolClients"]
        if client["ClientName"] == name
    ]
    if "ReadAttributes" not in props:
        # Cognito treats a client without ReadAttributes as reading every attribute, so the ID
        # token carries email, email_verified …; moto copies only the listed ones into the
        # token. Listing the pool's attributes keeps the cloud's token contents.
        pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
        custom = {
            a["Name"] for a in pool.get("SchemaAttributes", []) if a["Name"].startswith("custom:")
        }
        props["ReadAttributes"] = sorted(COGNITO_STANDARD_ATTRIBUTES | custom)
    if existing:
        client_id = existing[0]
    else:
        client_id = cognito.create_user_pool_client(UserPoolId=pool_id, ClientName=name, **props)[
            "UserPoolClient"
        ]["ClientId"]
    public = "false" if props.get("GenerateSecret") else "true"
    return Created(
        client_id, {"ClientId": client_id, "Name": name, "UserPoolId": pool_id, "Public": public}
    )


_GROUP_PASSED = frozenset({"GroupName", "UserPoolId", "Description", "Precedence"})
_GROUP_IGNORED = {"RoleArn": "moto does not enforce IAM; no identity pool locally"}


def _user_pool_group(resource: Resource, ctx: _Context) -> Created:
    props = ctx.resolver.resolve(_without(resource.properties, _GROUP_IGNORED), resource.logical_id)
    name: str = props.get("GroupName") or resource.logical_id
    pool_id: str = props["UserPoolId"]
    cognito = ctx.clients.cognito
    try:
        cognito.get_group(GroupName=name, UserPoolId=pool_id)
    except ClientError as error:
        if _error_code(error) != "ResourceNotFoundException":
            raise
        extra = {k: props[k] for k in ("Description", "Precedence") if k in props}
        if "Precedence" in extra:
            extra["Precedence"] = int(extra["Precedence"])
        cognito.create_group(GroupName=name, UserPoolId=pool_id, **extra)
    return Created(name, {"UserPoolId": pool_id})


# --- the walk -----------------------------------------------------------------------------------

# Keys must equal resource_types.PROVISIONED (a unit test checks it).
RULES: dict[str, TypeRules] = {
    "AWS::DynamoDB::Table": TypeRules(_table, _TABLE_PASSED, _TABLE_IGNORED),
    "AWS::S3::Bucket": TypeRules(_bucket, _BUCKET_PASSED, _BUCKET_IGNORED),
    "Custom::S3BucketNotifications": TypeRules(
        _bucket_notifications, _NOTIFICATIONS_PASSED, _NOTIFICATIONS_IGNORED
    ),
    "AWS::SQS::Queue": TypeRules(_queue, _QUEUE_ATTRIBUTES | {"QueueName", "Tags"}, {}),
    "AWS::SNS::Topic": TypeRules(_topic, _TOPIC_PASSED, _TOPIC_IGNORED),
    "AWS::KMS::Key": TypeRules(_key, _KEY_PASSED, _KEY_IGNORED),
    "AWS::Cognito::UserPool": TypeRules(_user_pool, _POOL_PASSED, _POOL_IGNORED),
    "AWS::Cognito::UserPoolClient": TypeRules(_user_pool_client, _CLIENT_PASSED, _CLIENT_IGNORED),
    "AWS::Cognito::UserPoolGroup": TypeRules(_user_pool_group, _GROUP_PASSED, _GROUP_IGNORED),
}


def plan(template: Template) -> tuple[list[Resource], dict[str, str]]:
    """Classify every resource; return the ones to create (dependencies first) and the others.

    Raises UnknownResourceTypeError (unclassified type) or ProvisioningError (unhandled property)
    before anything is created, so a template the local mode does not understand leaves the
    emulator untouched.
    """
    to_create: dict[str, Resource] = {}
    skipped: dict[str, str] = {}
    for resource in template.resources():
        if classify(resource.logical_id, resource.type) is Handling.PROVISIONED:
            check_properties(resource, RULES[resource.type])
            to_create[resource.logical_id] = resource
        else:
            skipped[resource.logical_id] = NOT_EMULATED[resource.type]
    graph = {
        logical_id: {
            d
            for d in references(resource.properties) | set(resource.depends_on)
            if d in to_create and d != logical_id
        }
        for logical_id, resource in to_create.items()
    }
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        raise ProvisioningError(
            f"reference cycle between provisioned resources: {error.args[1]}"
        ) from None
    return [to_create[logical_id] for logical_id in order], skipped


def api_function(template: Template) -> Resource:
    """The API Lambda function: the one whose Handler is names.API_HANDLER."""
    found = [
        f
        for f in template.of_type("AWS::Lambda::Function")
        if f.properties.get("Handler") == names.API_HANDLER
    ]
    if len(found) != 1:
        raise ProvisioningError(
            f"expected exactly one AWS::Lambda::Function with Handler {names.API_HANDLER}, "
            f"found {len(found)}"
        )
    return found[0]


def provision(
    template: Template,
    endpoint: str,
    *,
    web_origin: str,
    clients: EmulatorClients | None = None,
) -> LocalResources:
    """Create (or find) every PROVISIONED resource of `template` in the emulator at `endpoint`."""
    to_create, skipped = plan(template)
    function = api_function(template)
    ctx = _Context(
        clients=clients or EmulatorClients(endpoint),
        resolver=Resolver(region=REGION, account_id=ACCOUNT_ID),
        web_origin=web_origin,
    )
    clients_by_pool: dict[str, list[str]] = {}
    public_clients: set[str] = set()
    for resource in to_create:
        created = RULES[resource.type].create(resource, ctx)
        ctx.resolver.physical_ids[resource.logical_id] = created.physical_id
        for attribute, value in created.attributes.items():
            ctx.resolver.attributes[(resource.logical_id, attribute)] = value
        if resource.type == "AWS::Cognito::UserPoolClient":
            pool = created.attributes["UserPoolId"]
            clients_by_pool.setdefault(pool, []).append(created.physical_id)
            if created.attributes["Public"] == "true":
                public_clients.add(created.physical_id)

    variables = function.properties.get("Environment", {}).get("Variables", {})
    environment = {
        key: str(ctx.resolver.resolve(value, f"{function.logical_id}.Environment.{key}"))
        for key, value in variables.items()
    }
    for required in (names.ENV_TABLE_NAME, names.ENV_USER_POOL_ID):
        if required not in environment:
            raise ProvisioningError(
                f"{function.logical_id} has no {required} in Environment.Variables"
            )
    pool_id = environment[names.ENV_USER_POOL_ID]
    # The SPA's client is the pool's first client without a secret (a browser cannot keep one).
    pool_clients = [c for c in clients_by_pool.get(pool_id, []) if c in public_clients]
    if not pool_clients:
        raise ProvisioningError(
            f"the template has no AWS::Cognito::UserPoolClient without a secret for {pool_id}"
        )
    return LocalResources(
        endpoint=endpoint,
        region=REGION,
        account_id=ACCOUNT_ID,
        table_name=environment[names.ENV_TABLE_NAME],
        user_pool_id=pool_id,
        user_pool_client_id=pool_clients[0],
        buckets={
            r.logical_id: ctx.resolver.physical_ids[r.logical_id]
            for r in to_create
            if r.type == "AWS::S3::Bucket"
        },
        physical_ids=dict(ctx.resolver.physical_ids),
        attributes=dict(ctx.resolver.attributes),
        clients_by_pool={pool: tuple(ids) for pool, ids in clients_by_pool.items()},
        api_environment=environment,
        not_emulated=skipped,
    )
