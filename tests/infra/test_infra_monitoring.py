"""MP-MON-01/02, GL-SEC-03, MP-LOG-02 (trail side): dashboards, alarms, AWS Health rules and the
CloudTrail trail, proven on the synthesized templates of both environments (CloudWatch,
EventBridge and CloudTrail cannot run locally)."""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from manabi_api.api.request_log import RequestRecord
from manabi_api.kernel.principal import Group, Principal
from manabi_contract import app_metrics as app
from manabi_contract import names as contract
from manabi_contract.observability import emit_metric
from manabi_contract.verdicts import AvStatus
from manabi_infra.config import TOKYO, US_EAST_1, EnvName, ScanBackend
from manabi_infra.constructs import saved_queries
from manabi_infra.constructs.alerts import RUNBOOK
from manabi_infra.synth import REPO_ROOT

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra

AREAS = ("overview", "api", "functions", "data", "auth", "edge", "delivery")
# The design's metric groups [D §5.2.5] for the resources we run (docs/decisions/0031).
DESIGN_METRICS = {
    "AWS/ApiGateway": {"4XXError", "5XXError", "Count", "IntegrationLatency", "Latency"},
    "AWS/Lambda": {"Invocations", "Errors", "Throttles", "Duration", "ConcurrentExecutions"},
    "AWS/DynamoDB": {
        "ConsumedReadCapacityUnits",
        "ConsumedWriteCapacityUnits",
        "ThrottledRequests",
        "SystemErrors",
        "UserErrors",
        "SuccessfulRequestLatency",
    },
    "AWS/Cognito": {
        "SignUpSuccesses",
        "SignInSuccesses",
        "TokenRefreshSuccesses",
        "SignUpThrottles",
        "SignInThrottles",
        "TokenRefreshThrottles",
    },
    "AWS/WAFV2": {"AllowedRequests", "BlockedRequests", "CountedRequests"},
    "AWS/CloudFront": {
        "Requests",
        "BytesDownloaded",
        "BytesUploaded",
        "4xxErrorRate",
        "5xxErrorRate",
        "TotalErrorRate",
    },
    "AWS/CertificateManager": {"DaysToExpiry"},
    "AWS/SNS": {
        "NumberOfMessagesPublished",
        "NumberOfNotificationsDelivered",
        "NumberOfNotificationsFailed",
    },
    "AWS/S3": {"BucketSizeBytes", "NumberOfObjects"},
    "AWS/Route53": {"DNSQueries"},
    "AWS/Logs": {"IncomingLogEvents"},
}
# The dimensions each namespace's metrics need (UserErrors of DynamoDB is per account).
REQUIRED_DIMENSIONS = {
    "AWS/ApiGateway": {"ApiName", "Stage"},
    "AWS/Lambda": {"FunctionName"},
    "AWS/Cognito": {"UserPool", "UserPoolClient"},
    "AWS/CloudFront": {"DistributionId", "Region"},
    "AWS/CertificateManager": {"CertificateArn"},
    "AWS/SNS": {"TopicName"},
    "AWS/S3": {"BucketName", "StorageType"},
    "AWS/Route53": {"HostedZoneId"},
    "AWS/Logs": {"LogGroupName"},
    "AWS/SQS": {"QueueName"},
}
US_EAST_1_NAMESPACES = {"AWS/CloudFront", "AWS/CertificateManager", "AWS/Route53"}


def _render(value: Any, region: str) -> str:
    """A Fn::Join of the template as the deployed string; other tokens become `<token>`."""
    if isinstance(value, str):
        return value
    if value == {"Ref": "AWS::Region"}:
        return region
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, parts = value["Fn::Join"]
        return str(separator).join(_render(p, region) for p in parts)
    return "<token>"


def _dashboards(stack: SynthesizedStack) -> dict[str, dict[str, Any]]:
    found = {}
    for resource in stack.of_type("AWS::CloudWatch::Dashboard").values():
        properties = resource["Properties"]
        found[properties["DashboardName"]] = json.loads(_render(properties["DashboardBody"], TOKYO))
    return found


def _metric_lines(
    body: dict[str, Any],
) -> Iterator[tuple[dict[str, Any], str, str, dict[str, str], dict[str, Any]]]:
    """(widget properties, namespace, metric, dimensions, line options) of every metric line of
    every graph widget; expressions (SEARCH, metric math) are `_expressions`'."""
    for widget in body["widgets"]:
        properties = widget["properties"]
        for line in properties.get("metrics", []):
            options = line[-1] if isinstance(line[-1], dict) else {}
            names = [x for x in line if not isinstance(x, dict)]
            if not names:
                continue
            dimensions = dict(zip(names[2::2], names[3::2], strict=True))
            yield properties, names[0], names[1], dimensions, options


def _metrics(body: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, region) of every metric of every graph widget."""
    return [
        (namespace, metric, dimensions, options.get("region", properties.get("region")))
        for properties, namespace, metric, dimensions, options in _metric_lines(body)
    ]


def _alarms(stack: SynthesizedStack) -> dict[str, Resource]:
    return {
        r["Properties"]["AlarmName"]: r for r in stack.of_type("AWS::CloudWatch::Alarm").values()
    }


def _topic(stack: SynthesizedStack) -> dict[str, str]:
    topic_id, _ = stack.only("AWS::SNS::Topic")
    return {"Ref": topic_id}


def test_mp_mon_01_an_overview_and_a_dashboard_per_area(stack: SynthesizedStack) -> None:
    prefix = f"{stack.config.prefix}-manabiplus"
    assert set(_dashboards(stack)) == {f"{prefix}-{area}" for area in AREAS}


def test_mp_mon_01_every_metric_group_of_the_design_is_shown(stack: SynthesizedStack) -> None:
    shown: dict[str, set[str]] = {}
    for body in _dashboards(stack).values():
        for namespace, metric, _, _ in _metrics(body):
            shown.setdefault(namespace, set()).add(metric)
    for namespace, metrics in DESIGN_METRICS.items():
        assert metrics <= shown.get(namespace, set()), namespace


def test_mp_mon_01_widgets_name_the_resources_in_their_region(stack: SynthesizedStack) -> None:
    n = stack.names
    functions = {
        r["Properties"]["FunctionName"]
        for r in stack.of_type("AWS::Lambda::Function").values()
        if "FunctionName" in r["Properties"]
    }
    for body in _dashboards(stack).values():
        for namespace, metric, dimensions, region in _metrics(body):
            where = f"{namespace} {metric} {dimensions}"
            assert REQUIRED_DIMENSIONS.get(namespace, set()) <= set(dimensions), where
            if namespace != "AWS/WAFV2":  # by the WebACL's scope, below
                assert region == (US_EAST_1 if namespace in US_EAST_1_NAMESPACES else TOKYO), where
            if namespace == "AWS/CloudFront":
                assert dimensions["Region"] == "Global", where  # aws-cdk#19245
            if namespace == "AWS/ApiGateway":
                assert dimensions == {"ApiName": n.rest_api, "Stage": "v1"}, where
            if namespace == "AWS/Lambda":
                assert dimensions["FunctionName"] in functions, where
            if namespace == "AWS/DynamoDB" and metric != "UserErrors":
                assert dimensions["TableName"] == n.table, where
            if namespace == "AWS/WAFV2":
                acl = dimensions["WebACL"]
                if acl == n.cloudfront_web_acl:  # CLOUDFRONT scope: no Region, us-east-1
                    assert "Region" not in dimensions, where
                    assert region == US_EAST_1, where
                else:
                    assert acl == n.regional_web_acl, where
                    assert dimensions["Region"] == TOKYO, where
                    assert region == TOKYO, where
    overview = _dashboards(stack)[f"{stack.config.prefix}-manabiplus-overview"]
    assert overview["widgets"][0]["type"] == "alarm"  # "is it healthy?" comes first


def test_mp_mon_02_every_function_has_error_and_throttle_alarms(stack: SynthesizedStack) -> None:
    alarms = _alarms(stack)
    for function_id, function in stack.of_type("AWS::Lambda::Function").items():
        name = function["Properties"].get("FunctionName")
        if name is None:
            continue  # CDK's deploy-time notification helper runs none of our code
        for metric in ("Errors", "Throttles"):
            alarm = alarms[f"{name}-{metric.lower()}"]["Properties"]
            assert alarm["Namespace"] == "AWS/Lambda"
            assert alarm["MetricName"] == metric
            assert alarm["Dimensions"] == [{"Name": "FunctionName", "Value": {"Ref": function_id}}]
            assert (alarm["Statistic"], alarm["Period"]) == ("Sum", 300)
            assert alarm["Threshold"] == 1
            assert alarm["EvaluationPeriods"] == stack.config.alarms.evaluation_periods


def test_mp_mon_02_api_5xx_ratio_and_p90_latency(stack: SynthesizedStack) -> None:
    thresholds = stack.config.alarms
    alarms = _alarms(stack)
    ratio = alarms[f"{stack.names.rest_api}-5xx-ratio"]["Properties"]
    expression, *inputs = ratio["Metrics"]
    assert expression["Expression"] == "IF(requests > 0, 100 * errors / requests, 0)"
    assert {i["Id"]: i["MetricStat"]["Metric"]["MetricName"] for i in inputs} == {
        "errors": "5XXError",
        "requests": "Count",
    }
    assert {(i["MetricStat"]["Stat"], i["MetricStat"]["Period"]) for i in inputs} == {("Sum", 300)}
    assert ratio["Threshold"] == thresholds.api_5xx_percent
    latency = alarms[f"{stack.names.rest_api}-latency-p90"]["Properties"]
    assert (latency["MetricName"], latency["ExtendedStatistic"]) == ("Latency", "p90")
    assert latency["Threshold"] == thresholds.api_latency_p90_ms
    staging_first = {EnvName.STAGING: (5.0, 2000), EnvName.PRODUCTION: (1.0, 1000)}
    assert staging_first[stack.config.name] == (ratio["Threshold"], latency["Threshold"])


def test_mp_mon_02_table_throttles_and_system_errors(stack: SynthesizedStack) -> None:
    alarms = _alarms(stack)
    for suffix, metric in (("throttled", "ThrottledRequests"), ("system-errors", "SystemErrors")):
        expression, *inputs = alarms[f"{stack.names.table}-{suffix}"]["Properties"]["Metrics"]
        assert {i["MetricStat"]["Metric"]["MetricName"] for i in inputs} == {metric}
        operations = {
            d["Value"]
            for i in inputs
            for d in i["MetricStat"]["Metric"]["Dimensions"]
            if d["Name"] == "Operation"
        }
        assert {"GetItem", "PutItem", "UpdateItem", "Query", "TransactWriteItems"} <= operations
        assert expression["Expression"].count("+") == len(inputs) - 1


def test_mp_mon_02_waf_spikes_alarm_in_production_only(
    stack: SynthesizedStack, edge_stacks: dict[EnvName, SynthesizedStack]
) -> None:
    edge = edge_stacks[stack.config.name]
    spikes = [
        a
        for s in (stack, edge)
        for name, a in _alarms(s).items()
        if name.endswith("-blocked-spike")
    ]
    if stack.config.name is EnvName.STAGING:
        assert spikes == []  # staging only counts (MP-WAF-02)
        return
    assert len(spikes) == 2
    for alarm in spikes:
        properties = alarm["Properties"]
        assert properties["MetricName"] == "BlockedRequests"
        assert properties["Threshold"] == stack.config.alarms.waf_blocked_requests


def test_mp_mon_02_certificate_expiry_alarms_in_us_east_1(edge: SynthesizedStack) -> None:
    alarm = _alarms(edge)[f"{edge.names.web_distribution}-certificate-expiry"]["Properties"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/CertificateManager", "DaysToExpiry")
    assert (alarm["Statistic"], alarm["Period"]) == ("Minimum", 86400)  # published ~twice a day
    assert alarm["ComparisonOperator"] == "LessThanOrEqualToThreshold"
    assert alarm["Threshold"] == edge.config.alarms.certificate_days_to_expiry
    assert alarm["TreatMissingData"] == "breaching"
    assert alarm["AlarmActions"] == [_topic(edge)]


def test_mp_mon_02_every_alarm_notifies_its_regions_topic_with_a_runbook_entry(
    every_stack: SynthesizedStack,
) -> None:
    stack = every_stack
    runbook = (REPO_ROOT / RUNBOOK).read_text()
    anchors = set(re.findall(r"^### (\S+)$", runbook, flags=re.MULTILINE))
    alarms = _alarms(stack)
    assert alarms, "every stack has at least its topic's delivery alarm"
    for name, alarm in alarms.items():
        properties = alarm["Properties"]
        assert properties["AlarmActions"] == properties["OKActions"] == [_topic(stack)], name
        assert properties["TreatMissingData"] in {"notBreaching", "breaching"}, name
        found = re.search(rf"Runbook: {re.escape(RUNBOOK)}#(\S+)$", properties["AlarmDescription"])
        assert found, name
        assert found[1] in anchors, name


def test_mp_mon_02_health_events_reach_the_topic_in_every_region(
    every_stack: SynthesizedStack,
) -> None:
    stack = every_stack
    rules = [
        r["Properties"]
        for r in stack.of_type("AWS::Events::Rule").values()
        if r["Properties"].get("EventPattern", {}).get("source") == ["aws.health"]
    ]
    assert len(rules) == 1
    assert rules[0]["Targets"][0]["Arn"] == _topic(stack)
    key_policies = [
        s
        for lid, key in stack.of_type("AWS::KMS::Key").items()
        if "AlertsTopicKey" in lid
        for s in key["Properties"]["KeyPolicy"]["Statement"]
    ]
    services = {s["Principal"].get("Service") for s in key_policies}
    assert {"cloudwatch.amazonaws.com", "events.amazonaws.com"} <= services


def test_gl_sec_03_mp_log_02_one_multi_region_validated_encrypted_trail(
    stack: SynthesizedStack,
) -> None:
    _, trail = stack.only("AWS::CloudTrail::Trail")
    properties = trail["Properties"]
    assert properties["TrailName"] == stack.names.trail
    assert properties["IsMultiRegionTrail"]
    assert properties["IncludeGlobalServiceEvents"]
    assert properties["EnableLogFileValidation"]
    assert properties["IsLogging"]
    assert "CloudWatchLogsLogGroupArn" in properties
    bucket_id, bucket = stack.named("AWS::S3::Bucket", "BucketName", stack.names.cloudtrail_bucket)
    assert properties["S3BucketName"] == {"Ref": bucket_id}
    assert bucket["Properties"]["VersioningConfiguration"] == {"Status": "Enabled"}
    rules = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert [r["ExpirationInDays"] for r in rules] == [761]
    selectors = properties["EventSelectors"]
    assert all(s["IncludeManagementEvents"] and s["ReadWriteType"] == "All" for s in selectors)
    data = [v for s in selectors for r in s.get("DataResources", []) for v in r["Values"]]
    logged = {v["Fn::Join"][1][0]["Fn::GetAtt"][0] for v in data}
    data_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.data_bucket)
    backup_id, _ = stack.named("AWS::S3::Bucket", "BucketName", stack.names.backup_bucket)
    assert logged == {data_id, backup_id}  # not the trail's own bucket
    key_id = properties["KMSKeyId"]["Fn::GetAtt"][0]
    statements = stack.resources[key_id]["Properties"]["KeyPolicy"]["Statement"]
    cloudtrail = [
        s for s in statements if s["Principal"].get("Service") == "cloudtrail.amazonaws.com"
    ]
    assert {a for s in cloudtrail for a in [s["Action"]] if isinstance(a, str)} >= {
        "kms:GenerateDataKey*",
        "kms:DescribeKey",
    }
    for statement in cloudtrail:
        assert "aws:SourceArn" in statement["Condition"]["StringEquals"]
    assert stack.resources[key_id]["Properties"]["EnableKeyRotation"] is True


# --- the overview's application metrics and the saved queries (MP-MON-01, MP-MON-03) ------------
def _emitted(service: str, name: str, extra: Mapping[str, str] | None = None) -> tuple[Any, ...]:
    """(namespace, metric, dimensions) of the EMF line `emit_metric` really writes."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        emit_metric(service, name, dimensions=extra)
    blob = json.loads(out.getvalue())
    (directive,) = blob["_aws"]["CloudWatchMetrics"]
    (dimension_set,) = directive["Dimensions"]
    (written,) = directive["Metrics"]
    return directive["Namespace"], written["Name"], {d: blob[d] for d in dimension_set}


# What each function emits (manabi_api.post_confirmation, manabi_api.api.request_log,
# manabi_scanner.wiring; tests/unit/test_app_metrics.py proves the emitters).
EMITTED_COUNTS = [
    (contract.POST_CONFIRMATION_SERVICE, app.SIGN_UPS, None),
    *((contract.API_SERVICE, action, None) for action in app.BUSINESS_ACTIONS),
]
EMITTED_SCANS = [
    *(
        (contract.SCANNER_SERVICE, app.SCAN_VERDICTS, {app.VERDICT_DIMENSION: v.value})
        for v in AvStatus
    ),
    (contract.SCANNER_SERVICE, app.SCAN_DURATION_MS, None),
]
POWERTOOLS_METRICS = {"ColdStart"}  # Powertools' own (dimensions function_name and service)


def _overview(stack: SynthesizedStack) -> dict[str, Any]:
    return _dashboards(stack)[f"{stack.config.prefix}-manabiplus-overview"]


def _app_lines(body: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str, int]]:
    """(title, metric, dimensions, stat, period) of every metric of ours in a dashboard."""
    return [
        (
            properties["title"],
            metric,
            dimensions,
            options["stat"],
            int(options.get("period", properties.get("period", 300))),
        )
        for properties, namespace, metric, dimensions, options in _metric_lines(body)
        if namespace == contract.METRICS_NAMESPACE
    ]


def _expressions(body: dict[str, Any]) -> dict[str, list[str]]:
    """The expressions (SEARCH, metric math) of each graph, by title."""
    found: dict[str, list[str]] = {}
    for widget in body["widgets"]:
        properties = widget["properties"]
        for line in properties.get("metrics", []):
            for item in line:
                if isinstance(item, dict) and "expression" in item:
                    found.setdefault(properties["title"], []).append(item["expression"])
    return found


def test_mp_mon_01_overview_shows_the_application_counts_as_emitted(
    scan_stack: SynthesizedStack,
) -> None:
    """MP-MON-01/03: sign-ups, enrolments, completions, submissions, grades (sums per hour) and,
    with the ClamAV scanner, the verdicts by verdict: each line reads the namespace, the metric
    and exactly the dimension set `emit_metric` writes for the function that emits it."""
    stack = scan_stack
    lines = _app_lines(_overview(stack))
    shown = [(contract.METRICS_NAMESPACE, m, d) for _, m, d, _, _ in lines]
    clamav = stack.config.scan_backend is ScanBackend.CLAMAV
    expected = EMITTED_COUNTS + (EMITTED_SCANS if clamav else [])
    for service, name, extra in expected:
        assert _emitted(service, name, extra) in shown, (service, name, extra)
    # Nothing else of ours: a widget whose dimensions differ from the EMF shows an empty graph.
    allowed = [_emitted(*e) for e in expected]
    for title, name, dimensions, stat, period in lines:
        if name in POWERTOOLS_METRICS:
            continue
        assert (contract.METRICS_NAMESPACE, name, dimensions) in allowed, (title, name)
        if name != app.SCAN_DURATION_MS:
            assert (stat, period) == ("Sum", 3600), (title, name)
    if not clamav:  # the GuardDuty backend's verdict function emits neither scan metric
        assert {app.SCAN_VERDICTS, app.SCAN_DURATION_MS}.isdisjoint(m for _, m, *_ in lines)


def test_mp_mon_01_overview_shows_scan_duration_p50_and_p90(stack: SynthesizedStack) -> None:
    """MP-MON-01/03: ScanDurationMs of the scanner, dimension `service` only, at p50 and p90."""
    emitted = _emitted(contract.SCANNER_SERVICE, app.SCAN_DURATION_MS)
    stats = {
        stat
        for _, name, dimensions, stat, _ in _app_lines(_overview(stack))
        if (contract.METRICS_NAMESPACE, name, dimensions) == emitted
    }
    assert stats == {"p50", "p90"}


def test_mp_mon_01_overview_shows_problem_responses_by_type(stack: SynthesizedStack) -> None:
    """MP-MON-01/03: one SEARCH over exactly the dimension set of ProblemResponses (`problem`,
    `service` of the API), so every problem slug gets a line without listing them."""
    namespace, name, dimensions = _emitted(
        contract.API_SERVICE, app.PROBLEM_RESPONSES, {app.PROBLEM_DIMENSION: "not-found"}
    )
    schema = ",".join([namespace, *sorted(dimensions)])
    (expression,) = _expressions(_overview(stack))["Problem responses by type (sums per hour)"]
    assert expression == (
        f'SEARCH(\'{{{schema}}} MetricName="{name}" '
        f"{app.SERVICE_DIMENSION}=\"{contract.API_SERVICE}\"', 'Sum', 3600)"
    )
    assert dimensions[app.SERVICE_DIMENSION] == contract.API_SERVICE


def _queries(stack: SynthesizedStack) -> dict[str, Resource]:
    return {
        r["Properties"]["Name"]: r for r in stack.of_type("AWS::Logs::QueryDefinition").values()
    }


def _group_names(stack: SynthesizedStack, query: Resource) -> set[str]:
    """The physical names of a query's log groups (Refs to the stack's own groups)."""
    found = set()
    for group in query["Properties"]["LogGroupNames"]:
        if isinstance(group, dict):
            group = stack.resources[group["Ref"]]["Properties"]["LogGroupName"]
        found.add(group)
    return found


def _writes_to(stack: SynthesizedStack, function: str) -> str:
    """The log group a function writes to (its LoggingConfig: the GuardDuty verdict function
    shares the scanner's group)."""
    _, resource = stack.named("AWS::Lambda::Function", "FunctionName", function)
    ref = resource["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    name: str = stack.resources[ref]["Properties"]["LogGroupName"]
    return name


def _query(stack: SynthesizedStack, question: str) -> tuple[set[str], str]:
    folder = f"{stack.config.prefix}-manabiplus{stack.config.name_suffix}"
    query = _queries(stack)[f"{folder}/{question}"]
    return _group_names(stack, query), query["Properties"]["QueryString"]


def _request_line(caplog: pytest.LogCaptureFixture) -> dict[str, Any]:
    """The API's real request line (manabi_api.api.request_log) for a learner's 200."""
    record = RequestRecord(method="GET", route="/courses/{courseId}")
    record.principal = Principal("learner-sub", "l@example.jp", frozenset({Group.LEARNERS}))
    with caplog.at_level(logging.INFO, logger="manabi_api.api.request_log"):
        record.finish({"statusCode": 200})
    (line,) = [r for r in caplog.records if r.name == "manabi_api.api.request_log"]
    return {"message": line.getMessage(), **vars(line)}


def _fields_of(query: str) -> list[str]:
    (fields,) = [s for s in query.split("\n") if s.startswith("fields ")]
    return [f.strip() for f in fields.removeprefix("fields ").split(",")]


def test_mp_mon_03_saved_queries_one_per_question_named_per_environment(
    stack: SynthesizedStack,
) -> None:
    folder = f"{stack.config.prefix}-manabiplus"
    assert set(_queries(stack)) == {
        f"{folder}/{q}"
        for q in (
            saved_queries.ERRORS,
            saved_queries.LEARNER_REQUESTS,
            saved_queries.SLOWEST_REQUESTS,
            saved_queries.SCAN_VERDICTS,
        )
    }


def test_mp_mon_03_errors_query_reads_every_functions_log_group(
    scan_stack: SynthesizedStack,
) -> None:
    """Errors in the last hour: level ERROR (Powertools) in every function of ours."""
    stack = scan_stack
    groups, query = _query(stack, saved_queries.ERRORS)
    functions = {
        r["Properties"]["FunctionName"]
        for r in stack.of_type("AWS::Lambda::Function").values()
        if isinstance(r["Properties"].get("FunctionName"), str)
    }
    assert groups == {_writes_to(stack, f) for f in functions}
    assert stack.names.api_log_group in groups
    assert stack.names.scan_log_group in groups
    assert 'filter level = "ERROR"' in query
    assert {"service", "message", "correlation_id"} <= set(_fields_of(query))


def test_mp_mon_03_learner_query_selects_the_request_line_by_cognito_sub(
    stack: SynthesizedStack, caplog: pytest.LogCaptureFixture
) -> None:
    """Requests of one learner: the API's request lines whose `principal_id` (the Cognito sub,
    the only id of a learner the logs hold) is the one the operator fills in."""
    groups, query = _query(stack, saved_queries.LEARNER_REQUESTS)
    assert groups == {stack.names.api_log_group}
    line = _request_line(caplog)
    assert line["message"] == "request"
    assert line["principal_id"] == "learner-sub"
    assert '| filter message = "request"' in query
    assert f'| filter principal_id = "{saved_queries.LEARNER_PLACEHOLDER}"' in query
    plain = [f for f in _fields_of(query) if not f.startswith("@") and f != "correlation_id"]
    assert plain
    assert all(f in line for f in plain), plain  # fields the request line has


def test_mp_mon_03_slowest_requests_query_sorts_by_duration(
    stack: SynthesizedStack, caplog: pytest.LogCaptureFixture
) -> None:
    groups, query = _query(stack, saved_queries.SLOWEST_REQUESTS)
    assert groups == {stack.names.api_log_group}
    line = _request_line(caplog)
    assert '| filter message = "request"' in query
    assert "| sort duration_ms desc" in query
    assert isinstance(line["duration_ms"], float)
    plain = [f for f in _fields_of(query) if not f.startswith("@") and f != "correlation_id"]
    assert {"route", "status", "duration_ms"} <= set(plain)
    assert all(f in line for f in plain)


def test_mp_mon_03_scan_verdicts_query_reads_the_verdict_lines(
    scan_stack: SynthesizedStack,
) -> None:
    """Scan verdicts: the `verdict <key> <status> …` lines of the function that writes them
    (the ClamAV scanner or the GuardDuty backend's verdict function), parsed into fields."""
    stack, n = scan_stack, scan_stack.names
    groups, query = _query(stack, saved_queries.SCAN_VERDICTS)
    clamav = stack.config.scan_backend is ScanBackend.CLAMAV
    writer = n.scan_function if clamav else n.guardduty_verdict_function
    assert groups == {_writes_to(stack, writer)}
    (parse,) = [s for s in query.split("\n") if s.startswith("parse message /")]
    pattern = re.compile(parse.removeprefix("parse message /").rstrip("/").replace("(?<", "(?P<"))
    for status in AvStatus:  # the scanners' line: "verdict %s %s %s" (key, status, signature)
        found = pattern.search(f"verdict uploads/u1/a.pdf {status.value} None")
        assert found, status
        assert found["verdict"] == status.value, status
        assert found["object_key"] == "uploads/u1/a.pdf"
    assert "filter ispresent(verdict)" in query
    assert "verdict" in query.split("display ")[1]
