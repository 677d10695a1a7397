"""The local API Gateway under concurrency: parallel invocations, throttling and timeouts
(MP-LOC-02)."""

from __future__ import annotations

import json
import threading
from typing import Any

from manabi_contract.problems import GATEWAY_PROBLEMS, gateway_template
from manabi_local.events import FunctionTimeout, HttpRequest, HttpResponse, IntegrationTimeout
from manabi_local.gateway import DEFAULT_CONCURRENCY, LocalApiGateway
from manabi_local.routes import RouteTable, build_route_table
from manabi_local.template import Resolver, Template
from tests.unit.local.local_fixture import API_FUNCTION

LOCAL_ORIGIN = "http://127.0.0.1:8080"
OK = {"statusCode": 200, "headers": {"Content-Type": "application/json"}, "body": "{}"}


def _gateway(routes: RouteTable, handler: Any, concurrency: int) -> LocalApiGateway:
    return LocalApiGateway(
        routes, handler, None, allowed_origin=LOCAL_ORIGIN, concurrency=concurrency
    )


def _health(gateway: LocalApiGateway) -> HttpResponse:
    return gateway(HttpRequest("GET", "/health", [("Host", "127.0.0.1:8081")]))


def test_mp_loc_02_invocations_run_at_the_same_time(routes: RouteTable) -> None:
    """Two requests meet inside the handler: a gateway that ran one at a time would not get
    past the barrier (the old local gateway held one lock around every call)."""
    barrier = threading.Barrier(2, timeout=5)

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        barrier.wait()
        return OK

    gateway = _gateway(routes, handler, concurrency=2)
    statuses: list[int] = []
    threads = [
        threading.Thread(target=lambda: statuses.append(_health(gateway).status)) for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert statuses == [200, 200]
    assert not barrier.broken


def _with_throttled_response(template_body: dict[str, Any], resolver: Resolver) -> RouteTable:
    """The fixture template plus the THROTTLED gateway response the CDK app synthesizes."""
    (problem,) = [p for p in GATEWAY_PROBLEMS if p.response_type == "THROTTLED"]
    template_body["Resources"]["ApiProblemTHROTTLED"] = {
        "Type": "AWS::ApiGateway::GatewayResponse",
        "Properties": {
            "ResponseType": "THROTTLED",
            "RestApiId": {"Ref": "ApiF70053CD"},
            "StatusCode": "429",
            "ResponseParameters": {
                "gatewayresponse.header.Content-Type": "'application/problem+json'",
                "gatewayresponse.header.Retry-After": "'1'",
            },
            "ResponseTemplates": {"application/json": gateway_template(problem)},
        },
    }
    return build_route_table(Template(template_body), resolver, API_FUNCTION)


def test_mp_loc_02_a_full_pool_is_throttled_with_429_problem_details(
    template_body: dict[str, Any], resolver: Resolver
) -> None:
    """The throttled answer is the template's THROTTLED gateway response (decision 0033)."""
    routes = _with_throttled_response(template_body, resolver)
    inside, release = threading.Event(), threading.Event()

    def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
        inside.set()
        release.wait(5)
        return OK

    gateway = _gateway(routes, handler, concurrency=1)
    busy = threading.Thread(target=_health, args=(gateway,))
    busy.start()
    assert inside.wait(5)
    try:
        throttled = _health(gateway)
    finally:
        release.set()
        busy.join()
    headers = dict(throttled.headers)
    assert throttled.status == 429
    assert headers["Content-Type"] == "application/problem+json"
    assert headers["Retry-After"] == "1"
    assert headers["x-amzn-ErrorType"] == "TooManyRequestsException"
    assert headers["Access-Control-Allow-Origin"] == LOCAL_ORIGIN  # DEFAULT_4XX's CORS header
    problem = json.loads(throttled.body)
    assert problem["status"] == 429
    assert problem["type"] == "https://manabiplus.example.jp/problems/throttled"
    assert problem["requestId"] == headers["x-amzn-RequestId"]
    assert "busy" in problem["detail"]
    # The slot is given back: the next request runs.
    assert _health(gateway).status == 200


def test_the_default_concurrency_takes_fifty_users() -> None:
    assert DEFAULT_CONCURRENCY >= 50


def test_mp_loc_02_a_timed_out_invocation_is_502_and_a_queue_timeout_504(
    routes: RouteTable,
) -> None:
    def timed_out(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise FunctionTimeout("Task timed out after 3.00 seconds")

    def waited(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise IntegrationTimeout("no execution environment became free within 29 s")

    first = _health(_gateway(routes, timed_out, concurrency=1))
    assert first.status == 502
    assert json.loads(first.body) == {"message": "Internal server error"}
    second = _health(_gateway(routes, waited, concurrency=1))
    assert second.status == 504
    assert json.loads(second.body) == {"message": "Endpoint request timed out"}
