"""One typed configuration object per environment.

Everything that differs between staging and production lives here, so stacks and tests read the
same values. Nothing in this module calls AWS: `cdk synth` needs no credentials.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from enum import StrEnum

from manabi_contract.storage import DEFAULT_UPLOADS_PER_HOUR

TOKYO = "ap-northeast-1"
OSAKA = "ap-northeast-3"
US_EAST_1 = "us-east-1"

# CloudWatch Logs retention: the design's 25 months (761 days) is not an allowed value; 1096 days
# is the smallest allowed value above it (MP-LOG-03).
LOG_RETENTION_DAYS = 1096
# Levels the functions' Powertools Logger understands (POWERTOOLS_LOG_LEVEL).
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


class ScanBackend(StrEnum):
    """Who judges uploads (MP-AV-01): ClamAV as designed, or GuardDuty Malware Protection for S3.
    Both end in the same `av-*` verdict tags, bucket policy and submission records."""

    CLAMAV = "clamav"
    GUARDDUTY = "guardduty"


@dataclass(frozen=True)
class AlarmThresholds:
    """When the alarms of an environment fire (MP-MON-02, docs/operations.md). Each value is
    compared over a 5-minute period unless its name says otherwise."""

    api_5xx_percent: float = 1.0  # share of API requests answered 5XX
    api_latency_p90_ms: int = 1000  # p90 of API Gateway's Latency (the function times out at 3 s)
    lambda_errors: int = 1  # errors of one function
    lambda_throttles: int = 1  # throttled invocations of one function
    dynamodb_throttled_requests: int = 1
    dynamodb_system_errors: int = 1
    sns_failed_notifications: int = 1  # alert mails that could not be delivered
    certificate_days_to_expiry: int = 30  # ACM renews DNS-validated certificates 60 days before
    # Blocked requests of one WebACL; None: no spike alarm (staging only counts, MP-WAF-02).
    waf_blocked_requests: int | None = None
    # Consecutive periods over the threshold before the API and Lambda alarms fire.
    evaluation_periods: int = 1


class SecurityOwner(StrEnum):
    """Who enables the account-level security services (GL-SEC-01, docs/decisions/0032): the
    baseline stack of each account, or the organisation's delegated administrator (then the
    baseline creates no detector, hub, Macie session or Inspector enablement of its own)."""

    ACCOUNT = "account"
    DELEGATED_ADMINISTRATOR = "delegated-administrator"


# Lambda keeps at least 100 executions of an account unreserved; the Cognito triggers run
# from that pool, so the reserved figures below may never eat into it (GL-SEC-04).
UNRESERVED_MINIMUM = 100
# p95 of one API request under load, measured on the local stack (docs/performance.md,
# 10 users: 332 ms). Little's law: concurrency = rate × duration.
API_SECONDS_PER_REQUEST = 0.332


# The GitHub repository whose deploy workflow may deploy (GL-CICD-01): its OIDC tokens are
# trusted for `repo:<org>/<repo>:environment:<environment>` only.
GITHUB_ORG = "manabiplus"
GITHUB_REPO = "manabi-plus"
# The CDK bootstrap qualifier (`cdk bootstrap` default): its roles are cdk-<qualifier>-*.
CDK_QUALIFIER = "hnb659fds"


class EnvName(StrEnum):
    STAGING = "staging"
    PRODUCTION = "production"


@dataclass(frozen=True)
class EnvironmentConfig:
    name: EnvName
    prefix: str  # resource-name prefix of the design: "stag" / "prod"
    environment_tag: str  # value of the Environment tag: "Staging" / "Production"
    account: str
    bucket_suffix: str  # S3 names are global: "-<suffix>" appended to every bucket name
    web_origin: str  # the website origin that CORS allows
    alert_email: str
    # Account whose IAM users assume the access roles with MFA (MP-IAM-01).
    iam_management_account: str
    # Public DNS name of the website; the API answers on `api.<domain>`. None: no hosted zone, no
    # certificate, the distributions keep their *.cloudfront.net names (MP-NET-02, MP-ACM-01).
    domain: str | None = None
    # Name prefix of the Osaka DR buckets: the design's `dr-manabiplus-backup` (production).
    dr_prefix: str = "dr"
    ses_identity: str | None = None  # production may switch Cognito mail to SES
    deletion_protection: bool = False
    api_detailed_metrics: bool = False  # per-method API Gateway metrics cost extra (MP-APIGW-03)
    # Staging only counts what the managed WAF rules match; production blocks (MP-WAF-02).
    waf_block: bool = False
    # The design replicates the backup bucket to Osaka in production only (MP-S3-04).
    replicate_backups: bool = False
    # Bot Control inspection level (docs/decisions/0011): COMMON unless configured otherwise.
    bot_control_level: str = "COMMON"
    # At most this many scanners at once (reserved concurrency): bursts wait in the queue.
    scanner_concurrency: int = 10
    scan_backend: ScanBackend = ScanBackend.CLAMAV
    # Where freshclam downloads the daily definitions (MP-AV-04): ClamAV's CDN, or a private
    # mirror of the organisation.
    clamav_mirror: str = "https://database.clamav.net"
    # Log level of every Lambda function (POWERTOOLS_LOG_LEVEL, MP-MON-03).
    log_level: str = "INFO"
    alarms: AlarmThresholds = AlarmThresholds()
    # After a restore (docs/dr-runbook.md, `python -m manabi_ops switch-table`): the restored
    # table every function is pointed at; the original table stays in the stack, retained.
    serving_table: str | None = None
    # Where the workload stack runs (MP-AVL-01): Tokyo; the DR workload of `osaka_workload` runs
    # in Osaka, its stack and resource names ending with `name_suffix` (docs/decisions/0039).
    workload_region: str = TOKYO
    name_suffix: str = ""
    # Whether the distributions claim the site's names (aliases, certificate) and own its Route 53
    # records. The Osaka workload does not until the operator has moved them (docs/dr-runbook.md):
    # two distributions cannot hold one alias (CNAMEAlreadyExists).
    claim_aliases: bool = True

    # --- abuse limits (GL-SEC-04) ---
    # API stage throttling: steady requests per second and burst.
    api_throttle_rate: float = 20.0
    api_throttle_burst: int = 40
    # Requests per client IP per 5 minutes before the rate-based WAF rule acts on the API
    # distribution (counts in staging, blocks with 429 in production: `waf_block`).
    waf_rate_limit: int = 600
    # Upload tickets one learner may ask for per clock hour; the API answers 429 past it.
    uploads_per_learner_per_hour: int = DEFAULT_UPLOADS_PER_HOUR
    # The account's Lambda concurrency quota (default 1,000).
    account_concurrency: int = 1000
    # --- account baseline (GL-SEC-01) ---
    security_owner: SecurityOwner = SecurityOwner.ACCOUNT
    # The CloudFront → API origin secret rotates this often (GL-SEC-05).
    origin_secret_rotation_days: int = 30
    # --- CI/CD (GL-CICD-01) ---
    github_repository: str = f"{GITHUB_ORG}/{GITHUB_REPO}"
    # An account holds at most one OIDC provider per issuer URL: where GitHub's already exists
    # (another project created it), name its ARN here and the stack trusts it instead of creating
    # a second one, which CloudFormation would refuse (EntityAlreadyExists).
    github_oidc_provider_arn: str | None = None

    def __post_init__(self) -> None:
        # A typo here would reach every function at deploy time; stop the synth instead.
        if self.log_level not in LOG_LEVELS:
            raise ValueError(f"log_level={self.log_level!r} is not one of {', '.join(LOG_LEVELS)}")
        reserved = self.api_reserved_concurrency + self.scanner_concurrency
        if self.account_concurrency - reserved < UNRESERVED_MINIMUM:
            raise ValueError(
                f"reserved concurrency {reserved} leaves fewer than {UNRESERVED_MINIMUM} of "
                f"{self.account_concurrency} for the Cognito triggers; lower api_throttle_rate"
            )

    @property
    def api_reserved_concurrency(self) -> int:
        """Enough executions for the stage's burst at the measured request duration, never more:
        a client in a loop gets 429 from the stage before it takes the account's pool."""
        return max(2, math.ceil(self.api_throttle_burst * API_SECONDS_PER_REQUEST))

    @property
    def stack_prefix(self) -> str:
        return f"ManabiPlus-{self.environment_tag}"

    @property
    def deployment_name(self) -> str:
        """`production`, or `production-osaka` for the DR workload: the key of its context."""
        return f"{self.name}{self.name_suffix}"

    @property
    def api_domain(self) -> str | None:
        return f"api.{self.domain}" if self.domain else None


STAGING = EnvironmentConfig(
    name=EnvName.STAGING,
    prefix="stag",
    environment_tag="Staging",
    account="111111111111",
    bucket_suffix="",
    web_origin="https://stag.manabiplus.example.jp",
    alert_email="ops-staging@manabiplus.example.jp",
    iam_management_account="999999999999",
    domain="stag.manabiplus.example.jp",
    dr_prefix="stag-dr",
    # Staging carries test traffic and deploys often: it alarms later, to its own address.
    alarms=AlarmThresholds(api_5xx_percent=5.0, api_latency_p90_ms=2000, evaluation_periods=2),
)

PRODUCTION = EnvironmentConfig(
    name=EnvName.PRODUCTION,
    prefix="prod",
    environment_tag="Production",
    account="222222222222",
    bucket_suffix="",
    web_origin="https://manabiplus.example.jp",
    alert_email="ops@manabiplus.example.jp",
    iam_management_account="999999999999",
    domain="manabiplus.example.jp",
    deletion_protection=True,
    api_detailed_metrics=True,
    waf_block=True,
    replicate_backups=True,
    alarms=AlarmThresholds(waf_blocked_requests=500),
    api_throttle_rate=100.0,
    api_throttle_burst=200,
    waf_rate_limit=1000,
)

OSAKA_SUFFIX = "-osaka"


def osaka_workload(config: EnvironmentConfig, *, claim_aliases: bool = False) -> EnvironmentConfig:
    """The environment's workload in Osaka for a Tokyo-lost DR (MP-AVL-01, docs/decisions/0039):
    same account, domain and settings; every name ends `-osaka` (S3, IAM and CloudFront names
    are global, the Tokyo workload keeps its own); it does not replicate its backups (the DR
    bucket it restores from is in Osaka already), and its distributions claim the site's names
    only when `claim_aliases` (after the operator has released them from the Tokyo ones)."""
    return replace(
        config,
        workload_region=OSAKA,
        name_suffix=OSAKA_SUFFIX,
        replicate_backups=False,
        claim_aliases=claim_aliases,
    )


ENVIRONMENTS: dict[EnvName, EnvironmentConfig] = {c.name: c for c in (STAGING, PRODUCTION)}
