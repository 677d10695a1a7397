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
ENV_APPLICATION_BUCKET = "APPLICATION_BUCKET"
ENV_USER_POOL_ID = "USER_POOL_ID"
ENV_ALLOWED_ORIGIN = "ALLOWED_ORIGIN"
ENV_STAGE = "MANABI_ENV"
ENV_POWERTOOLS_SERVICE_NAME = "POWERTOOLS_SERVICE_NAME"
ENV_POWERTOOLS_METRICS_NAMESPACE = "POWERTOOLS_METRICS_NAMESPACE"
ENV_LOG_LEVEL = "LOG_LEVEL"

# Tag keys (MP-TAG-01). The design spells the first one `Projct`: a typo, `Project` is used.
TAG_PROJECT = "Project"
TAG_ENVIRONMENT = "Environment"
TAG_SYSTEM = "System"

# REST API stage: the path segment after the host, `https://…/v1/courses`.
API_STAGE = "v1"
# Public route without the Cognito authorizer; every other route needs a signed-in user.
HEALTH_PATH = "health"

# Prefixes of the S3 server access logs in the log bucket (MP-S3-01..03). The design names them
# `webacclog` …; the trailing slash files each bucket's logs under its own folder.
ACCESS_LOG_PREFIX_WEB = "webacclog/"
ACCESS_LOG_PREFIX_DATA = "dataacclog/"
ACCESS_LOG_PREFIX_APPLICATION = "appacclog/"

# DynamoDB key attributes of the single table (MP-DDB-01).
TABLE_PARTITION_KEY = "PK"
TABLE_SORT_KEY = "SK"


def workload_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-Workload` / `ManabiPlus-Production-Workload`."""
    return f"{config.stack_prefix}-Workload"


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

    @property
    def api_role(self) -> str:
        return f"{self.api_function}-role"

    @property
    def api_log_group(self) -> str:
        # The name Lambda writes to; creating it ourselves sets retention and tags (MP-LOG-03).
        return f"/aws/lambda/{self.api_function}"

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
    )
