"""Schemathesis against the running local API (APP-ERR-01, MP-API-01).

The real handler (DynamoDB and Cognito adapters on the emulator) behind the local API Gateway,
called over HTTP with a demo teacher's Cognito ID token. For every operation of
docs/openapi.json, generated requests must get no 5xx, a documented status code, the documented
content type and a body that matches the documented schema. Half of the cases of a route with
ids aim at the seeded sample course, so they get past "not found".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from manabi_api.wiring import create_api_from_environment
from manabi_local.auth import CognitoVerifier
from manabi_local.gateway import LocalApiGateway
from manabi_local.httpserver import HttpServerThread
from manabi_local.provisioning import LocalResources, api_function
from manabi_local.routes import build_route_table
from manabi_local.runtime import handler_environment
from manabi_local.seed import DEMO_PASSWORD, seed
from manabi_local.template import Template
from tests.integration.conftest import TEST_WEB_ORIGIN

pytestmark = pytest.mark.integration

OPENAPI = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"
SCHEMA = schemathesis.openapi.from_dict(json.loads(OPENAPI.read_text()))
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]
SAMPLE_IDS = {
    "courseId": "sample-python-basics",
    "lessonId": "sample-lesson-1",
    "assignmentId": "sample-assignment-1",
}
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture(scope="module")
def live_api(local_resources: LocalResources, workload_template: Template) -> Iterator[str]:
    """The real API handler behind the local gateway, on a free port."""
    seed(local_resources)
    # The environment `make run` gives the handler (MANABI_ENV=local accepts emulator tokens).
    api = create_api_from_environment(handler_environment(local_resources, TEST_WEB_ORIGIN))
    server = HttpServerThread("127.0.0.1", 0, role="local API", flag="--api-port", logger="t.f")
    function = api_function(workload_template)
    routes = build_route_table(workload_template, local_resources.resolver(), function.logical_id)
    verifier = CognitoVerifier(local_resources.endpoint, local_resources.clients_by_pool)
    gateway = LocalApiGateway(routes, api.resolve, verifier, port=server.port, allowed_origin=None)
    server.start(gateway)
    try:
        yield server.url
    finally:
        server.stop()


@pytest.fixture(scope="module")
def teacher_token(local_resources: LocalResources, live_api: str) -> str:
    result = boto3.client("cognito-idp", endpoint_url=local_resources.endpoint).initiate_auth(
        ClientId=local_resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "teacher@example.com", "PASSWORD": DEMO_PASSWORD},
    )
    token: str = result["AuthenticationResult"]["IdToken"]
    return token


@pytest.mark.parametrize("operation", OPERATIONS, ids=lambda op: op.label)
def test_app_err_01_generated_requests_get_documented_answers(
    operation: Any, live_api: str, teacher_token: str
) -> None:
    session = requests.Session()

    known = {name: value for name, value in SAMPLE_IDS.items() if f"{{{name}}}" in operation.path}
    strategy = operation.as_strategy()
    if known:  # half of the cases aim at the seeded sample course, lesson and assignment
        strategy = strategy | operation.as_strategy(path_parameters=known)

    @given(case=strategy)
    @settings(
        max_examples=12,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        case.call_and_validate(
            base_url=live_api,
            session=session,
            headers={"Authorization": teacher_token},
            checks=CHECKS,
            timeout=10,
        )

    run()


def test_app_adm_01_admin_lists_users_through_the_real_handler(
    local_resources: LocalResources, live_api: str
) -> None:
    """APP-ADM-01: the wired Cognito adapter reads the pool named by USER_POOL_ID."""
    result = boto3.client("cognito-idp", endpoint_url=local_resources.endpoint).initiate_auth(
        ClientId=local_resources.user_pool_client_id,
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": "admin@example.com", "PASSWORD": DEMO_PASSWORD},
    )
    token = result["AuthenticationResult"]["IdToken"]
    response = requests.get(
        f"{live_api}/admin/users",
        headers={"Authorization": token},
        params={"limit": "60"},
        timeout=10,
    )
    assert response.status_code == 200, response.text
    groups = {u["email"]: u["groups"] for u in response.json()["items"]}
    assert groups["teacher@example.com"] == ["teachers"]
    assert groups["learner@example.com"] == ["learners"]
