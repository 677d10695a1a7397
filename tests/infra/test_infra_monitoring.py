"""MP-MON-01/02, GL-SEC-03, MP-LOG-02 (trail side): dashboards, alarms, AWS Health rules and the
CloudTrail trail, proven on the synthesized templates of both environments (CloudWatch,
EventBridge and CloudTrail cannot run locally)."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from manabi_infra.config import TOKYO, US_EAST_1, EnvName
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


def _metrics(body: dict[str, Any]) -> list[tuple[str, str, dict[str, str], str]]:
    """(namespace, metric, dimensions, region) of every metric of every graph widget."""
    found = []
    for widget in body["widgets"]:
        properties = widget["properties"]
        for line in properties.get("metrics", []):
            options = line[-1] if isinstance(line[-1], dict) else {}
            names = [x for x in line if not isinstance(x, dict)]
            namespace, metric, rest = names[0], names[1], names[2:]
            dimensions = dict(zip(rest[::2], rest[1::2], strict=True))
            region = options.get("region", properties.get("region"))
            found.append((namespace, metric, dimensions, region))
    return found


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
