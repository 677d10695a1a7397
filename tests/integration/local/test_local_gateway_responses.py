"""The local API's gateway responses, rendered from the synthesized template (MP-APIGW-02,
APP-ERR-01, decision 0033).

The staging workload template's GatewayResponse resources, the real handler on the emulator and
real Cognito ID tokens behind the local gateway over HTTP: each refusal API Gateway makes itself
arrives as the documented status with an `application/problem+json` body, our `type` URI, the
request id and the CORS header.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from manabi_api.wiring import create_api_from_environment
from manabi_local.auth import CognitoVerifier
from manabi_local.gateway import LocalApiGateway
from manabi_local.httpserver import HttpServerThread
from manabi_local.provisioning import LocalResources, api_function
from manabi_local.routes import build_route_table
from manabi_local.runtime import handler_environment
from manabi_local.seed import seed
from manabi_local.template import Template
from tests.integration.conftest import TEST_WEB_ORIGIN
from tests.support_sign_in import id_token

pytestmark = pytest.mark.integration

TYPES = "https://manabiplus.example.jp/problems/"
LOCAL_ORIGIN = "http://127.0.0.1:8080"


def _serve(
    local_resources: LocalResources, template: Template, verifier: CognitoVerifier
) -> HttpServerThread:
    api = create_api_from_environment(handler_environment(local_resources, TEST_WEB_ORIGIN))
    server = HttpServerThread("127.0.0.1", 0, role="local API", flag="--api-port", logger="t.g")
    function = api_function(template)
    routes = build_route_table(template, local_resources.resolver(), function.logical_id)
    gateway = LocalApiGateway(
        routes, api.resolve, verifier, port=server.port, allowed_origin=LOCAL_ORIGIN
    )
    server.start(gateway)
    return server


@pytest.fixture(scope="module")
def api_url(local_resources: LocalResources, workload_template: Template) -> Iterator[str]:
    seed(local_resources)
    verifier = CognitoVerifier(local_resources.endpoint, local_resources.clients_by_pool)
    server = _serve(local_resources, workload_template, verifier)
    try:
        yield server.url
    finally:
        server.stop()


def _token(local_resources: LocalResources, email: str) -> str:
    return id_token(local_resources.endpoint, local_resources.user_pool_client_id, email)


def _assert_problem(response: requests.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.headers["Access-Control-Allow-Origin"] == LOCAL_ORIGIN
    body: dict[str, Any] = response.json()
    assert body["type"] == TYPES + slug
    assert body["status"] == status
    assert body["title"]
    if "requestId" in body:  # gateway responses; the handler's problems name the path instead
        assert body["requestId"] == response.headers["x-amzn-RequestId"]
        assert body["instance"] == f"urn:request:{body['requestId']}"
    return body


def test_mp_apigw_02_no_token_is_401_problem(api_url: str) -> None:
    body = _assert_problem(requests.get(f"{api_url}/courses", timeout=10), 401, "unauthenticated")
    assert body["detail"] == "Unauthorized"


def test_mp_apigw_02_bad_signature_is_401_problem(
    api_url: str, local_resources: LocalResources
) -> None:
    header, payload, signature = _token(local_resources, "teacher@example.com").split(".")
    forged = f"{header}.{payload}.{signature[:-4]}AAAA"
    response = requests.get(f"{api_url}/courses", headers={"Authorization": forged}, timeout=10)
    _assert_problem(response, 401, "unauthenticated")


def test_mp_apigw_02_expired_token_is_401_problem(
    local_resources: LocalResources, workload_template: Template
) -> None:
    """A Cognito authorizer answers an expired ID token 401 (not EXPIRED_TOKEN, which is IAM's)."""
    later = CognitoVerifier(
        local_resources.endpoint,
        local_resources.clients_by_pool,
        clock=lambda: time.time() + 2 * 3600,
    )
    server = _serve(local_resources, workload_template, later)
    try:
        token = _token(local_resources, "teacher@example.com")
        response = requests.get(
            f"{server.url}/courses", headers={"Authorization": token}, timeout=10
        )
    finally:
        server.stop()
    body = _assert_problem(response, 401, "unauthenticated")
    assert body["detail"] == "The incoming token has expired"


def test_app_err_01_wrong_group_is_403_problem(
    api_url: str, local_resources: LocalResources
) -> None:
    """The authorizer lets a learner through; the handler refuses the teachers' route."""
    response = requests.post(
        f"{api_url}/courses",
        headers={"Authorization": _token(local_resources, "learner@example.com")},
        json={"title": "x", "description": "y"},
        timeout=10,
    )
    assert response.status_code == 403, response.text
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["type"] == TYPES + "forbidden"


def test_mp_apigw_02_too_large_is_413_problem(api_url: str) -> None:
    """A declared body over API Gateway's 10 MB is refused before it is read."""
    url = urllib.parse.urlsplit(api_url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(
            b"POST /courses HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 10485761\r\n\r\n"
        )
        raw = b""
        while chunk := connection.recv(65536):
            raw += chunk
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    assert lines[0].startswith("HTTP/1.1 413")
    headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:])}
    assert headers["content-type"] == "application/problem+json"
    assert headers["access-control-allow-origin"] == LOCAL_ORIGIN
    problem = json.loads(body)
    assert problem["type"] == TYPES + "request-too-large"
    assert problem["status"] == 413
    assert problem["requestId"] == headers["x-amzn-requestid"]


@pytest.mark.parametrize(
    ("method", "path"), [("TRACE", "/health"), ("PROPFIND", "/courses"), ("DELETE", "/health")]
)
def test_mp_apigw_02_undeclared_method_or_path_is_403_problem(
    api_url: str, method: str, path: str
) -> None:
    """What API Gateway answers a method or path the API does not have: no HTML 501."""
    response = requests.request(method, f"{api_url}{path}", timeout=10)
    body = _assert_problem(response, 403, "no-such-route")
    assert body["detail"] == "Missing Authentication Token"
    assert response.headers["x-amzn-ErrorType"] == "MissingAuthenticationTokenException"
