"""Saved CloudWatch Logs Insights queries for the questions an operator asks most (MP-MON-03).

Each is an `AWS::Logs::QueryDefinition` named `{prefix}-manabiplus{suffix}/<question>`: the console
(CloudWatch > Logs Insights > Saved queries) shows them in one folder per environment. They read
the JSON lines of the functions (Powertools: `level`, `message`, `service`, `correlation_id`,
`function_request_id`) and the API's one request line per request (manabi_api.api.request_log:
`route`, `method`, `status`, `duration_ms`, `principal_id`, `groups`, `problem`).

- errors: every ERROR line (and Lambda's own timeout lines) of every function; a definition holds
  no time range, the console's default (the last hour) is the question's.
- learner requests: the request lines of one learner, by `principal_id`, the caller's Cognito
  `sub` (the only identifier of a learner the logs hold: no e-mail or name, MP-LOG-01). The query
  holds a placeholder the operator replaces with the sub before running it.
- slowest requests: the request lines by `duration_ms`, slowest first.
- scan verdicts: the verdict lines of the scanner (or the GuardDuty backend's verdict function),
  `verdict <object key> <CLEAN|INFECTED|ERROR> …`, parsed into `object_key` and `verdict`.
"""

from __future__ import annotations

from collections.abc import Sequence

from aws_cdk import aws_logs as logs
from constructs import Construct

from manabi_infra.deployment import Deployment, DeploymentConstruct

LEARNER_PLACEHOLDER = "<cognito-sub-of-the-learner>"
REQUEST_LINE = 'message = "request"'  # request_log's message of the one line per request
REQUEST_FIELDS = ("@timestamp", "method", "route", "status", "duration_ms", "problem")

ERRORS = "errors-in-the-last-hour"
LEARNER_REQUESTS = "requests-of-one-learner"
SLOWEST_REQUESTS = "slowest-api-requests"
SCAN_VERDICTS = "scan-verdicts"


class SavedQueries(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        function_log_groups: Sequence[logs.ILogGroup],
        api_log_group: logs.ILogGroup,
        scan_log_groups: Sequence[logs.ILogGroup],
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        self.folder = f"{self.config.prefix}-manabiplus{self.config.name_suffix}"
        self.queries: dict[str, logs.QueryDefinition] = {}
        self._query(
            "Errors",
            ERRORS,
            function_log_groups,
            logs.QueryString(
                fields=[
                    "@timestamp",
                    "service",
                    "level",
                    "message",
                    "exception_name",
                    "correlation_id",
                    "function_request_id",
                    "@log",
                ],
                filter_statements=['level = "ERROR" or @message like /Task timed out/'],
                sort="@timestamp desc",
                limit=200,
            ),
        )
        self._query(
            "LearnerRequests",
            LEARNER_REQUESTS,
            [api_log_group],
            logs.QueryString(
                fields=[*REQUEST_FIELDS, "groups", "correlation_id"],
                filter_statements=[REQUEST_LINE, f'principal_id = "{LEARNER_PLACEHOLDER}"'],
                sort="@timestamp desc",
                limit=500,
            ),
        )
        self._query(
            "SlowestRequests",
            SLOWEST_REQUESTS,
            [api_log_group],
            logs.QueryString(
                fields=[*REQUEST_FIELDS, "principal_id", "correlation_id"],
                filter_statements=[REQUEST_LINE],
                sort="duration_ms desc",
                limit=50,
            ),
        )
        self._query(
            "VerdictLines",
            SCAN_VERDICTS,
            scan_log_groups,
            logs.QueryString(
                parse_statements=[
                    r"message /^verdict (?<object_key>\S+) (?<verdict>CLEAN|INFECTED|ERROR)/"
                ],
                filter_statements=["ispresent(verdict)"],
                sort="@timestamp desc",
                limit=500,
                display="@timestamp, service, verdict, object_key, message",
            ),
        )

    def _query(
        self,
        construct_id: str,
        question: str,
        log_groups: Sequence[logs.ILogGroup],
        query: logs.QueryString,
    ) -> None:
        self.queries[question] = logs.QueryDefinition(
            self,
            construct_id,
            query_definition_name=f"{self.folder}/{question}",
            query_string=query,
            log_groups=list(log_groups),
        )
