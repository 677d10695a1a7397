"""HTTP request -> REST v1 proxy event, handler result -> HTTP response (manabi_local.events)."""

from __future__ import annotations

import base64
from dataclasses import replace
from typing import Any

import pytest

from manabi_local.events import (
    HttpRequest,
    LambdaContext,
    MalformedResponseError,
    build_event,
    parse_result,
)
from manabi_local.routes import RouteTable


def _event(
    routes: RouteTable, request: HttpRequest, claims: dict[str, str] | None = None
) -> dict[str, Any]:
    match = routes.match(request.method, request.path)
    assert match is not None
    return build_event(request, match, routes, claims, port=8081, request_id="r-1", now=0.0)


def test_event_fields_for_a_greedy_route(routes: RouteTable) -> None:
    request = HttpRequest(
        method="GET",
        target="/courses/abc/lessons?limit=5&tag=a&tag=b&empty=",
        headers=[("Host", "127.0.0.1:8081"), ("Accept", "a"), ("Accept", "b"), ("User-Agent", "t")],
        source_ip="127.0.0.9",
    )
    event = _event(routes, request, {"sub": "u-1", "cognito:groups": "teachers"})
    assert event["resource"] == "/{proxy+}"
    assert event["path"] == "/courses/abc/lessons"
    assert event["httpMethod"] == "GET"
    assert event["pathParameters"] == {"proxy": "courses/abc/lessons"}
    assert event["queryStringParameters"] == {"limit": "5", "tag": "b", "empty": ""}
    assert event["multiValueQueryStringParameters"] == {
        "limit": ["5"],
        "tag": ["a", "b"],
        "empty": [""],
    }
    assert event["headers"]["Accept"] == "b"
    assert event["multiValueHeaders"]["Accept"] == ["a", "b"]
    assert event["headers"]["X-Forwarded-For"] == "127.0.0.9"
    assert event["stageVariables"] is None
    assert event["body"] is None
    assert event["isBase64Encoded"] is False
    context = event["requestContext"]
    assert context["resourcePath"] == "/{proxy+}"
    assert context["httpMethod"] == "GET"
    assert context["path"] == "/v1/courses/abc/lessons"
    assert context["stage"] == "v1"
    assert context["requestId"] == "r-1"
    assert context["requestTimeEpoch"] == 0
    assert context["requestTime"] == "01/Jan/1970:00:00:00 +0000"
    assert context["identity"]["sourceIp"] == "127.0.0.9"
    assert context["identity"]["userAgent"] == "t"
    assert context["authorizer"] == {"claims": {"sub": "u-1", "cognito:groups": "teachers"}}


def test_absent_parts_are_null_like_api_gateway(routes: RouteTable) -> None:
    event = _event(routes, HttpRequest(method="GET", target="/health", headers=[]))
    assert event["queryStringParameters"] is None
    assert event["multiValueQueryStringParameters"] is None
    assert event["pathParameters"] is None
    assert "authorizer" not in event["requestContext"]
    assert event["resource"] == "/health"


def test_text_body_and_binary_body(routes: RouteTable) -> None:
    text = HttpRequest(
        method="POST",
        target="/courses",
        headers=[("Content-Type", "application/json")],
        body='{"title": "数学"}'.encode(),
    )
    event = _event(routes, text)
    assert event["body"] == '{"title": "数学"}'
    assert event["isBase64Encoded"] is False

    routes.binary_media_types = ("image~1*",)
    image = replace(text, headers=[("Content-Type", "image/png")], body=b"\x89PNG\x00")
    event = _event(routes, image)
    assert event["isBase64Encoded"] is True
    assert base64.b64decode(event["body"]) == b"\x89PNG\x00"


def test_parse_result_merges_header_forms_and_decodes_base64() -> None:
    response = parse_result(
        {
            "statusCode": 201,
            "headers": {"Location": "/courses/1", "Set-Cookie": "a=1"},
            "multiValueHeaders": {"Set-Cookie": ["a=1", "b=2"]},
            "body": base64.b64encode(b"\x00\x01").decode(),
            "isBase64Encoded": True,
        }
    )
    assert response.status == 201
    assert response.body == b"\x00\x01"
    assert response.headers == [
        ("Set-Cookie", "a=1"),
        ("Set-Cookie", "b=2"),
        ("Location", "/courses/1"),
    ]


@pytest.mark.parametrize(
    "result",
    [
        None,
        "ok",
        {"body": "no status"},
        {"statusCode": 200, "body": {"not": "a string"}},
        {"statusCode": 200, "unexpected": True},
        {"statusCode": 200, "body": "%%%", "isBase64Encoded": True},
    ],
)
def test_malformed_results(result: object) -> None:
    with pytest.raises(MalformedResponseError):
        parse_result(result)


def test_lambda_context_counts_down() -> None:
    context = LambdaContext("fn", 128, timeout_seconds=3, aws_request_id="r")
    assert 0 < context.get_remaining_time_in_millis() <= 3000
    assert context.invoked_function_arn.endswith(":function:fn")
