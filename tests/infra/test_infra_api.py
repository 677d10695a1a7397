"""MP-APIGW-01..03: the REST API in front of the one Lambda function."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.config import LOG_RETENTION_DAYS

from .conftest import Resource, SynthesizedStack

pytestmark = pytest.mark.infra


def _rest_api(stack: SynthesizedStack) -> tuple[str, Resource]:
    return stack.named("AWS::ApiGateway::RestApi", "Name", stack.names.rest_api)


def _methods(stack: SynthesizedStack) -> dict[tuple[str, str], dict[str, Any]]:
    """Methods by (path, HTTP method); the root resource has path "/"."""
    api_id, _ = _rest_api(stack)
    paths: dict[str, str] = {}
    for logical_id, resource in stack.of_type("AWS::ApiGateway::Resource").items():
        props = resource["Properties"]
        assert props["ParentId"] == {"Fn::GetAtt": [api_id, "RootResourceId"]}  # one level deep
        paths[logical_id] = "/" + props["PathPart"]
    methods = {}
    for method in stack.of_type("AWS::ApiGateway::Method").values():
        props = method["Properties"]
        resource_id = props["ResourceId"]
        path = paths[resource_id["Ref"]] if "Ref" in resource_id else "/"
        methods[(path, props["HttpMethod"])] = props
    return methods


def _invokes_api_function(stack: SynthesizedStack, method: dict[str, Any]) -> bool:
    function_id, _ = stack.named("AWS::Lambda::Function", "FunctionName", stack.names.api_function)
    integration = method["Integration"]
    return integration["Type"] == "AWS_PROXY" and function_id in str(integration["Uri"])


def test_mp_apigw_01_regional_rest_api(stack: SynthesizedStack) -> None:
    _, api = _rest_api(stack)
    assert api["Properties"]["EndpointConfiguration"] == {"Types": ["REGIONAL"]}


def test_mp_apigw_02_proxy_routes_to_lambda_behind_cognito(stack: SynthesizedStack) -> None:
    methods = _methods(stack)
    authorizer_id, authorizer = stack.only("AWS::ApiGateway::Authorizer")
    pool_id, _ = stack.only("AWS::Cognito::UserPool")
    assert authorizer["Properties"]["Type"] == "COGNITO_USER_POOLS"
    assert authorizer["Properties"]["IdentitySource"] == "method.request.header.Authorization"
    assert pool_id in str(authorizer["Properties"]["ProviderARNs"])
    for route in (("/{proxy+}", "ANY"), ("/", "ANY")):
        method = methods[route]
        assert method["AuthorizationType"] == "COGNITO_USER_POOLS", route
        assert method["AuthorizerId"] == {"Ref": authorizer_id}, route
        assert _invokes_api_function(stack, method), route


def test_mp_apigw_02_health_is_public(stack: SynthesizedStack) -> None:
    method = _methods(stack)[(f"/{names.HEALTH_PATH}", "GET")]
    assert method["AuthorizationType"] == "NONE"
    assert "AuthorizerId" not in method
    assert _invokes_api_function(stack, method)


def test_mp_apigw_02_every_route_is_known(stack: SynthesizedStack) -> None:
    """No route reaches the function without the authorizer except GET /health."""
    open_routes = {
        route
        for route, method in _methods(stack).items()
        if method["AuthorizationType"] == "NONE" and route[1] != "OPTIONS"
    }
    assert open_routes == {(f"/{names.HEALTH_PATH}", "GET")}


def test_mp_apigw_02_cors_preflight_for_the_web_origin(stack: SynthesizedStack) -> None:
    methods = _methods(stack)
    for path in ("/", "/{proxy+}", f"/{names.HEALTH_PATH}"):
        options = methods[(path, "OPTIONS")]
        assert options["AuthorizationType"] == "NONE"  # browsers send no token in preflights
        assert options["Integration"]["Type"] == "MOCK"
        (response,) = options["Integration"]["IntegrationResponses"]
        headers = response["ResponseParameters"]
        prefix = "method.response.header.Access-Control-Allow-"
        assert headers[prefix + "Origin"] == f"'{stack.config.web_origin}'"
        assert headers[prefix + "Headers"] == "'Authorization,Content-Type,Idempotency-Key'"
        assert set(headers[prefix + "Methods"].strip("'").split(",")) >= {
            "GET",
            "POST",
            "PUT",
            "PATCH",
            "DELETE",
            "OPTIONS",
        }


def test_mp_apigw_02_gateway_errors_carry_cors_header(stack: SynthesizedStack) -> None:
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]["ResponseParameters"]
        for r in stack.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    for response_type in ("DEFAULT_4XX", "DEFAULT_5XX"):
        header = responses[response_type]["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert header == f"'{stack.config.web_origin}'"


def test_mp_apigw_03_stage_tracing_logs(stack: SynthesizedStack) -> None:
    _, stage = stack.only("AWS::ApiGateway::Stage")
    props = stage["Properties"]
    assert props["StageName"] == names.API_STAGE == "v1"
    assert props["TracingEnabled"] is True
    (settings,) = props["MethodSettings"]
    assert settings["DataTraceEnabled"] is False
    assert settings["LoggingLevel"] in {"ERROR", "INFO"}
    assert settings["MetricsEnabled"] is stack.config.api_detailed_metrics
    log_id, log_group = stack.named(
        "AWS::Logs::LogGroup", "LogGroupName", stack.names.api_access_log_group
    )
    assert log_id in str(props["AccessLogSetting"]["DestinationArn"])
    assert log_group["Properties"]["RetentionInDays"] == LOG_RETENTION_DAYS
    # Stage logging needs the account-level CloudWatch role (docs/decisions/0018).
    _, account = stack.only("AWS::ApiGateway::Account")
    assert "CloudWatchRoleArn" in account["Properties"]


def test_mp_apigw_03_detailed_metrics_in_production_only(
    staging: SynthesizedStack, production: SynthesizedStack
) -> None:
    def metrics(stack: SynthesizedStack) -> bool:
        _, stage = stack.only("AWS::ApiGateway::Stage")
        return bool(stage["Properties"]["MethodSettings"][0]["MetricsEnabled"])

    assert (metrics(staging), metrics(production)) == (False, True)


GATEWAY_STATUSES = {
    "UNAUTHORIZED": "401",
    "ACCESS_DENIED": "403",
    "EXPIRED_TOKEN": "403",
    "INVALID_SIGNATURE": "403",
    "MISSING_AUTHENTICATION_TOKEN": "403",
    "REQUEST_TOO_LARGE": "413",
    "THROTTLED": "429",
    "QUOTA_EXCEEDED": "429",
    "WAF_FILTERED": "403",
    "INTEGRATION_TIMEOUT": "504",
    "DEFAULT_4XX": None,  # the gateway's own status for the error
    "DEFAULT_5XX": None,
}


def test_mp_apigw_02_gateway_responses_are_problem_details(stack: SynthesizedStack) -> None:
    """Decision 0033: each gateway response type answers application/problem+json with our
    type URI, the request id, the CORS header and (429) Retry-After, on both environments."""
    responses = {
        r["Properties"]["ResponseType"]: r["Properties"]
        for r in stack.of_type("AWS::ApiGateway::GatewayResponse").values()
    }
    assert set(responses) == set(GATEWAY_STATUSES)
    for response_type, status in GATEWAY_STATUSES.items():
        props = responses[response_type]
        assert props.get("StatusCode") == status, response_type
        headers = props["ResponseParameters"]
        assert headers["gatewayresponse.header.Content-Type"] == "'application/problem+json'"
        origin = headers["gatewayresponse.header.Access-Control-Allow-Origin"]
        assert origin == f"'{stack.config.web_origin}'"
        retry_after = headers.get("gatewayresponse.header.Retry-After")
        assert (retry_after is not None) == (status == "429"), response_type
        template = props["ResponseTemplates"]["application/json"]
        body = json.loads(
            template.replace("$context.error.messageString", '"m"').replace(
                "$context.requestId", "r-1"
            )
        )
        assert body["type"].startswith("https://manabiplus.example.jp/problems/")
        assert body["status"] == int(status or (400 if response_type == "DEFAULT_4XX" else 500))
        assert body["requestId"] == "r-1"
        assert body["instance"] == "urn:request:r-1"
        assert body["detail"] == "m"
