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
