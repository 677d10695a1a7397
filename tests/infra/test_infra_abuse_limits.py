"""GL-SEC-04 (abuse limits) and GL-SEC-05 (origin-secret rotation) on the synthesized templates
of both environments. API Gateway throttling, reserved concurrency, WAF rate-based rules and
Secrets Manager rotation are not emulated by moto: the templates are the proof."""

from __future__ import annotations

import json

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_contract.problems import GATEWAY_PROBLEMS
from manabi_contract.table import TIME_TO_LIVE
from manabi_infra import names
from manabi_infra.config import API_SECONDS_PER_REQUEST, UNRESERVED_MINIMUM
from manabi_infra.constructs.waf import ORIGIN_HEADER_RULE, RATE_LIMIT_RULE, RATE_WINDOW_SECONDS
from tests.infra.conftest import SynthesizedStack


def test_gl_sec_04_stage_throttling_from_the_config(stack: SynthesizedStack) -> None:
    _, stage = stack.only("AWS::ApiGateway::Stage")
    (settings,) = stage["Properties"]["MethodSettings"]
    assert settings["HttpMethod"] == "*"
    assert settings["ResourcePath"] == "/*"
    assert settings["ThrottlingRateLimit"] == stack.config.api_throttle_rate
    assert settings["ThrottlingBurstLimit"] == stack.config.api_throttle_burst


def test_gl_sec_04_throttled_answers_429_with_retry_after(stack: SynthesizedStack) -> None:
    responses = [
        r["Properties"]
        for r in stack.of_type("AWS::ApiGateway::GatewayResponse").values()
        if r["Properties"]["ResponseType"] == "THROTTLED"
    ]
    (throttled,) = responses
    assert throttled["StatusCode"] == "429"
    headers = throttled["ResponseParameters"]
    (problem,) = [p for p in GATEWAY_PROBLEMS if p.response_type == "THROTTLED"]
    assert problem.retry_after_seconds == 1  # the stage's token bucket refills every second
    assert headers["gatewayresponse.header.Retry-After"] == f"'{problem.retry_after_seconds}'"
    assert headers["gatewayresponse.header.Access-Control-Allow-Origin"] == (
        f"'{stack.config.web_origin}'"
    )
    # A VTL template (the gateway's quoted message is pasted in), not JSON until rendered.
    assert '"status":429' in throttled["ResponseTemplates"]["application/json"]


def test_gl_sec_04_reserved_concurrency_leaves_room_for_cognito(stack: SynthesizedStack) -> None:
    _, function = stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)
    reserved = function["Properties"]["ReservedConcurrentExecutions"]
    config = stack.config
    assert reserved == config.api_reserved_concurrency
    # Sized from the measured request time: the burst at 332 ms each.
    assert reserved >= config.api_throttle_burst * API_SECONDS_PER_REQUEST
    everything_reserved = sum(
        f["Properties"].get("ReservedConcurrentExecutions", 0)
        for f in stack.of_type("AWS::Lambda::Function").values()
    )
    assert config.account_concurrency - everything_reserved >= UNRESERVED_MINIMUM
    # The Cognito trigger reserves nothing: it runs from the unreserved pool.
    triggers = [
        f
        for f in stack.of_type("AWS::Lambda::Function").values()
        if f["Properties"].get("Handler") == contract.POST_CONFIRMATION_HANDLER
    ]
    assert triggers
    assert all("ReservedConcurrentExecutions" not in t["Properties"] for t in triggers)


def test_gl_sec_04_rate_based_rule_counts_in_staging_blocks_in_production(
    edge: SynthesizedStack,
) -> None:
    _, acl = edge.only("AWS::WAFv2::WebACL")
    rule = next(r for r in acl["Properties"]["Rules"] if r["Name"] == RATE_LIMIT_RULE)
    statement = rule["Statement"]["RateBasedStatement"]
    config = edge.config
    assert statement["AggregateKeyType"] == "IP"
    assert statement["Limit"] == config.waf_rate_limit
    assert statement["EvaluationWindowSec"] == RATE_WINDOW_SECONDS
    # Only the API distribution's requests count (its Host header).
    host = statement["ScopeDownStatement"]["ByteMatchStatement"]
    assert host["FieldToMatch"] == {"SingleHeader": {"Name": "host"}}
    assert host["SearchString"] == config.api_domain
    if config.waf_block:
        block = rule["Action"]["Block"]["CustomResponse"]
        assert block["ResponseCode"] == 429
        headers = {h["Name"]: h["Value"] for h in block["ResponseHeaders"]}
        assert headers["Retry-After"] == str(RATE_WINDOW_SECONDS)
        # The SPA reads the 429 across origins and backs off (web/src/api/client.ts).
        assert headers["Access-Control-Allow-Origin"] == config.web_origin
        body = acl["Properties"]["CustomResponseBodies"][block["CustomResponseBodyKey"]]
        assert json.loads(body["Content"])["status"] == 429
    else:
        assert rule["Action"] == {"Count": {}}
    assert config.waf_rate_limit in (600, 1000)
    assert (config.name.value == "production") is config.waf_block


def test_gl_sec_05_origin_secret_rotates_on_a_schedule(stack: SynthesizedStack) -> None:
    _, schedule = stack.only("AWS::SecretsManager::RotationSchedule")
    props = schedule["Properties"]
    days = stack.config.origin_secret_rotation_days
    assert props["RotationRules"] == {"ScheduleExpression": f"rate({days} days)"}
    secret_id, _ = stack.named("AWS::SecretsManager::Secret", "Name", stack.names.origin_secret)
    assert props["SecretId"] == {"Ref": secret_id}
    function_id = props["RotationLambdaARN"]["Fn::GetAtt"][0]
    function = stack.resources[function_id]["Properties"]
    assert function["Handler"] == contract.ORIGIN_ROTATION_HANDLER
    variables = function["Environment"]["Variables"]
    assert variables[env.ORIGIN_RULE_NAME] == ORIGIN_HEADER_RULE
    assert variables[env.ORIGIN_HEADER] == names.ORIGIN_SECRET_HEADER
    assert variables[env.ORIGIN_WEB_ACL_NAME] == stack.names.regional_web_acl
    # The WebACL's header rule is the one the function rewrites.
    _, acl = stack.named("AWS::WAFv2::WebACL", "Name", stack.names.regional_web_acl)
    assert [r["Name"] for r in acl["Properties"]["Rules"]] == [ORIGIN_HEADER_RULE]
    # The function may touch only the WebACL, the distribution and the secret.
    role_id = function["Role"]["Fn::GetAtt"][0]
    policy = next(
        p["Properties"]["PolicyDocument"]["Statement"]
        for p in stack.of_type("AWS::IAM::Policy").values()
        if {"Ref": role_id} in p["Properties"]["Roles"]
    )
    wildcard = [s for s in policy if s["Resource"] == "*"]
    assert [s["Action"] for s in wildcard] == ["secretsmanager:GetRandomPassword"]


def test_gl_sec_04_the_upload_limit_reaches_the_api_and_its_counters_expire(
    stack: SynthesizedStack,
) -> None:
    """GL-SEC-04: the typed config's uploads per learner per hour is the API's UPLOADS_PER_HOUR,
    and the table's TimeToLive deletes the hourly counters."""
    _, function = stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)
    variables = function["Properties"]["Environment"]["Variables"]
    assert variables[env.UPLOADS_PER_HOUR] == str(stack.config.uploads_per_learner_per_hour)
    _, table = stack.named("AWS::DynamoDB::Table", "TableName", stack.names.table)
    assert table["Properties"]["TimeToLiveSpecification"] == {
        "AttributeName": TIME_TO_LIVE,
        "Enabled": True,
    }


def test_app_auth_01_no_deployed_function_runs_in_local_mode(
    every_stack: SynthesizedStack,
) -> None:
    """APP-AUTH-01: the API accepts the emulator's token key only when MANABI_ENV is `local`;
    no function of any deployed stack carries that value (each names its environment)."""
    for function in every_stack.of_type("AWS::Lambda::Function").values():
        variables = function["Properties"].get("Environment", {}).get("Variables", {})
        assert variables.get(env.STAGE) != env.LOCAL_STAGE
        if env.STAGE in variables:
            assert variables[env.STAGE] == every_stack.config.name.value
