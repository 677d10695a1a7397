"""The local servers' edges: framing, timeouts, throttling and a stop that drains (MP-LOC-02)."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable, Iterator

import pytest

from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.httpserver import LISTEN_BACKLOG, HttpServerThread, Limits

FAST = Limits(idle_seconds=0.5, header_seconds=0.3, body_seconds=0.3)


def _ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(200, [("Content-Type", "text/plain")], request.body or b"ok")


@pytest.fixture
def serve() -> Iterator[Callable[..., HttpServerThread]]:
    servers: list[HttpServerThread] = []

    def start(
        app: Callable[[HttpRequest], HttpResponse] = _ok, **limits: float
    ) -> HttpServerThread:
        server = HttpServerThread(
            "127.0.0.1",
            0,
            role="test",
            flag="--port",
            logger="tests.httpserver",
            limits=Limits(**{**FAST.__dict__, **limits}),
        )
        server.start(app)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def _exchange(server: HttpServerThread, raw: bytes, wait: float = 0.0) -> bytes:
    """Send `raw`, then read until the server closes the connection (or 5 s pass)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(raw)
        if wait:
            time.sleep(wait)
        chunks = []
        while True:
            try:
                chunk = connection.recv(65536)
            except TimeoutError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "length", ["-1", "abc", "1e3", "+5", " "], ids=["negative", "word", "float", "sign", "blank"]
)
def test_mp_loc_02_a_content_length_that_is_not_a_number_gets_400_at_once(
    serve: Callable[..., HttpServerThread], length: str
) -> None:
    server = serve()
    started = time.monotonic()
    response = _exchange(
        server, f"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: {length}\r\n\r\n".encode()
    )
    assert _status(response) == 400
    assert b"Content-Length must be a non-negative integer" in response
    assert b"Connection: close" in response
    assert time.monotonic() - started < 2  # answered, never read to the end of the stream


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ("Content-Length: 3\r\nContent-Length: 4\r\n", 400),
        ("Content-Length: 3\r\nTransfer-Encoding: chunked\r\n", 400),
        ("Transfer-Encoding: gzip, chunked\r\n", 501),
    ],
    ids=["two-lengths", "length-and-chunked", "unknown-coding"],
)
def test_mp_loc_02_ambiguous_framing_is_refused(
    serve: Callable[..., HttpServerThread], headers: str, status: int
) -> None:
    response = _exchange(serve(), f"POST /x HTTP/1.1\r\nHost: t\r\n{headers}\r\nabc".encode())
    assert _status(response) == status


def test_chunked_bodies_reach_the_app(serve: Callable[..., HttpServerThread]) -> None:
    raw = (
        b"POST /x HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        b"3\r\nabc\r\n2;ext=1\r\nde\r\n0\r\nTrailer: x\r\n\r\n"
    )
    response = _exchange(serve(), raw)
    assert _status(response) == 200
    assert response.endswith(b"abcde")


def test_mp_loc_02_a_stalled_request_head_gets_408(serve: Callable[..., HttpServerThread]) -> None:
    response = _exchange(serve(), b"GET /x HTTP/1.1\r\nHost: t\r\n", wait=0.6)
    assert _status(response) == 408


def test_mp_loc_02_a_stalled_body_gets_408(serve: Callable[..., HttpServerThread]) -> None:
    raw = b"POST /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\nabc"
    assert _status(_exchange(serve(), raw, wait=0.6)) == 408


def test_an_idle_keep_alive_connection_is_closed_quietly(
    serve: Callable[..., HttpServerThread],
) -> None:
    server = serve()
    with socket.create_connection(("127.0.0.1", server.port), timeout=5) as connection:
        connection.sendall(b"GET /x HTTP/1.1\r\nHost: t\r\n\r\n")
        answer = b""
        while not answer.endswith(b"\r\n\r\nok"):
            answer += connection.recv(65536)
        assert answer.startswith(b"HTTP/1.1 200")
        started = time.monotonic()
        assert connection.recv(65536) == b""  # closed by the server after idle_seconds
        assert time.monotonic() - started < 3


def test_mp_loc_02_a_full_server_answers_429_with_retry_after(
    serve: Callable[..., HttpServerThread],
) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow(request: HttpRequest) -> HttpResponse:
        inside.set()
        release.wait(5)
        return _ok(request)

    server = serve(slow, max_in_flight=1, body_seconds=5)
    first = threading.Thread(target=_exchange, args=(server, b"GET /a HTTP/1.1\r\nHost: t\r\n\r\n"))
    first.start()
    assert inside.wait(5)
    try:
        response = _exchange(server, b"GET /b HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
    finally:
        release.set()
        first.join()
    head, _, body = response.partition(b"\r\n\r\n")
    assert _status(response) == 429
    assert b"Retry-After: 1" in head
    assert b"Content-Type: application/problem+json" in head
    problem = json.loads(body)
    assert problem["status"] == 429
    assert problem["instance"] == "/b"


def test_mp_loc_02_stop_closes_the_port_then_lets_the_requests_inside_finish(
    serve: Callable[..., HttpServerThread],
) -> None:
    inside, release = threading.Event(), threading.Event()

    def slow(request: HttpRequest) -> HttpResponse:
        if request.path == "/slow":
            inside.set()
            release.wait(5)
        return _ok(request)

    server = serve(slow, body_seconds=5, idle_seconds=5)
    kept = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    kept.sendall(b"GET /warm HTTP/1.1\r\nHost: t\r\n\r\n")
    warm = b""
    while not warm.endswith(b"\r\n\r\nok"):
        warm += kept.recv(65536)
    answers: list[bytes] = []
    slow_request = threading.Thread(
        target=lambda: answers.append(
            _exchange(server, b"GET /slow HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        )
    )
    slow_request.start()
    assert inside.wait(5)

    server.stop_accepting()
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)
    # A request on a connection that was open already: refused whole, not half-served.
    kept.sendall(b"GET /late HTTP/1.1\r\nHost: t\r\n\r\n")
    late = kept.recv(65536)
    kept.close()
    assert _status(late) == 503
    assert b"Connection: close" in late

    assert not server.drain(0.2)  # /slow is still inside
    release.set()
    assert server.drain(5)
    slow_request.join()
    assert _status(answers[0]) == 200


def test_mp_loc_02_the_listen_backlog_takes_a_burst_of_connections() -> None:
    assert LISTEN_BACKLOG >= 128
    server = HttpServerThread("127.0.0.1", 0, role="test", flag="--port", logger="t")
    try:
        assert server._server.request_queue_size == LISTEN_BACKLOG
    finally:
        server.stop()


def test_mp_loc_02_a_204_sends_no_body_so_the_next_answer_on_the_connection_stays_whole(
    serve: Callable[..., HttpServerThread],
) -> None:
    """An app's body on a 204 (a JSON `null`) is dropped: the keep-alive stream stays framed."""

    def app(request: HttpRequest) -> HttpResponse:
        if request.method == "DELETE":
            return HttpResponse(204, [("Content-Type", "application/json")], b"null")
        return HttpResponse(409, [("Content-Type", "text/plain")], b"conflict")

    server = serve(app)
    raw = _exchange(
        server,
        b"DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n"
        b"DELETE /x HTTP/1.1\r\nHost: t\r\n\r\n"
        b"GET /x HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
    )
    answers = raw.split(b"HTTP/1.1 ")[1:]
    assert [int(a.split(b" ", 1)[0]) for a in answers] == [204, 204, 409]
    first = answers[0]
    assert first.endswith(b"\r\n\r\n")  # the head only
    assert b"content-length" not in first.lower()
    assert raw.endswith(b"conflict")
