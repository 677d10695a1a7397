"""Threshold alarms of the Tokyo workload (MP-MON-02): the API, every function, the table and,
in production, blocked-request spikes at the API's WebACL.

The thresholds are the environment's `AlarmThresholds` (manabi_infra.config); each alarm's
description names its runbook entry (docs/operations.md). The virus-scan alarms live with the
scan backends, the certificate and CloudFront WebACL alarms in the us-east-1 stack.
"""

from __future__ import annotations

from collections.abc import Mapping

from aws_cdk import Duration
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_lambda as lambda_
from constructs import Construct

from manabi_infra.constructs.alerts import FIVE_MINUTES, AlarmSpec, Alerts
from manabi_infra.deployment import Deployment, DeploymentConstruct

# The operations the functions send to the table (docs/data-model.md): at most ten metrics may
# stand behind one alarm.
TABLE_OPERATIONS = (
    dynamodb.Operation.GET_ITEM,
    dynamodb.Operation.PUT_ITEM,
    dynamodb.Operation.UPDATE_ITEM,
    dynamodb.Operation.DELETE_ITEM,
    dynamodb.Operation.QUERY,
    dynamodb.Operation.TRANSACT_WRITE_ITEMS,
)


def waf_metric(web_acl: str, metric: str, region: str | None) -> cloudwatch.Metric:
    """A WebACL's metric over all its rules. Regional WebACLs carry a `Region` dimension;
    CLOUDFRONT-scope ones have none and publish in us-east-1."""
    dimensions = {"WebACL": web_acl, "Rule": "ALL"}
    if region is not None:
        dimensions["Region"] = region
    return cloudwatch.Metric(
        namespace="AWS/WAFV2",
        metric_name=metric,
        dimensions_map=dimensions,
        statistic=cloudwatch.Stats.SUM,
        period=FIVE_MINUTES,
    )


def waf_blocked_alarm(
    scope: Construct, alerts: Alerts, web_acl: str, region: str | None
) -> cloudwatch.Alarm | None:
    """Production: a spike of blocked requests is an attack or a rule that blocks learners."""
    threshold = alerts.config.alarms.waf_blocked_requests
    if threshold is None:
        return None
    return alerts.alarm(
        scope,
        "WafBlockedAlarm",
        AlarmSpec(
            name=f"{web_acl}-blocked-spike",
            reason=(
                f"WebACL {web_acl} blocked at least {threshold} requests in 5 minutes: an "
                "attack, or a managed rule that now blocks learners."
            ),
            runbook="waf-blocked-spike",
            threshold=threshold,
        ),
        waf_metric(web_acl, "BlockedRequests", region),
    )


class WorkloadAlarms(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        alerts: Alerts,
        stage: apigw.Stage,
        functions: Mapping[str, lambda_.Function],
        table: dynamodb.ITable,
        regional_web_acl: str,
        region: str,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.alerts = alerts
        thresholds = self.config.alarms
        self.api_alarms = self._api_alarms(stage)
        self.function_alarms = [
            alarm for name, f in functions.items() for alarm in self._function_alarms(name, f)
        ]
        self.table_alarms = [
            alerts.alarm(
                self,
                f"Table{label}Alarm",
                AlarmSpec(
                    name=f"{self.resource_names.table}-{suffix}",
                    reason=reason,
                    runbook=f"dynamodb-{suffix}",
                    threshold=threshold,
                ),
                metric,
            )
            for label, suffix, reason, threshold, metric in (
                (
                    "Throttled",
                    "throttled",
                    "The table throttled requests: learners see 503 and retry. Auto scaling "
                    "may be at its maximum or a partition is hot.",
                    thresholds.dynamodb_throttled_requests,
                    table.metric_throttled_requests_for_operations(
                        operations=list(TABLE_OPERATIONS), period=FIVE_MINUTES
                    ),
                ),
                (
                    "SystemErrors",
                    "system-errors",
                    "DynamoDB answered requests with internal errors (HTTP 500): an AWS-side "
                    "problem; the functions retry, learners may see 503.",
                    thresholds.dynamodb_system_errors,
                    table.metric_system_errors_for_operations(
                        operations=list(TABLE_OPERATIONS), period=FIVE_MINUTES
                    ),
                ),
            )
        ]
        self.waf_alarm = waf_blocked_alarm(self, alerts, regional_web_acl, region)

    @property
    def alarms(self) -> list[cloudwatch.Alarm]:
        found = [*self.api_alarms, *self.function_alarms, *self.table_alarms]
        return found + ([self.waf_alarm] if self.waf_alarm else [])

    def _api_alarms(self, stage: apigw.Stage) -> list[cloudwatch.Alarm]:
        thresholds = self.config.alarms
        api = self.resource_names.rest_api
        errors = stage.metric_server_error(period=FIVE_MINUTES, statistic=cloudwatch.Stats.SUM)
        requests = stage.metric_count(period=FIVE_MINUTES, statistic=cloudwatch.Stats.SUM)
        ratio = cloudwatch.MathExpression(
            expression="IF(requests > 0, 100 * errors / requests, 0)",
            using_metrics={"errors": errors, "requests": requests},
            label="5XX share of requests (%)",
            period=FIVE_MINUTES,
        )
        latency = stage.metric_latency(period=FIVE_MINUTES, statistic=cloudwatch.Stats.p(90))
        return [
            self.alerts.alarm(
                self,
                "Api5xxAlarm",
                AlarmSpec(
                    name=f"{api}-5xx-ratio",
                    reason=(
                        f"At least {thresholds.api_5xx_percent:g}% of API requests failed with "
                        "5XX: learners and teachers see errors."
                    ),
                    runbook="api-5xx-ratio",
                    threshold=thresholds.api_5xx_percent,
                    evaluation_periods=thresholds.evaluation_periods,
                ),
                ratio,
            ),
            self.alerts.alarm(
                self,
                "ApiLatencyAlarm",
                AlarmSpec(
                    name=f"{api}-latency-p90",
                    reason=(
                        f"The slowest tenth of API requests took {thresholds.api_latency_p90_ms} "
                        "ms or more: the function is slow or near its 3 s timeout."
                    ),
                    runbook="api-latency-p90",
                    threshold=thresholds.api_latency_p90_ms,
                    evaluation_periods=thresholds.evaluation_periods,
                ),
                latency,
            ),
        ]

    def _function_alarms(self, name: str, function: lambda_.Function) -> list[cloudwatch.Alarm]:
        thresholds = self.config.alarms
        period = Duration.minutes(5)
        return [
            self.alerts.alarm(
                self,
                f"{name}-ErrorsAlarm",
                AlarmSpec(
                    name=f"{name}-errors",
                    reason=(
                        "Invocations of the function failed (unhandled error or timeout): "
                        "requests, scans or sign-ups are not being processed."
                    ),
                    runbook="lambda-errors",
                    threshold=thresholds.lambda_errors,
                    evaluation_periods=thresholds.evaluation_periods,
                ),
                function.metric_errors(period=period, statistic=cloudwatch.Stats.SUM),
            ),
            self.alerts.alarm(
                self,
                f"{name}-ThrottlesAlarm",
                AlarmSpec(
                    name=f"{name}-throttles",
                    reason=(
                        "Invocations of the function were throttled: the account's or the "
                        "function's concurrency is exhausted."
                    ),
                    runbook="lambda-throttles",
                    threshold=thresholds.lambda_throttles,
                    evaluation_periods=thresholds.evaluation_periods,
                ),
                function.metric_throttles(period=period, statistic=cloudwatch.Stats.SUM),
            ),
        ]
