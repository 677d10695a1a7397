"""Resource names, shared by the CDK app, the local provisioner and the tests.

The design fixes the bucket names (`{env}-manabiplus-web` …); a configurable suffix keeps them
globally unique. Every other physical name follows the same `{prefix}-manabiplus-{role}` pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

from manabi_infra.config import EnvironmentConfig

PROJECT_TAG = "Manabi Plus"
SYSTEM = "manabiplus"
API_SERVICE = "manabi-api"
METRICS_NAMESPACE = "ManabiPlus"
API_HANDLER = "manabi_api.handler.lambda_handler"

# Cognito groups (MP-COG-08)
GROUP_LEARNERS = "learners"
GROUP_TEACHERS = "teachers"
GROUP_ADMINS = "admins"
GROUPS = (GROUP_LEARNERS, GROUP_TEACHERS, GROUP_ADMINS)

# Environment variables of the API Lambda (read only in manabi_api.wiring)
ENV_TABLE_NAME = "TABLE_NAME"
ENV_DATA_BUCKET = "DATA_BUCKET"
ENV_SCAN_QUEUE_URL = "SCAN_QUEUE_URL"  # the API asks for scans again; the reconciler re-queues
ENV_APPLICATION_BUCKET = "APPLICATION_BUCKET"
ENV_USER_POOL_ID = "USER_POOL_ID"
ENV_ALLOWED_ORIGIN = "ALLOWED_ORIGIN"
ENV_STAGE = "MANABI_ENV"
ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL = "LOG_LEVEL"

# What the API does with the data bucket's objects (MP-S3-02): presigned uploads (PutObject),
# completion and download checks of exact versions and their verdict tags, deletes.
API_DATA_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObject",
    "s3:DeleteObject",
)

# The scanner (MP-AV-01..04): handler, uploads' key prefix, verdict tag keys.
SCANNER_HANDLER = "manabi_scanner.handler.lambda_handler"
SUBMISSIONS_PREFIX = "submissions/"
AV_STATUS_TAG = "av-status"
ENV_MAX_SCAN_BYTES = "MAX_SCAN_BYTES"
SCANNER_SERVICE = "manabi-scanner"  # Powertools service name: the `service` metric dimension
# Virus definitions (MP-AV-04): the updater publishes each set under `definitions/<version>/`
# of the definitions bucket with a `manifest.json` written last; scanners load the newest.
UPDATER_HANDLER = "manabi_scanner.updater.lambda_handler"
DEFINITIONS_PREFIX = "definitions/"
ENV_DEFINITIONS_BUCKET = "DEFINITIONS_BUCKET"
ENV_CLAMAV_MIRROR = "CLAMAV_MIRROR_URL"
ENV_UPDATE_AFTER_HOURS = "DEFINITIONS_UPDATE_AFTER_HOURS"
ENV_DEFINITIONS_REFRESH_MINUTES = "DEFINITIONS_REFRESH_MINUTES"
DEFINITIONS_AGE_METRIC = "VirusDefinitionsAgeHours"
# GuardDuty Malware Protection for S3 (optional backend): its scan results → av-* verdict tags.
GUARDDUTY_VERDICT_HANDLER = "manabi_scanner.guardduty.lambda_handler"
GUARDDUTY_VERDICT_SOURCE = "guardduty"  # the av-db-version of GuardDuty's verdicts

# Tag keys (MP-TAG-01). The design spells the first one `Projct`: a typo, `Project` is used.
TAG_PROJECT = "Project"
TAG_ENVIRONMENT = "Environment"
TAG_SYSTEM = "System"
# Cost-allocation tags of the guideline (MP-TAG-01): what a resource is for, and what its data is.
TAG_FUNCTION = "Function"
TAG_DATA_CLASSIFICATION = "DataClassification"
FUNCTION_FRONTEND = "frontend"
FUNCTION_BACKEND = "backend"
FUNCTION_SECURITY = "security"
FUNCTION_OPS = "ops"
FUNCTIONS = (FUNCTION_FRONTEND, FUNCTION_BACKEND, FUNCTION_SECURITY, FUNCTION_OPS)
# Data classifications of the guideline (GL-AUD-01); tag values are ASCII, the inventory shows
# the Japanese labels.
CLASS_PUBLIC = "Public"
CLASS_INTERNAL = "Internal"
CLASS_CONFIDENTIAL = "Confidential"
CLASS_PERSONAL = "PersonalData"
CLASSIFICATION_LABELS = {
    CLASS_PUBLIC: "公開",
    CLASS_INTERNAL: "社外秘",
    CLASS_CONFIDENTIAL: "機密",
    CLASS_PERSONAL: "個人情報",
}
# Name of the tag-based resource group of each environment (MP-TAG-02). The design's
# "Manabi Plus" is not a valid group name (letters, digits, `_.-` only): the space becomes `-`.
RESOURCE_GROUP = "Manabi-Plus"

# REST API stage: the path segment after the host, `https://…/v1/courses`.
API_STAGE = "v1"
# Public route without the Cognito authorizer; every other route needs a signed-in user.
HEALTH_PATH = "health"

# Prefixes of the S3 server access logs in the log bucket (MP-S3-01..03). The design names them
# `webacclog` …; the trailing slash files each bucket's logs under its own folder.
ACCESS_LOG_PREFIX_WEB = "webacclog/"
ACCESS_LOG_PREFIX_DATA = "dataacclog/"
ACCESS_LOG_PREFIX_APPLICATION = "appacclog/"
ACCESS_LOG_PREFIX_BACKUP = "bkacclog/"
ACCESS_LOG_PREFIX_CLOUDTRAIL = "ctacclog/"
ACCESS_LOG_PREFIX_DEFINITIONS = "avdefacclog/"  # the virus-definitions bucket (MP-AV-04)
# CloudFront access logs in the log bucket (MP-CF-04).
CF_LOG_PREFIX_WEBSITE = "cf-website/"
CF_LOG_PREFIX_API = "cf-api/"
# The header CloudFront adds to every API request; the regional WebACL lets only requests that
# carry the secret value through (MP-APIGW-01).
ORIGIN_SECRET_HEADER = "x-manabi-origin-secret"  # noqa: S105 - a header name, not a secret

# DynamoDB key attributes of the single table (MP-DDB-01).
TABLE_PARTITION_KEY = "PK"
TABLE_SORT_KEY = "SK"


def workload_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-Workload` / `ManabiPlus-Production-Workload` (Tokyo)."""
    return f"{config.stack_prefix}-Workload"


def edge_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-Edge` (us-east-1): certificate, CLOUDFRONT WebACL, DNS."""
    return f"{config.stack_prefix}-Edge"


def dr_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-DR` (Osaka): the DR backup bucket and its log bucket."""
    return f"{config.stack_prefix}-DR"


def stack_ids(config: EnvironmentConfig) -> tuple[str, str, str]:
    """Every stack of an environment, in deploy order."""
    return (edge_stack_id(config), dr_stack_id(config), workload_stack_id(config))


@dataclass(frozen=True)
class ResourceNames:
    table: str
    api_function: str
    rest_api: str
    user_pool: str
    user_pool_client: str
    web_bucket: str
    data_bucket: str
    application_bucket: str
    backup_bucket: str
    log_bucket: str
    cloudtrail_bucket: str
    definitions_bucket: str  # virus definitions (MP-AV-04): not one of the design's six buckets
    waf_log_bucket_edge: str  # WAF logs straight to S3 need the `aws-waf-logs-` name prefix
    waf_log_bucket_api: str
    dr_backup_bucket: str
    dr_log_bucket: str
    web_distribution: str
    api_distribution: str
    cloudfront_web_acl: str
    regional_web_acl: str
    origin_secret: str
    trail: str
    query_log_group: str
    access_role_prefix: str

    @property
    def api_role(self) -> str:
        return f"{self.api_function}-role"

    @property
    def post_confirmation_function(self) -> str:
        return f"{self.user_pool}-post-confirmation"

    @property
    def post_confirmation_log_group(self) -> str:
        return f"/aws/lambda/{self.post_confirmation_function}"

    @property
    def api_log_group(self) -> str:
        # The name Lambda writes to; creating it ourselves sets retention and tags (MP-LOG-03).
        return f"/aws/lambda/{self.api_function}"

    @property
    def scan_function(self) -> str:
        return self.api_function.replace("-api", "-scanner")

    @property
    def scan_role(self) -> str:
        return f"{self.scan_function}-role"

    @property
    def scan_log_group(self) -> str:
        return f"/aws/lambda/{self.scan_function}"

    @property
    def reconciler_function(self) -> str:
        return self.api_function.replace("-api", "-scan-reconciler")

    @property
    def reconciler_role(self) -> str:
        return f"{self.reconciler_function}-role"

    @property
    def reconciler_log_group(self) -> str:
        return f"/aws/lambda/{self.reconciler_function}"

    @property
    def updater_function(self) -> str:
        return self.api_function.replace("-api", "-avdefinitions-updater")

    @property
    def updater_role(self) -> str:
        return f"{self.updater_function}-role"

    @property
    def updater_log_group(self) -> str:
        return f"/aws/lambda/{self.updater_function}"

    @property
    def guardduty_verdict_function(self) -> str:
        return self.api_function.replace("-api", "-guardduty-verdicts")

    @property
    def guardduty_scan_role(self) -> str:
        return self.api_function.replace("-api", "-guardduty-malware-protection-role")

    @property
    def alerts_topic(self) -> str:
        return self.api_function.replace("-api", "-alerts")

    @property
    def scan_queue(self) -> str:
        return self.api_function.replace("-api", "-scan")

    @property
    def scan_dead_letter_queue(self) -> str:
        return f"{self.scan_queue}-dlq"

    @property
    def api_access_log_group(self) -> str:
        return f"/aws/apigateway/{self.rest_api}/access"

    @property
    def api_authorizer(self) -> str:
        return f"{self.user_pool}-authorizer"


def resource_names(config: EnvironmentConfig) -> ResourceNames:
    def name(role: str) -> str:
        return f"{config.prefix}-{SYSTEM}-{role}"

    def bucket(role: str) -> str:
        return f"{name(role)}{config.bucket_suffix}"

    return ResourceNames(
        table=name("table"),
        api_function=name("api"),
        rest_api=name("api"),
        user_pool=name("userpool"),
        user_pool_client=name("web"),
        web_bucket=bucket("web"),
        data_bucket=bucket("data"),
        application_bucket=bucket("application"),
        backup_bucket=bucket("backup"),
        log_bucket=bucket("log"),
        cloudtrail_bucket=bucket("cloudtrail"),
        definitions_bucket=bucket("avdefinitions"),
        waf_log_bucket_edge=f"aws-waf-logs-{name('edge')}{config.bucket_suffix}",
        waf_log_bucket_api=f"aws-waf-logs-{name('api')}{config.bucket_suffix}",
        dr_backup_bucket=f"{config.dr_prefix}-{SYSTEM}-backup{config.bucket_suffix}",
        dr_log_bucket=f"{config.dr_prefix}-{SYSTEM}-log{config.bucket_suffix}",
        web_distribution=name("web"),
        api_distribution=name("api"),
        cloudfront_web_acl=name("cloudfront-acl"),
        regional_web_acl=name("api-acl"),
        origin_secret=f"{config.prefix}/{SYSTEM}/origin-secret",
        trail=name("trail"),
        query_log_group=f"/aws/route53/{config.domain or name('zone')}",
        access_role_prefix=name("access"),
    )
