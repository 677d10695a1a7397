"""The physical names of one environment's resources, shared by the CDK app, the local
provisioner and the tests (the functions get theirs from their environment).

The design fixes the bucket names (`{env}-manabiplus-web` …); a configurable suffix keeps them
globally unique. Every other physical name follows the same `{prefix}-manabiplus-{role}` pattern.
`manabi_infra.names.resource_names(config)` fills these from an environment's configuration.
"""

from __future__ import annotations

from dataclasses import dataclass

from manabi_contract.names import SYSTEM


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
    # A second workload of the environment (the Osaka DR workload, `-osaka`): every name of it
    # but the DR buckets ends with this, so nothing clashes with the Tokyo workload's global names.
    name_suffix: str = ""

    def _sibling(self, role: str) -> str:
        """A function-like name beside the API function's: `stag-manabiplus-<role>`."""
        base = self.api_function.removesuffix(f"-api{self.name_suffix}")
        return f"{base}-{role}{self.name_suffix}"

    @property
    def api_role(self) -> str:
        return f"{self.api_function}-role"

    @property
    def post_confirmation_function(self) -> str:
        return f"{self.user_pool}-post-confirmation"

    @property
    def post_confirmation_log_group(self) -> str:
        return log_group_of(self.post_confirmation_function)

    @property
    def api_log_group(self) -> str:
        # The name Lambda writes to; creating it ourselves sets retention and tags (MP-LOG-03).
        return log_group_of(self.api_function)

    @property
    def scan_function(self) -> str:
        return self._sibling("scanner")

    @property
    def scan_role(self) -> str:
        return f"{self.scan_function}-role"

    @property
    def scan_log_group(self) -> str:
        return log_group_of(self.scan_function)

    @property
    def reconciler_function(self) -> str:
        return self._sibling("scan-reconciler")

    @property
    def backup_function(self) -> str:
        """The daily backups (MP-BAK-02/03)."""
        return self._sibling("daily-backup")

    @property
    def backup_function_role(self) -> str:
        return f"{self.backup_function}-role"

    @property
    def backup_log_group(self) -> str:
        return log_group_of(self.backup_function)

    @property
    def reconciler_role(self) -> str:
        return f"{self.reconciler_function}-role"

    @property
    def reconciler_log_group(self) -> str:
        return log_group_of(self.reconciler_function)

    @property
    def origin_rotation_function(self) -> str:
        """Rotates the CloudFront → API origin secret (GL-SEC-05)."""
        return self._sibling("origin-rotation")

    @property
    def origin_rotation_log_group(self) -> str:
        return log_group_of(self.origin_rotation_function)

    @property
    def updater_function(self) -> str:
        return self._sibling("avdefinitions-updater")

    @property
    def updater_role(self) -> str:
        return f"{self.updater_function}-role"

    @property
    def updater_log_group(self) -> str:
        return log_group_of(self.updater_function)

    @property
    def site_publisher_log_group(self) -> str:
        """Logs of CDK's BucketDeployment handler that publishes the SPA (GL-DEP-01)."""
        return log_group_of(self._sibling("site-publisher"))

    @property
    def guardduty_verdict_function(self) -> str:
        return self._sibling("guardduty-verdicts")

    @property
    def guardduty_scan_role(self) -> str:
        return self._sibling("guardduty-malware-protection-role")

    @property
    def alerts_topic(self) -> str:
        return self._sibling("alerts")

    @property
    def scan_queue(self) -> str:
        return self._sibling("scan")

    @property
    def scan_dead_letter_queue(self) -> str:
        return f"{self.scan_queue}-dlq"

    @property
    def api_access_log_group(self) -> str:
        return f"/aws/apigateway/{self.rest_api}/access"

    @property
    def api_authorizer(self) -> str:
        return f"{self.user_pool}-authorizer"


def log_group_of(function_name: str) -> str:
    """The log group Lambda writes a function's logs to."""
    return f"/aws/lambda/{function_name}"


def resource_names(
    prefix: str,
    *,
    dr_prefix: str,
    bucket_suffix: str = "",
    domain: str | None = None,
    name_suffix: str = "",
) -> ResourceNames:
    """Every physical name of one environment (`prefix` e.g. `stag`, `dr_prefix` its Osaka one);
    `name_suffix` names a second workload of it (`-osaka`)."""

    def name(role: str) -> str:
        return f"{prefix}-{SYSTEM}-{role}{name_suffix}"

    def bucket(role: str) -> str:
        return f"{name(role)}{bucket_suffix}"

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
        waf_log_bucket_edge=f"aws-waf-logs-{name('edge')}{bucket_suffix}",
        waf_log_bucket_api=f"aws-waf-logs-{name('api')}{bucket_suffix}",
        dr_backup_bucket=f"{dr_prefix}-{SYSTEM}-backup{bucket_suffix}",
        dr_log_bucket=f"{dr_prefix}-{SYSTEM}-log{bucket_suffix}",
        web_distribution=name("web"),
        api_distribution=name("api"),
        cloudfront_web_acl=name("cloudfront-acl"),
        regional_web_acl=name("api-acl"),
        origin_secret=f"{prefix}/{SYSTEM}/origin-secret{name_suffix}",
        trail=name("trail"),
        query_log_group=f"/aws/route53/{domain or name('zone')}",
        access_role_prefix=name("access"),
        name_suffix=name_suffix,
    )
