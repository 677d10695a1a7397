"""Route matching from the template's resource tree, as API Gateway matches (manabi_local)."""

from __future__ import annotations

from typing import Any

import pytest

from manabi_local.routes import RouteTable, build_route_table
from manabi_local.template import Resolver, Template, TemplateError
from tests.unit.local.local_fixture import API_FUNCTION, POOL_ID


@pytest.mark.parametrize(
    ("method", "path", "resource", "parameters"),
    [
        ("GET", "/health", "/health", {}),
        ("GET", "/courses", "/courses", {}),
        ("POST", "/courses/", "/courses", {}),
        ("GET", "/courses/abc", "/courses/{courseId}", {"courseId": "abc"}),
        ("GET", "/courses/a%20b", "/courses/{courseId}", {"courseId": "a b"}),
        # No literal or {param} child matches further down: the greedy resource takes it all.
        ("GET", "/courses/abc/lessons", "/{proxy+}", {"proxy": "courses/abc/lessons"}),
        ("PATCH", "/anything", "/{proxy+}", {"proxy": "anything"}),
        ("OPTIONS", "/courses/abc", "/courses/{courseId}", {"courseId": "abc"}),
    ],
)
def test_match(
    routes: RouteTable, method: str, path: str, resource: str, parameters: dict[str, str]
) -> None:
    match = routes.match(method, path)
    assert match is not None
    assert match.node.path == resource
    assert match.path_parameters == parameters


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/"),  # the root has only the CORS OPTIONS method
        # The most specific resource is chosen first; a method it lacks is not looked up in
        # {proxy+}: API Gateway answers 403 there too.
        ("DELETE", "/health"),
        ("DELETE", "/courses/abc"),
    ],
)
def test_undefined_method_or_path_has_no_match(routes: RouteTable, method: str, path: str) -> None:
    assert routes.match(method, path) is None


def test_authorization_per_method(routes: RouteTable) -> None:
    health = routes.match("GET", "/health")
    courses = routes.match("GET", "/courses")
    assert health is not None
    assert health.method.authorizer is None
    assert courses is not None
    assert courses.method.authorizer is not None
    assert courses.method.authorizer.user_pool_ids == (POOL_ID,)
    assert courses.method.authorizer.identity_header == "Authorization"
    assert courses.method.function_logical_id == API_FUNCTION


def test_cors_preflight_is_the_mock_integration_response(routes: RouteTable) -> None:
    match = routes.match("OPTIONS", "/courses")
    assert match is not None
    assert match.method.authorizer is None
    assert match.method.mock is not None
    assert match.method.mock.status == 204
    assert match.method.mock.headers == {
        "Access-Control-Allow-Headers": "Content-Type,Authorization,X-Amz-Date",
        "Access-Control-Allow-Origin": "https://stag.manabiplus.example.jp",
        "Vary": "Origin",
        "Access-Control-Allow-Methods": "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD",
        "Access-Control-Max-Age": "600",
    }


def test_stage_and_gateway_responses(routes: RouteTable) -> None:
    assert routes.stage == "v1"
    unauthorized = routes.gateway_response("UNAUTHORIZED")
    assert unauthorized.status == 401
    # UNAUTHORIZED is not customised: DEFAULT_4XX's headers apply.
    assert (
        unauthorized.headers["Access-Control-Allow-Origin"] == "https://stag.manabiplus.example.jp"
    )
    assert routes.gateway_response("DEFAULT_5XX").headers == {}


def test_a_proxy_to_another_function_is_refused(
    template_body: dict[str, Any], resolver: Resolver
) -> None:
    template_body["Resources"]["Other"] = {"Type": "AWS::Lambda::Function", "Properties": {}}
    integration = template_body["Resources"]["ApihealthGET1"]["Properties"]["Integration"]
    integration["Uri"]["Fn::Join"][1][5] = {"Fn::GetAtt": ["Other", "Arn"]}
    with pytest.raises(TemplateError, match="ApihealthGET1"):
        build_route_table(Template(template_body), resolver, API_FUNCTION)
