"""Every CloudFormation resource type the local mode knows, in one place.

A type is either PROVISIONED (created in the emulator with the template's own properties) or
NOT_EMULATED (with the reason why the local system still behaves like the cloud without it).
A type in neither list stops provisioning: a new construct must be classified on purpose, so the
local and the cloud system never drift apart silently.
"""

from __future__ import annotations

from enum import StrEnum


class Handling(StrEnum):
    PROVISIONED = "provisioned"
    NOT_EMULATED = "not emulated"


PROVISIONED: frozenset[str] = frozenset(
    {
        "AWS::DynamoDB::Table",
        "AWS::S3::Bucket",
        "AWS::Cognito::UserPool",
        "AWS::Cognito::UserPoolClient",
        "AWS::Cognito::UserPoolGroup",
        "AWS::SQS::Queue",
        "AWS::SNS::Topic",
        "AWS::KMS::Key",  # the alert topic names it
        # CDK's helper for S3 event notifications; its properties are already in the S3 API shape.
        "Custom::S3BucketNotifications",
    }
)

_GATEWAY = "served by the local API gateway (manabi_local.gateway) from the template's tree"
_IAM = "moto does not enforce IAM; the handler runs in-process with local credentials"
_MONITORING = "monitoring and alerting exist only in the cloud"

NOT_EMULATED: dict[str, str] = {
    # The API function runs in-process: Lambda invoke in moto needs Docker.
    "AWS::Lambda::Function": "run in-process by the local gateway (moto's Lambda needs Docker)",
    "AWS::Lambda::Permission": "the local gateway calls the handler directly",
    "AWS::Lambda::EventSourceMapping": (
        "the local scan worker (manabi_local.scanning) long-polls the scan queue and calls the "
        "same scanner handler in-process, reporting partial batch failures the same way"
    ),
    "AWS::Events::Rule": (
        "schedules (the scan reconciler, the hourly definitions updater, the daily backups) and "
        "AWS Health rules run only in the cloud (make dr-drill runs the backups locally); "
        "locally the updater runs once at start and the scan worker retries failed messages "
        "after 3 s"
    ),
    "AWS::SQS::QueuePolicy": _IAM + " (the TLS-only deny has no local counterpart)",
    "AWS::ApiGateway::RestApi": _GATEWAY,
    "AWS::ApiGateway::Resource": _GATEWAY,
    "AWS::ApiGateway::Method": _GATEWAY,
    "AWS::ApiGateway::Authorizer": _GATEWAY + " (Cognito JWT checked against the JWKS)",
    "AWS::ApiGateway::GatewayResponse": _GATEWAY,
    "AWS::ApiGateway::Deployment": "the local gateway serves the template as it is; no deployments",
    "AWS::ApiGateway::Stage": "one implicit stage; its name is copied into requestContext.stage",
    "AWS::ApiGateway::RequestValidator": "the handler validates every request body itself",
    "AWS::ApiGateway::Model": "the handler validates every request body itself",
    "AWS::ApiGateway::Account": "account-wide CloudWatch role of API Gateway; cloud only",
    "AWS::IAM::Role": _IAM,
    "AWS::IAM::Policy": _IAM,
    "AWS::IAM::ManagedPolicy": _IAM,
    "AWS::Logs::LogGroup": "local logs go to the console",
    "AWS::ApplicationAutoScaling::ScalableTarget": "capacity is not limited locally",
    "AWS::ApplicationAutoScaling::ScalingPolicy": "capacity is not limited locally",
    "AWS::S3::BucketPolicy": (
        "moto evaluates bucket policies wrongly (conditions ignored); the application enforces "
        "the same rules and the infra tests prove the cloud policy (docs/decisions/0020)"
    ),
    "AWS::CloudWatch::Alarm": _MONITORING,
    "AWS::CloudWatch::Dashboard": _MONITORING,
    "AWS::Logs::QueryDefinition": (
        _MONITORING + " (saved Logs Insights queries over the functions' CloudWatch log groups)"
    ),
    "AWS::SNS::Subscription": _MONITORING + " (the operators' e-mail)",
    "AWS::SNS::TopicPolicy": _IAM + " (the TLS-only deny has no local counterpart)",
    "AWS::GuardDuty::MalwareProtectionPlan": (
        "the optional GuardDuty backend is cloud only; the local system scans with clamd"
    ),
    "AWS::WAFv2::WebACL": "edge protection exists only in the cloud",
    "AWS::WAFv2::WebACLAssociation": "edge protection exists only in the cloud",
    "AWS::WAFv2::LoggingConfiguration": "edge protection exists only in the cloud",
    "AWS::CloudFront::Distribution": "manabi_local.web and the local gateway are the two origins",
    "AWS::CloudFront::Function": "manabi_local.web answers SPA routes with index.html itself",
    "AWS::CloudFront::ResponseHeadersPolicy": (
        "manabi_local.web sends the same security headers (manabi_contract.site) itself"
    ),
    "AWS::CloudFront::OriginAccessControl": "no CloudFront locally; the SPA is served from disk",
    "AWS::SecretsManager::Secret": "holds the CloudFront origin header; no CloudFront locally",
    "AWS::SecretsManager::RotationSchedule": (
        "rotates the CloudFront origin header (GL-SEC-05); no CloudFront locally"
    ),
    "AWS::SecretsManager::ResourcePolicy": _IAM,
    "AWS::CloudTrail::Trail": (
        "the audit trail (GL-SEC-03) records AWS API calls of the account; cloud only"
    ),
    "AWS::Route53::RecordSet": "local URLs are 127.0.0.1 ports; DNS exists only in the cloud",
    "AWS::ResourceGroups::Group": "a console view of tagged resources; cloud only",
    "AWS::CDK::Metadata": "CDK bookkeeping, no resource",
    # Helper resources CDK adds around the real ones (their provider functions are
    # AWS::Lambda::Function resources, also not emulated).
    "Custom::LogRetention": "CDK helper that sets log retention; local logs go to the console",
    "Custom::S3AutoDeleteObjects": "CDK helper that empties a bucket on stack deletion",
    "Custom::CDKBucketDeployment": (
        "CDK helper that publishes web/dist and config.json into the web bucket at deploy time; "
        "manabi_local.web serves web/dist from disk with the same cache headers and generates "
        "config.json from the emulator's ids"
    ),
    "AWS::Lambda::LayerVersion": "the AWS CLI layer of CDK's BucketDeployment helper; cloud only",
}


class UnknownResourceTypeError(Exception):
    """A template resource type has not been classified for the local mode."""

    def __init__(self, logical_id: str, resource_type: str) -> None:
        super().__init__(
            f"resource {logical_id} has type {resource_type}, which the local mode neither "
            "provisions nor lists as not emulated. Classify it in "
            "src/manabi_local/provisioning/resource_types.py (PROVISIONED or NOT_EMULATED with a "
            "reason)."
        )
        self.logical_id = logical_id
        self.resource_type = resource_type


def classify(logical_id: str, resource_type: str) -> Handling:
    if resource_type in PROVISIONED:
        return Handling.PROVISIONED
    if resource_type in NOT_EMULATED:
        return Handling.NOT_EMULATED
    raise UnknownResourceTypeError(logical_id, resource_type)
