"""The local authorizer against real moto-issued Cognito tokens (manabi_local.auth, .gateway)."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest

from manabi_local.auth import CognitoVerifier
from manabi_local.events import HttpRequest
from manabi_local.gateway import LocalApiGateway
from manabi_local.provisioning import LocalResources, api_function
from manabi_local.routes import RouteTable, build_route_table
from manabi_local.seed import DEMO_ACCOUNTS, seed_accounts
from manabi_local.template import Template
from tests.support_sign_in import sign_in_tokens

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seeded(local_resources: LocalResources) -> LocalResources:
    seed_accounts(local_resources)
    seed_accounts(local_resources)  # idempotent
    return local_resources


def _sign_in(resources: LocalResources, email: str) -> dict[str, str]:
    return sign_in_tokens(resources.endpoint, resources.user_pool_client_id, email)


@pytest.fixture(scope="module")
def routes(local_resources: LocalResources, workload_template: Template) -> RouteTable:
    function = api_function(workload_template)
    return build_route_table(workload_template, local_resources.resolver(), function.logical_id)


class Recorder:
    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []

    def __call__(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        self.events.append(event)
        return {"statusCode": 200, "body": "{}"}


def _gateway(
    routes: RouteTable, resources: LocalResources, handler: Recorder, skew: float = 0.0
) -> LocalApiGateway:
    verifier = CognitoVerifier(
        resources.endpoint, resources.clients_by_pool, clock=lambda: time.time() + skew
    )
    return LocalApiGateway(routes, handler, verifier)


@pytest.mark.parametrize("account", DEMO_ACCOUNTS, ids=lambda a: a.group)
def test_demo_account_signs_in_by_email_and_reaches_the_handler_with_its_group(
    seeded: LocalResources, routes: RouteTable, account: Any
) -> None:
    handler = Recorder()
    token = _sign_in(seeded, account.email)["id"]
    response = _gateway(routes, seeded, handler)(
        HttpRequest("GET", "/courses", [("Authorization", token)])
    )
    assert response.status == 200
    claims = handler.events[0]["requestContext"]["authorizer"]["claims"]
    assert claims["cognito:groups"] == account.group
    assert claims["email"] == account.email
    assert claims["email_verified"] == "true"
    assert claims["token_use"] == "id"
    assert claims["aud"] == seeded.user_pool_client_id
    assert claims["sub"]


def _refused(response_body: bytes) -> str:
    """The gateway's message: the `detail` of the UNAUTHORIZED problem (decision 0033)."""
    problem = json.loads(response_body)
    assert problem["type"] == "https://manabiplus.example.jp/problems/unauthenticated"
    message: str = problem["detail"]
    return message


def test_tampered_signature_is_401(seeded: LocalResources, routes: RouteTable) -> None:
    token = _sign_in(seeded, "learner@example.com")["id"]
    header, payload, signature = token.split(".")
    tampered = f"{header}.{payload}.{signature[:-6]}{'A' * 6}"
    handler = Recorder()
    response = _gateway(routes, seeded, handler)(
        HttpRequest("GET", "/courses", [("Authorization", tampered)])
    )
    assert response.status == 401
    assert _refused(response.body) == "Unauthorized"
    assert handler.events == []


def test_expired_token_is_401(seeded: LocalResources, routes: RouteTable) -> None:
    token = _sign_in(seeded, "learner@example.com")["id"]
    gateway = _gateway(routes, seeded, Recorder(), skew=2 * 3600)  # moto tokens live one hour
    response = gateway(HttpRequest("GET", "/courses", [("Authorization", token)]))
    assert response.status == 401
    assert _refused(response.body) == "The incoming token has expired"


def test_access_token_is_refused_like_the_scope_less_authorizer(
    seeded: LocalResources, routes: RouteTable
) -> None:
    token = _sign_in(seeded, "learner@example.com")["access"]
    response = _gateway(routes, seeded, Recorder())(
        HttpRequest("GET", "/courses", [("Authorization", token)])
    )
    assert response.status == 401
