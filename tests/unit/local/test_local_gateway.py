"""The local API Gateway app without sockets: routing, authorizer, CORS, errors (manabi_local)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from joserfc.jwk import RSAKey

from manabi_local.auth import CognitoVerifier, stringify_claims
from manabi_local.events import HttpRequest
from manabi_local.gateway import LocalApiGateway, function_settings
from manabi_local.provisioning import api_function
from manabi_local.routes import RouteTable
from manabi_local.template import Template
from tests.unit.local.local_fixture import CLIENT_ID, POOL_ID, TokenFactory

LOCAL_ORIGIN = "http://127.0.0.1:8080"


class RecordingHandler:
    def __init__(self, result: Any = None, error: Exception | None = None) -> None:
        self.events: list[dict[str, Any]] = []
        self.contexts: list[Any] = []
        self.result = result or {
            "statusCode": 200,
            "headers": {"Content-Type": "application/json"},
            "body": '{"ok": true}',
        }
        self.error = error

    def __call__(self, event: dict[str, Any], context: Any) -> Any:
        self.events.append(event)
        self.contexts.append(context)
        if self.error:
            raise self.error
        return self.result


@pytest.fixture
def tokens() -> TokenFactory:
    return TokenFactory()


@pytest.fixture
def clock() -> list[float]:
    return [0.0]  # offset in seconds, added to the real time


@pytest.fixture
def verifier(tokens: TokenFactory, clock: list[float]) -> CognitoVerifier:
    fetched: list[str] = []

    def fetch(url: str) -> Any:
        fetched.append(url)
        assert url == f"http://emulator/{POOL_ID}/.well-known/jwks.json"
        assert len(fetched) == 1, "the JWKS is fetched once and cached"
        return tokens.jwks

    return CognitoVerifier(
        "http://emulator",
        {POOL_ID: (CLIENT_ID,)},
        fetch=fetch,
        clock=lambda: time.time() + clock[0],
    )


def _gateway(
    routes: RouteTable, handler: RecordingHandler, verifier: CognitoVerifier
) -> LocalApiGateway:
    return LocalApiGateway(routes, handler, verifier, port=8081, allowed_origin=LOCAL_ORIGIN)


def _headers(response_headers: list[tuple[str, str]]) -> dict[str, str]:
    return dict(response_headers)


def test_public_route_calls_the_handler_without_claims(
    routes: RouteTable, verifier: CognitoVerifier, template: Template
) -> None:
    handler = RecordingHandler()
    gateway = LocalApiGateway(
        routes, handler, verifier, **function_settings(api_function(template).properties)
    )
    response = gateway(HttpRequest("GET", "/health", [("Host", "127.0.0.1:8081")]))
    assert response.status == 200
    assert json.loads(response.body) == {"ok": True}
    assert "authorizer" not in handler.events[0]["requestContext"]
    context = handler.contexts[0]
    assert context.function_name == "stag-manabiplus-api"
    assert context.memory_limit_in_mb == 512
    assert context.get_remaining_time_in_millis() <= 29_000
    assert context.aws_request_id == handler.events[0]["requestContext"]["requestId"]


def test_valid_token_puts_string_claims_into_the_event(
    routes: RouteTable, verifier: CognitoVerifier, tokens: TokenFactory
) -> None:
    handler = RecordingHandler()
    gateway = _gateway(routes, handler, verifier)
    for authorization in (tokens.token(), "Bearer " + tokens.token()):
        response = gateway(HttpRequest("GET", "/courses", [("Authorization", authorization)]))
        assert response.status == 200
    claims = handler.events[0]["requestContext"]["authorizer"]["claims"]
    assert claims["sub"] == "user-1"
    assert claims["cognito:groups"] == "teachers,admins"
    assert claims["email_verified"] == "true"
    assert claims["token_use"] == "id"
    assert all(isinstance(v, str) for v in claims.values())


@pytest.mark.parametrize(
    ("make_token", "message"),
    [
        (lambda t: None, "Unauthorized"),
        (lambda t: "not-a-jwt", "Unauthorized"),
        (lambda t: t.token()[:-4] + "AAAA", "Unauthorized"),  # tampered signature
        (lambda t: t.token(key=RSAKey.generate_key(2048, private=True)), "Unauthorized"),
        (lambda t: t.token(aud="another-client"), "Unauthorized"),
        (lambda t: t.token(token_use="access"), "Unauthorized"),
        (
            lambda t: t.token(iss="https://cognito-idp.ap-northeast-1.amazonaws.com/other"),
            "Unauthorized",
        ),
        (lambda t: t.token(exp=None), "Unauthorized"),
        (lambda t: t.token(exp=1), "The incoming token has expired"),
    ],
)
def test_refused_tokens_get_401_and_never_reach_the_handler(
    routes: RouteTable,
    verifier: CognitoVerifier,
    tokens: TokenFactory,
    make_token: Any,
    message: str,
) -> None:
    handler = RecordingHandler()
    token = make_token(tokens)
    headers = [("Authorization", token)] if token else []
    response = _gateway(routes, handler, verifier)(HttpRequest("POST", "/courses", headers))
    assert response.status == 401
    assert json.loads(response.body) == {"message": message}
    # DEFAULT_4XX of the template adds CORS, with the local SPA origin.
    assert _headers(response.headers)["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
    assert _headers(response.headers)["x-amzn-ErrorType"] == "UnauthorizedException"
    assert handler.events == []


def test_token_expires_with_the_clock(
    routes: RouteTable, verifier: CognitoVerifier, tokens: TokenFactory, clock: list[float]
) -> None:
    gateway = _gateway(routes, RecordingHandler(), verifier)
    request = HttpRequest("GET", "/courses", [("Authorization", tokens.token())])
    assert gateway(request).status == 200
    clock[0] = 2 * 3600
    assert gateway(request).status == 401


def test_cors_preflight_answers_from_the_mock_integration(
    routes: RouteTable, verifier: CognitoVerifier
) -> None:
    handler = RecordingHandler()
    response = _gateway(routes, handler, verifier)(
        HttpRequest("OPTIONS", "/courses/abc", [("Origin", LOCAL_ORIGIN)])
    )
    assert response.status == 204
    assert response.body == b""
    headers = _headers(response.headers)
    assert headers["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
    assert headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization,X-Amz-Date"
    assert headers["Access-Control-Allow-Methods"] == "OPTIONS,GET,PUT,POST,DELETE,PATCH,HEAD"
    assert handler.events == []


def test_unknown_route_is_missing_authentication_token(
    routes: RouteTable, verifier: CognitoVerifier
) -> None:
    response = _gateway(routes, RecordingHandler(), verifier)(HttpRequest("GET", "/", []))
    assert response.status == 403
    assert json.loads(response.body) == {"message": "Missing Authentication Token"}
    assert _headers(response.headers)["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"


@pytest.mark.parametrize(
    "handler",
    [RecordingHandler(error=RuntimeError("boom")), RecordingHandler(result={"body": "x"})],
)
def test_handler_errors_and_malformed_results_are_502(
    routes: RouteTable, verifier: CognitoVerifier, handler: RecordingHandler
) -> None:
    response = _gateway(routes, handler, verifier)(HttpRequest("GET", "/health", []))
    assert response.status == 502
    assert json.loads(response.body) == {"message": "Internal server error"}


def test_stringify_claims_like_api_gateway() -> None:
    assert stringify_claims(
        {
            "exp": 1547198012,
            "iat": 1547194412,
            "auth_time": 1547194412,
            "email_verified": False,
            "cognito:groups": ["admins"],
            "address": {"formatted": "東京"},
        }
    ) == {
        "exp": "Fri Jan 11 09:13:32 UTC 2019",
        "iat": "Fri Jan 11 08:13:32 UTC 2019",
        "auth_time": "1547194412",
        "email_verified": "false",
        "cognito:groups": "admins",
        "address": '{"formatted":"東京"}',
    }
