"""The dashboards of one environment (MP-MON-01): an overview an operator opens first and one
detail dashboard per area, with the metric groups of the design [D §5.2.5].

Every widget is drawn in the region its metrics live in: CloudFront, the CLOUDFRONT-scope WebACL,
the certificate and Route 53 in us-east-1 (CloudFront's with `Region=Global`, which CDK's
`Distribution.metric*` omits, aws-cdk#19245); everything else in Tokyo. KMS publishes metrics
only for imported key material, which we do not use (docs/decisions/0031).

The overview's application rows read the EMF metrics of manabi_contract.app_metrics with exactly
the dimensions `emit_metric` writes: `service` (the emitting function's service of
manabi_contract.names) and, for problems and verdicts, the one dimension more (MP-MON-03).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from aws_cdk import Duration, Tags
from aws_cdk import aws_cloudwatch as cloudwatch
from constructs import Construct

from manabi_contract import app_metrics as app
from manabi_contract import names as contract
from manabi_contract.verdicts import AvStatus
from manabi_infra import names
from manabi_infra.config import US_EAST_1
from manabi_infra.constructs.workload_alarms import waf_metric
from manabi_infra.deployment import Deployment, DeploymentConstruct

FIVE = Duration.minutes(5)
HOUR = Duration.hours(1)
DAY = Duration.days(1)
SUM, AVG, MAX, P50, P90 = (
    cloudwatch.Stats.SUM,
    cloudwatch.Stats.AVERAGE,
    cloudwatch.Stats.MAXIMUM,
    cloudwatch.Stats.p(50),
    cloudwatch.Stats.p(90),
)
WIDTH = 8


def metric(
    namespace: str,
    name: str,
    dimensions: Mapping[str, str],
    statistic: str = SUM,
    period: Duration = FIVE,
    region: str | None = None,
    label: str | None = None,
) -> cloudwatch.Metric:
    return cloudwatch.Metric(
        namespace=namespace,
        metric_name=name,
        dimensions_map=dict(dimensions),
        statistic=statistic,
        period=period,
        region=region,
        label=label,
    )


def app_metric(
    service: str,
    name: str,
    extra: Mapping[str, str] | None = None,
    statistic: str = SUM,
    period: Duration = HOUR,
    label: str | None = None,
) -> cloudwatch.Metric:
    """An application metric as `emit_metric(service, name, dimensions=extra)` writes it."""
    dimensions = {app.SERVICE_DIMENSION: service, **(extra or {})}
    return metric(contract.METRICS_NAMESPACE, name, dimensions, statistic, period, label=label)


def app_search(
    service: str, name: str, by: str, statistic: str = "Sum", period: Duration = HOUR
) -> cloudwatch.SearchExpression:
    """Every value of dimension `by` of an application metric (a SEARCH over exactly the
    dimension set `service` + `by`, so another metric of the same name is not mixed in)."""
    schema = ",".join([contract.METRICS_NAMESPACE, *sorted((app.SERVICE_DIMENSION, by))])
    seconds = int(period.to_seconds())
    query = f'{{{schema}}} MetricName="{name}" {app.SERVICE_DIMENSION}="{service}"'
    return cloudwatch.SearchExpression(
        expression=f"SEARCH('{query}', '{statistic}', {seconds})", label="", period=period
    )


def graph(
    title: str, metrics: Sequence[cloudwatch.IMetric], region: str | None = None
) -> cloudwatch.GraphWidget:
    return cloudwatch.GraphWidget(
        title=title, left=list(metrics), width=WIDTH, height=6, region=region
    )


def rows(widgets: Sequence[cloudwatch.IWidget]) -> list[list[cloudwatch.IWidget]]:
    """Graphs of width WIDTH, as many a row as fit the dashboard's 24 columns."""
    per_row = 24 // WIDTH
    return [list(widgets[i : i + per_row]) for i in range(0, len(widgets), per_row)]


@dataclass(frozen=True)
class Watched:
    """The names (or tokens) of the resources the dashboards show."""

    region: str
    rest_api: str
    stage: str
    functions: Sequence[str]
    table: str
    user_pool_id: str
    user_pool_client_id: str
    buckets: Sequence[str]
    log_groups: Sequence[str]
    topic: str
    distributions: Mapping[str, str]  # label → distribution id
    regional_web_acl: str
    cloudfront_web_acl: str
    certificate_arn: str | None
    hosted_zone_id: str | None
    scan_queue: str
    scan_dead_letter_queue: str
    alarms: Sequence[cloudwatch.IAlarm]
    # The ClamAV scanner (manabi-scanner) runs and emits ScanVerdicts/ScanDurationMs; the
    # GuardDuty backend's verdict function emits neither (its scans are GuardDuty's).
    scanner_metrics: bool = True


class Dashboards(DeploymentConstruct):
    def __init__(
        self, scope: Construct, construct_id: str, *, deployment: Deployment, watched: Watched
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_OPS)
        self.watched = w = watched
        # Dashboards are per account, not per region: the Osaka workload's take its suffix.
        prefix = f"{self.config.prefix}-manabiplus{self.config.name_suffix}"
        areas = {
            "api": self._api(),
            "functions": self._functions(),
            "data": self._data(),
            "auth": self._auth(),
            "edge": self._edge(),
            "delivery": self._delivery(),
        }
        self.detail = {
            area: cloudwatch.Dashboard(
                self,
                f"{area.capitalize()}Dashboard",
                dashboard_name=f"{prefix}-{area}",
                widgets=[list(widgets)],
            )
            for area, widgets in areas.items()
        }
        self.overview = cloudwatch.Dashboard(
            self,
            "OverviewDashboard",
            dashboard_name=f"{prefix}-overview",
            widgets=[
                [
                    cloudwatch.AlarmStatusWidget(
                        title="Is it healthy? (alarms in Tokyo)", alarms=list(w.alarms), width=24
                    )
                ],
                [
                    graph(
                        "API requests and 5XX",
                        [self._api_metric("Count"), self._api_metric("5XXError")],
                    ),
                    graph(
                        "Active learners: sign-ins and sign-ups",
                        self._cognito(("SignInSuccesses", "SignUpSuccesses")),
                    ),
                    graph(
                        "Scans waiting",
                        [
                            metric(
                                "AWS/SQS",
                                "ApproximateNumberOfMessagesVisible",
                                {"QueueName": w.scan_queue},
                                MAX,
                            ),
                            metric(
                                "AWS/SQS",
                                "ApproximateAgeOfOldestMessage",
                                {"QueueName": w.scan_queue},
                                MAX,
                            ),
                            metric(
                                "AWS/SQS",
                                "ApproximateNumberOfMessagesVisible",
                                {"QueueName": w.scan_dead_letter_queue},
                                MAX,
                            ),
                        ],
                    ),
                ],
                [
                    graph(
                        "Application: cold starts and definitions age",
                        [
                            metric(
                                contract.METRICS_NAMESPACE,
                                "ColdStart",
                                {"function_name": f, "service": s},
                                SUM,
                            )
                            for f, s in ((w.functions[0], contract.API_SERVICE),)
                        ],
                    ),
                    graph("Function errors", [self._lambda(f, "Errors") for f in w.functions]),
                    graph(
                        "Table throttles",
                        [
                            self._table("ThrottledRequests", op)
                            for op in ("GetItem", "PutItem", "UpdateItem", "Query")
                        ],
                    ),
                ],
                *rows(self._application()),
            ],
        )

    # --- metric groups -------------------------------------------------------------------------
    def _application(self) -> list[cloudwatch.IWidget]:
        """What the learners do and what the scans find: the EMF metrics (MP-MON-03)."""
        widgets: list[cloudwatch.IWidget] = [
            graph(
                "Learning activity (sums per hour)",
                [
                    app_metric(contract.POST_CONFIRMATION_SERVICE, app.SIGN_UPS),
                    *(app_metric(contract.API_SERVICE, a) for a in app.BUSINESS_ACTIONS),
                ],
            ),
            graph(
                "Problem responses by type (sums per hour)",
                [app_search(contract.API_SERVICE, app.PROBLEM_RESPONSES, app.PROBLEM_DIMENSION)],
            ),
        ]
        if self.watched.scanner_metrics:
            scanner = contract.SCANNER_SERVICE
            widgets += [
                graph(
                    "Scan verdicts (sums per hour)",
                    [
                        app_metric(
                            scanner,
                            app.SCAN_VERDICTS,
                            {app.VERDICT_DIMENSION: v.value},
                            label=v.value,
                        )
                        for v in AvStatus
                    ],
                ),
                graph(
                    "Scan duration p50 / p90 (ms)",
                    [
                        app_metric(scanner, app.SCAN_DURATION_MS, statistic=s, period=FIVE, label=s)
                        for s in (P50, P90)
                    ],
                ),
            ]
        return widgets

    def _api_metric(self, name: str, statistic: str = SUM) -> cloudwatch.Metric:
        w = self.watched
        return metric("AWS/ApiGateway", name, {"ApiName": w.rest_api, "Stage": w.stage}, statistic)

    def _lambda(self, function: str, name: str, statistic: str = SUM) -> cloudwatch.Metric:
        return metric("AWS/Lambda", name, {"FunctionName": function}, statistic)

    def _table(
        self, name: str, operation: str | None = None, statistic: str = SUM
    ) -> cloudwatch.Metric:
        dimensions = {"TableName": self.watched.table}
        if operation:
            dimensions["Operation"] = operation
        return metric("AWS/DynamoDB", name, dimensions, statistic)

    def _cognito(self, names: Sequence[str]) -> list[cloudwatch.Metric]:
        w = self.watched
        dimensions = {"UserPool": w.user_pool_id, "UserPoolClient": w.user_pool_client_id}
        return [metric("AWS/Cognito", n, dimensions) for n in names]

    def _api(self) -> list[cloudwatch.IWidget]:
        w = self.watched
        return [
            graph(
                "Requests and errors",
                [self._api_metric(n) for n in ("Count", "4XXError", "5XXError")],
            ),
            graph(
                "Latency p90 (ms)",
                [self._api_metric("Latency", P90), self._api_metric("IntegrationLatency", P90)],
            ),
            graph(
                "API WebACL (Tokyo)",
                [
                    waf_metric(w.regional_web_acl, n, w.region)
                    for n in ("AllowedRequests", "BlockedRequests", "CountedRequests")
                ],
            ),
        ]

    def _functions(self) -> list[cloudwatch.IWidget]:
        fs = self.watched.functions
        return [
            graph("Invocations", [self._lambda(f, "Invocations") for f in fs]),
            graph("Errors", [self._lambda(f, "Errors") for f in fs]),
            graph("Throttles", [self._lambda(f, "Throttles") for f in fs]),
            graph("Duration p90 (ms)", [self._lambda(f, "Duration", P90) for f in fs]),
            graph(
                "Concurrent executions", [self._lambda(f, "ConcurrentExecutions", MAX) for f in fs]
            ),
        ]

    def _data(self) -> list[cloudwatch.IWidget]:
        ops = ("GetItem", "PutItem", "UpdateItem", "Query")
        w = self.watched
        return [
            graph(
                "Consumed capacity",
                [
                    self._table("ConsumedReadCapacityUnits"),
                    self._table("ConsumedWriteCapacityUnits"),
                ],
            ),
            graph(
                "Throttled requests and system errors",
                [self._table(n, op) for n in ("ThrottledRequests", "SystemErrors") for op in ops],
            ),
            graph(
                "User errors (account) and latency",
                [
                    metric("AWS/DynamoDB", "UserErrors", {}),
                    *(self._table("SuccessfulRequestLatency", op, AVG) for op in ops),
                ],
            ),
            graph(
                "Bucket size (bytes, daily)",
                [
                    metric(
                        "AWS/S3",
                        "BucketSizeBytes",
                        {"BucketName": b, "StorageType": "StandardStorage"},
                        AVG,
                        DAY,
                    )
                    for b in w.buckets
                ],
            ),
            graph(
                "Objects (daily)",
                [
                    metric(
                        "AWS/S3",
                        "NumberOfObjects",
                        {"BucketName": b, "StorageType": "AllStorageTypes"},
                        AVG,
                        DAY,
                    )
                    for b in w.buckets
                ],
            ),
        ]

    def _auth(self) -> list[cloudwatch.IWidget]:
        return [
            graph(
                "Successes",
                self._cognito(("SignUpSuccesses", "SignInSuccesses", "TokenRefreshSuccesses")),
            ),
            graph(
                "Throttles",
                self._cognito(("SignUpThrottles", "SignInThrottles", "TokenRefreshThrottles")),
            ),
        ]

    def _edge(self) -> list[cloudwatch.IWidget]:
        """us-east-1: CloudFront, its WebACL, the certificate, the hosted zone."""
        w, east = self.watched, US_EAST_1
        widgets: list[cloudwatch.IWidget] = []
        for label, distribution in w.distributions.items():
            dims = {"DistributionId": distribution, "Region": "Global"}
            widgets += [
                graph(
                    f"CloudFront {label}: requests and bytes",
                    [
                        metric("AWS/CloudFront", n, dims, SUM, FIVE, east)
                        for n in ("Requests", "BytesDownloaded", "BytesUploaded")
                    ],
                    east,
                ),
                graph(
                    f"CloudFront {label}: error rates (%)",
                    [
                        metric("AWS/CloudFront", n, dims, AVG, FIVE, east)
                        for n in ("4xxErrorRate", "5xxErrorRate", "TotalErrorRate")
                    ],
                    east,
                ),
            ]
        widgets.append(
            graph(
                "CloudFront WebACL",
                [
                    waf_metric(w.cloudfront_web_acl, n, None).with_(region=east)
                    for n in ("AllowedRequests", "BlockedRequests", "CountedRequests")
                ],
                east,
            )
        )
        if w.certificate_arn:
            widgets.append(
                graph(
                    "Certificate days to expiry",
                    [
                        metric(
                            "AWS/CertificateManager",
                            "DaysToExpiry",
                            {"CertificateArn": w.certificate_arn},
                            cloudwatch.Stats.MINIMUM,
                            DAY,
                            east,
                        )
                    ],
                    east,
                )
            )
        if w.hosted_zone_id:
            widgets.append(
                graph(
                    "DNS queries",
                    [
                        metric(
                            "AWS/Route53",
                            "DNSQueries",
                            {"HostedZoneId": w.hosted_zone_id},
                            SUM,
                            FIVE,
                            east,
                        )
                    ],
                    east,
                )
            )
        return widgets

    def _delivery(self) -> list[cloudwatch.IWidget]:
        """Alert mail (SNS) and log delivery to CloudWatch Logs."""
        w = self.watched
        topic = {"TopicName": w.topic}
        return [
            graph(
                "Alert topic",
                [
                    metric("AWS/SNS", n, topic)
                    for n in (
                        "NumberOfMessagesPublished",
                        "NumberOfNotificationsDelivered",
                        "NumberOfNotificationsFailed",
                    )
                ],
            ),
            graph(
                "Log events received",
                [
                    metric("AWS/Logs", "IncomingLogEvents", {"LogGroupName": g})
                    for g in w.log_groups
                ],
            ),
        ]
