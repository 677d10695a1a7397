"""The emulator's gate: one moto request at a time, snapshots between them, and what each
request may have changed (docs/decisions/0026)."""

from __future__ import annotations

import io
import threading
import time
from typing import Any

import pytest

from manabi_local.emulator_gate import (
    EVERYTHING,
    ChangedServices,
    Gate,
    GatedApp,
    touched_services,
)

SIGNED = "AWS4-HMAC-SHA256 Credential=local/20260101/ap-northeast-1/{}/aws4_request, Signed…"


def _environ(method: str = "POST", target: str = "", service: str | None = None) -> dict[str, Any]:
    environ: dict[str, Any] = {"REQUEST_METHOD": method}
    if target:
        environ["HTTP_X_AMZ_TARGET"] = target
    if service:
        environ["HTTP_AUTHORIZATION"] = SIGNED.format(service)
    return environ


@pytest.mark.parametrize(
    ("environ", "touched"),
    [
        (_environ("GET", service="s3"), frozenset()),
        (_environ("HEAD", service="s3"), frozenset()),
        (_environ(target="DynamoDB_20120810.GetItem", service="dynamodb"), frozenset()),
        (_environ(target="DynamoDB_20120810.Query", service="dynamodb"), frozenset()),
        (_environ(target="AWSCognitoIdentityProviderService.AdminGetUser"), frozenset()),
        (
            _environ(target="DynamoDB_20120810.TransactWriteItems", service="dynamodb"),
            frozenset({"dynamodb"}),
        ),
        (_environ(target="AmazonSQS.ReceiveMessage", service="sqs"), frozenset({"sqs"})),
        # The SPA's unsigned Cognito calls through the local front; tokens are kept by moto.
        (
            _environ(target="AWSCognitoIdentityProviderService.InitiateAuth"),
            frozenset({"cognito-idp"}),
        ),
        # An upload may notify the scan queue: S3 writes change SQS and SNS too.
        (_environ("PUT", service="s3"), frozenset({"s3", "sqs", "sns", "events", "lambda"})),
        # A browser's presigned POST is unsigned: where it goes is not known here.
        (_environ("POST"), EVERYTHING),
    ],
)
def test_mp_loc_01_what_a_request_may_change(
    environ: dict[str, Any], touched: frozenset[str] | None
) -> None:
    assert touched_services(environ) == touched


def test_a_snapshot_waits_for_the_request_inside_and_goes_before_those_waiting() -> None:
    gate = Gate()
    order: list[str] = []
    inside = threading.Event()

    def request(name: str, hold: float) -> None:
        with gate.request():
            inside.set()
            order.append(name)
            time.sleep(hold)

    def snapshot() -> None:
        with gate.exclusive():
            order.append("snapshot")

    first = threading.Thread(target=request, args=("first", 0.3))
    first.start()
    assert inside.wait(5)
    saver = threading.Thread(target=snapshot)
    saver.start()
    time.sleep(0.05)  # the snapshot is waiting now
    second = threading.Thread(target=request, args=("second", 0))
    second.start()
    for thread in (first, saver, second):
        thread.join(timeout=5)
    assert order == ["first", "snapshot", "second"]


def test_a_long_poll_steps_aside_while_it_waits() -> None:
    gate = Gate()
    waiting, saved = threading.Event(), threading.Event()

    def long_poll() -> None:
        with gate.request(), gate.stepped_aside():
            waiting.set()
            assert saved.wait(5)

    poll = threading.Thread(target=long_poll)
    poll.start()
    assert waiting.wait(5)
    with gate.exclusive():  # gets in although the poll's request has not ended
        saved.set()
    poll.join(timeout=5)


def test_mp_loc_01_a_write_is_marked_before_its_answer_leaves() -> None:
    changed = ChangedServices()
    seen: list[frozenset[str] | None] = []

    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        body = environ["wsgi.input"].read()
        start_response("200 OK", [])
        return [b"got ", body]

    app = GatedApp(moto, Gate(), changed)
    environ = _environ(target="DynamoDB_20120810.PutItem", service="dynamodb")
    environ.update({"wsgi.input": io.BytesIO(b"{...}"), "CONTENT_LENGTH": "5"})
    answer = app(environ, lambda status, headers: None)
    seen.append(changed.take())
    assert b"".join(answer) == b"got {...}"
    assert seen == [frozenset({"dynamodb"})]
    assert changed.take() == frozenset()  # taken once
