"""Names of the infrastructure only: tags, classifications, log prefixes, stack ids.

What the functions must agree on too (environment variables, services, handlers, prefixes, verdict
tags, table keys, physical resource names) lives in `manabi_contract`, which the CDK app and the
function code both import, so the two cannot drift.
"""

from __future__ import annotations

from manabi_contract import resources as contract_resources
from manabi_contract.resources import ResourceNames
from manabi_infra.config import OSAKA, TOKYO, US_EAST_1, EnvironmentConfig

PROJECT_TAG = "Manabi Plus"

# What the API does with the data bucket's objects (MP-S3-02): presigned uploads (PutObject),
# completion and download checks of exact versions and their verdict tags, deletes (of the exact
# version too: an upload that is not the file declared is discarded for good, GL-REL-01).
API_DATA_OBJECT_ACTIONS = (
    "s3:GetObject",
    "s3:GetObjectVersion",
    "s3:GetObjectTagging",
    "s3:GetObjectVersionTagging",
    "s3:PutObject",
    "s3:DeleteObject",
    "s3:DeleteObjectVersion",
)

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


def workload_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-Workload` / `ManabiPlus-Production-Workload` (Tokyo); the Osaka DR
    workload's ends `-osaka`."""
    return f"{config.stack_prefix}-Workload{config.name_suffix}"


def edge_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-Edge` (us-east-1): certificate, CLOUDFRONT WebACL, DNS."""
    return f"{config.stack_prefix}-Edge"


def dr_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-DR` (Osaka): the DR backup bucket and its log bucket."""
    return f"{config.stack_prefix}-DR"


# The regions of an account's security baseline (GL-SEC-01): every region the system deploys to;
# Tokyo aggregates the findings and records the global resource types.
BASELINE_REGIONS: dict[str, str] = {TOKYO: "Tokyo", OSAKA: "Osaka", US_EAST_1: "UsEast1"}


def baseline_stack_id(config: EnvironmentConfig, region: str) -> str:
    """`ManabiPlus-Staging-Baseline-Tokyo` …: the account's security services in one region."""
    return f"{config.stack_prefix}-Baseline-{BASELINE_REGIONS[region]}"


def baseline_stack_ids(config: EnvironmentConfig) -> tuple[str, ...]:
    return tuple(baseline_stack_id(config, region) for region in BASELINE_REGIONS)


def github_oidc_stack_id(config: EnvironmentConfig) -> str:
    """`ManabiPlus-Staging-GitHubOidc` (Tokyo): GitHub's OIDC provider and the deploy role."""
    return f"{config.stack_prefix}-GitHubOidc"


def stack_ids(config: EnvironmentConfig) -> tuple[str, ...]:
    """Every stack of an environment, in deploy order: the GitHub OIDC stack, the account
    baseline, then the rest."""
    return (
        github_oidc_stack_id(config),
        *baseline_stack_ids(config),
        edge_stack_id(config),
        dr_stack_id(config),
        workload_stack_id(config),
    )


def resource_names(config: EnvironmentConfig) -> ResourceNames:
    """Every physical name of the environment, as the contract derives them."""
    return contract_resources.resource_names(
        config.prefix,
        dr_prefix=config.dr_prefix,
        bucket_suffix=config.bucket_suffix,
        domain=config.domain,
        name_suffix=config.name_suffix,
    )


def baseline_bucket(config: EnvironmentConfig, role: str, region: str) -> str:
    """A bucket of the account baseline in `region`: `stag-manabiplus-guardduty-ap-northeast-1`."""
    return f"{config.prefix}-manabiplus-{role}-{region}{config.bucket_suffix}"


def baseline_alerts_topic(config: EnvironmentConfig) -> str:
    """The baseline's topic for security findings, one per region (GL-SEC-02)."""
    return f"{config.prefix}-manabiplus-security-findings"
