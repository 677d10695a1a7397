"""The local system over real HTTP: gateway + SPA origin, and `python -m manabi_local run`."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests

from manabi_local.auth import CognitoVerifier
from manabi_local.gateway import LocalApiGateway
from manabi_local.httpserver import HttpServerThread
from manabi_local.provisioning import LocalResources, api_function
from manabi_local.routes import build_route_table
from manabi_local.seed import seed_accounts
from manabi_local.tcp_ports import free_port
from manabi_local.template import Template
from manabi_local.web import StaticSite, site_config
from tests.support_sign_in import id_token

pytestmark = pytest.mark.integration

FAKE_HANDLER = """
import json

def lambda_handler(event, context):
    authorizer = event["requestContext"].get("authorizer") or {}
    return {
        "statusCode": 200,
        "headers": {"Content-Type": "application/json"},
        "multiValueHeaders": {"X-Seen": ["1", "2"]},
        "body": json.dumps({
            "resource": event["resource"],
            "pathParameters": event["pathParameters"],
            "query": event["multiValueQueryStringParameters"],
            "claims": authorizer.get("claims"),
            "body": event["body"],
            "requestId": context.aws_request_id,
        }),
    }
"""


def _fake_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(FAKE_HANDLER, namespace)  # noqa: S102 - the same source the CLI test imports
    result: dict[str, Any] = namespace["lambda_handler"](event, context)
    return result


def _id_token(resources: LocalResources, email: str) -> str:
    return id_token(resources.endpoint, resources.user_pool_client_id, email)


def _sign_in_from_config(config: dict[str, Any], email: str) -> str:
    """Sign in the way the SPA does, from nothing but /config.json."""
    return id_token(config["cognitoEndpoint"], config["userPoolClientId"], email)


@pytest.fixture(scope="module")
def served(
    local_resources: LocalResources, workload_template: Template, tmp_path_factory: Any
) -> Iterator[tuple[str, str]]:
    """Gateway (fake handler) and SPA origin on free ports, in this process."""
    seed_accounts(local_resources)
    dist = tmp_path_factory.mktemp("dist")
    (dist / "index.html").write_text("<!doctype html><title>まなび+</title>", encoding="utf-8")
    api = HttpServerThread("127.0.0.1", 0, role="local API", flag="--api-port", logger="t.api")
    web = HttpServerThread("127.0.0.1", 0, role="web", flag="--web-port", logger="t.web")
    function = api_function(workload_template)
    routes = build_route_table(workload_template, local_resources.resolver(), function.logical_id)
    verifier = CognitoVerifier(local_resources.endpoint, local_resources.clients_by_pool)
    gateway = LocalApiGateway(
        routes, _fake_handler, verifier, port=api.port, allowed_origin=web.url
    )
    api.start(gateway)
    web.start(StaticSite(dist, site_config(local_resources, api.url)))
    try:
        yield api.url, web.url
    finally:
        api.stop()
        web.stop()


def test_public_route_over_http(served: tuple[str, str]) -> None:
    api, _ = served
    response = requests.get(f"{api}/health?x=1&x=2", timeout=5)
    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == "/health"
    assert body["query"] == {"x": ["1", "2"]}
    assert body["claims"] is None
    assert response.headers["X-Seen"] == "1, 2"  # two header lines, joined by requests


def test_signed_in_route_over_http(
    served: tuple[str, str], local_resources: LocalResources
) -> None:
    api, _ = served
    token = _id_token(local_resources, "teacher@example.com")
    response = requests.post(
        f"{api}/courses", json={"title": "数学"}, headers={"Authorization": token}, timeout=5
    )
    assert response.status_code == 200
    body = response.json()
    assert body["resource"] == "/{proxy+}"
    assert body["pathParameters"] == {"proxy": "courses"}
    assert body["claims"]["cognito:groups"] == "teachers"
    assert json.loads(body["body"]) == {"title": "数学"}
    assert body["requestId"] == response.headers["x-amzn-RequestId"]


def test_unauthorized_and_preflight_over_http(served: tuple[str, str]) -> None:
    api, web = served
    unauthorized = requests.get(f"{api}/courses", timeout=5)
    assert unauthorized.status_code == 401
    # The template's UNAUTHORIZED gateway response (decision 0033), not API Gateway's default.
    assert unauthorized.headers["Content-Type"] == "application/problem+json"
    problem = unauthorized.json()
    assert problem["type"] == "https://manabiplus.example.jp/problems/unauthenticated"
    assert problem["status"] == 401
    assert problem["requestId"] == unauthorized.headers["x-amzn-RequestId"]
    assert unauthorized.headers["Access-Control-Allow-Origin"] == web

    preflight = requests.options(
        f"{api}/courses",
        headers={"Origin": web, "Access-Control-Request-Method": "POST"},
        timeout=5,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == web
    assert "POST" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]

    # The template puts ANY behind the authorizer on the root as well.
    assert requests.get(f"{api}/", timeout=5).status_code == 401


def test_spa_origin_over_http(served: tuple[str, str], local_resources: LocalResources) -> None:
    api, web = served
    page = requests.get(f"{web}/courses/123", timeout=5)
    assert page.status_code == 200
    assert page.headers["Cache-Control"] == "no-cache"
    assert "まなび+" in page.text
    config = requests.get(f"{web}/config.json", timeout=5).json()
    assert config["apiUrl"] == api
    assert config["userPoolId"] == local_resources.user_pool_id
    assert config["cognitoEndpoint"] == local_resources.endpoint


# --- the command itself ----------------------------------------------------------------------


@dataclass
class Running:
    process: subprocess.Popen[str]
    api: str
    web: str
    emulator: str
    emulator_port: int
    stdout: list[str]
    stderr: list[str]


def _pump(stream: Any, sink: list[str], lines: queue.Queue[str] | None = None) -> None:
    for line in stream:
        sink.append(line)
        if lines is not None:
            lines.put(line)


def _start_cli(tmp_path: Path, *extra: str) -> Running:
    (tmp_path / "fake_api.py").write_text(textwrap.dedent(FAKE_HANDLER))
    ports = {"api": free_port(), "web": free_port(), "emulator": free_port()}
    command = [
        sys.executable,
        "-m",
        "manabi_local",
        "run",
        "--api-port",
        str(ports["api"]),
        "--web-port",
        str(ports["web"]),
        "--emulator-port",
        str(ports["emulator"]),
        "--state-dir",
        str(tmp_path / "state"),
        "--web-dist",
        str(tmp_path / "dist"),
        *extra,
    ]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), *sys.path])}
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
    )
    stdout: list[str] = []
    stderr: list[str] = []
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_pump, args=(process.stdout, stdout, lines), daemon=True).start()
    threading.Thread(target=_pump, args=(process.stderr, stderr), daemon=True).start()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if "Ctrl+C" in lines.get(timeout=0.5):
                break
        except queue.Empty:
            if process.poll() is not None:
                break
    else:
        process.kill()
    assert process.poll() is None, "".join(stdout + stderr)
    return Running(
        process,
        api=f"http://127.0.0.1:{ports['api']}",
        web=f"http://127.0.0.1:{ports['web']}",
        emulator=f"http://127.0.0.1:{ports['emulator']}",
        emulator_port=ports["emulator"],
        stdout=stdout,
        stderr=stderr,
    )


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def _moto_processes(port: int) -> list[str]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            except OSError:
                continue
            # The emulator runs as manabi_local.emulator_server (moto's app, docs/decisions/0026).
            emulator = {b"moto.server", b"manabi_local.emulator_server"} & set(cmdline)
            if emulator and str(port).encode() in cmdline:
                found.append(entry.name)
    return found


def _stop(running: Running, sig: signal.Signals) -> int:
    running.process.send_signal(sig)
    try:
        code = running.process.wait(timeout=20)
    finally:
        if running.process.poll() is None:
            running.process.kill()
    time.sleep(0.1)  # let the reader threads drain the pipes
    return code


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_run_serves_then_stops_cleanly(
    tmp_path: Path, workload_template: Template, sig: signal.Signals
) -> None:
    """`run` with a fake handler: URLs work, the signal stops everything, exit code 0."""
    del workload_template  # synthesized (and cached) before the clock of the start runs
    running = _start_cli(tmp_path, "--handler", "fake_api.lambda_handler")
    banner = "".join(running.stdout)
    assert running.api in banner
    assert running.web in banner
    assert "teacher@example.com" in banner
    assert "Passw0rd!" in banner
    assert "npm" in banner  # web/dist is missing in tmp_path: the banner says how to build it

    health = requests.get(f"{running.api}/health", timeout=5)
    assert health.status_code == 200
    assert health.json()["resource"] == "/health"
    config = requests.get(f"{running.web}/config.json", timeout=5).json()
    assert config["cognitoEndpoint"] == f"{running.web}/_local/cognito/"
    token = _sign_in_from_config(config, "admin@example.com")
    courses = requests.get(f"{running.api}/courses", headers={"Authorization": token}, timeout=5)
    assert courses.json()["claims"]["cognito:groups"] == "admins"

    assert _stop(running, sig) == 0
    assert "Traceback" not in "".join(running.stderr)
    assert not _listening(running.emulator_port)
    assert _moto_processes(running.emulator_port) == []


def test_run_with_the_real_api_handler(tmp_path: Path, workload_template: Template) -> None:
    """The lead's handler (manabi_api.handler) behind the local gateway: public and signed-in."""
    del workload_template
    running = _start_cli(tmp_path)
    try:
        health = requests.get(f"{running.api}/health", timeout=10)
        assert health.status_code == 200
        # /health asks every dependency since GL-REL-01 (docs/decisions/0028).
        ok = {"dataBucket": "ok", "scanQueue": "ok", "table": "ok", "userPool": "ok"}
        assert health.json() == {"status": "ok", "dependencies": ok}
        config = requests.get(f"{running.web}/config.json", timeout=5).json()
        token = _sign_in_from_config(config, "learner@example.com")
        courses = requests.get(
            f"{running.api}/courses", headers={"Authorization": token}, timeout=10
        )
        assert courses.status_code == 200, courses.text
        assert "items" in courses.json()
    finally:
        assert _stop(running, signal.SIGTERM) == 0
    assert "Traceback" not in "".join(running.stderr)
