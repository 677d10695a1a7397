"""A small threaded HTTP server that hands HttpRequest objects to an app and writes its answer.

The local origins (the API gateway, the SPA with the Cognito front) use it; the apps themselves
stay socket-free. What it guarantees a client (MP-LOC-02):
- a listen backlog of LISTEN_BACKLOG, so a burst of connections waits instead of being dropped;
- timeouts that answer instead of hanging: a keep-alive connection idle for `idle_seconds` is
  closed; a request head (or a body) that stalls for `header_seconds` (`body_seconds`) gets 408;
- framing checked before anything is read: a Content-Length that is not a non-negative integer,
  several different ones, or one next to Transfer-Encoding get 400, an unknown transfer coding 501;
- at most `max_in_flight` requests inside the app, the others answered at once by `busy`
  (429 with Retry-After);
- `stop` closes the port first, answers requests that still arrive on open connections with
  503 + Connection: close, and waits (bounded) for the ones inside to finish.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import cast

from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.tcp_ports import PortInUseError, is_address_in_use

App = Callable[[HttpRequest], HttpResponse]

_MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit
LISTEN_BACKLOG = 1024  # socketserver's default is 5: 50 clients connecting at once lost SYNs
_DIGITS = re.compile(r"^[0-9]+$")
_HEX = re.compile(r"^[0-9A-Fa-f]+$")
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class Limits:
    idle_seconds: float = 60.0  # a keep-alive connection waiting for its next request
    header_seconds: float = 10.0  # silence allowed while a request head arrives
    body_seconds: float = 10.0  # silence allowed while a body arrives or a response leaves
    max_in_flight: int | None = None  # requests inside the app at once; None: no limit


class BadRequest(Exception):
    """The request cannot be framed; answered with `status` and the connection closed."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def message_response(status: int, message: str, *extra: tuple[str, str]) -> HttpResponse:
    body = json.dumps({"message": message}).encode()
    return HttpResponse(status, [("Content-Type", "application/json"), *extra], body)


def too_many_requests(
    request: HttpRequest, detail: str, retry_after_seconds: int = 1
) -> HttpResponse:
    """429 problem details (RFC 9457) with Retry-After, as a throttled client should get it."""
    body = {
        "type": "about:blank",
        "title": "Too Many Requests",
        "status": 429,
        "detail": detail,
        "instance": request.path,
    }
    return HttpResponse(
        429,
        [("Content-Type", PROBLEM_JSON), ("Retry-After", str(retry_after_seconds))],
        json.dumps(body).encode(),
    )


def _not_started(request: HttpRequest) -> HttpResponse:
    return HttpResponse(503, [("Content-Type", "text/plain")], b"starting")


def _busy(request: HttpRequest) -> HttpResponse:
    return too_many_requests(request, "The local server is busy; retry shortly.")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open keep-alive connection must not block shutdown
    allow_reuse_address = True
    request_queue_size = LISTEN_BACKLOG

    def __init__(self, address: tuple[str, int], logger: logging.Logger, limits: Limits) -> None:
        self.app: App = _not_started
        self.busy: App = _busy
        self.logger = logger
        self.limits = limits
        self.host = address[0]
        self.accepting = True
        self._active = 0  # requests being read, run or written
        self._in_app = 0  # of which inside the app
        self._idle = threading.Condition()
        super().__init__(address, _RequestHandler)

    def begin(self) -> None:
        """A request is being served (read, run or written): `stop` waits for it."""
        with self._idle:
            self._active += 1

    def end(self) -> None:
        with self._idle:
            self._active -= 1
            self._idle.notify_all()

    def enter_app(self) -> bool:
        """Count a request into the app; False when max_in_flight are inside already."""
        with self._idle:
            limit = self.limits.max_in_flight
            if limit is not None and self._in_app >= limit:
                return False
            self._in_app += 1
            return True

    def leave_app(self) -> None:
        with self._idle:
            self._in_app -= 1

    def wait_idle(self, timeout: float) -> bool:
        with self._idle:
            return self._idle.wait_for(lambda: self._active == 0, timeout=timeout)

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a keep-alive connection mid-response is normal, not an error
        # worth a traceback on the console; anything else is logged with its traceback.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            self.logger.debug("client %s went away: %s", client_address, error)
        else:
            self.logger.exception("error while serving %s", client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def handle_one_request(self) -> None:
        """The stdlib's loop step with three timeouts instead of none."""
        limits = self.server.limits
        self.connection.settimeout(limits.idle_seconds)
        try:
            # rfile is buffered (StreamRequestHandler.rbufsize): peek waits for a first byte.
            if not cast(io.BufferedReader, self.rfile).peek(1):  # closed by the client
                self.close_connection = True
                return
        except (TimeoutError, ConnectionError):
            self.close_connection = True  # idle too long: closed without a word, like any server
            return
        self.connection.settimeout(limits.header_seconds)
        try:
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.requestline = self.request_version = self.command = ""
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():  # answers 400/431/505 itself
                return
        except TimeoutError:
            self._answer_and_close(message_response(408, "Request Timeout"))
            return
        self.connection.settimeout(limits.body_seconds)
        # Every method reaches the app (no stdlib HTML 501): the local API answers an undeclared
        # one as API Gateway does, with its JSON gateway response.
        self._handle()
        self.wfile.flush()

    def _handle(self) -> None:
        started = time.monotonic()
        server = self.server
        server.begin()
        try:
            if not server.accepting:
                # Stopping: refused whole, never half-served by a system that is going away.
                response = message_response(503, "Service Unavailable", ("Retry-After", "1"))
                self._answer_and_close(response)
                return
            try:
                body = self._read_body()
            except BadRequest as error:
                rejected = getattr(server.app, "rejected", None)
                answer = rejected(error.status, error.message) if rejected else None
                self._answer_and_close(answer or message_response(error.status, error.message))
                return
            except TimeoutError:
                self._answer_and_close(message_response(408, "Request Timeout"))
                return
            request = HttpRequest(
                method=self.command,
                target=self.path,
                headers=list(self.headers.items()),
                body=body,
                source_ip=self.client_address[0],
                host=server.host,
            )
            if server.enter_app():
                try:
                    response = self._call_app(request)
                finally:
                    server.leave_app()
            else:
                response = server.busy(request)
            self._write(response, head=self.command == "HEAD")
            self._log(response, started)
        finally:
            server.end()

    def _call_app(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.server.app(request)
        except Exception:
            self.server.logger.exception(
                "unhandled error while serving %s %s", self.command, self.path
            )
            return message_response(500, "Internal server error")

    def _log(self, response: HttpResponse, started: float) -> None:
        self.server.logger.info(
            "%s %s %d %.0f ms",
            self.command,
            self.path,
            response.status,
            (time.monotonic() - started) * 1000,
        )

    def _read_body(self) -> bytes:
        codings = [
            c.strip().lower()
            for value in self.headers.get_all("Transfer-Encoding", [])
            for c in value.split(",")
            if c.strip()
        ]
        lengths = {v.strip() for v in self.headers.get_all("Content-Length", [])}
        if codings:
            if lengths:
                raise BadRequest(400, "Content-Length and Transfer-Encoding cannot be combined")
            if codings != ["chunked"]:
                raise BadRequest(501, f"Transfer-Encoding {', '.join(codings)} is not supported")
            return self._read_chunked()
        if len(lengths) > 1:
            raise BadRequest(400, "Conflicting Content-Length headers")
        length_text = next(iter(lengths), "0")
        if not _DIGITS.match(length_text):
            raise BadRequest(400, "Content-Length must be a non-negative integer")
        length = int(length_text)
        if length > _MAX_BODY:
            raise BadRequest(413, "Request Too Long")
        body = self.rfile.read(length) if length else b""
        if len(body) < length:
            raise BadRequest(400, "The body ended before Content-Length bytes")
        return body

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_text = self.rfile.readline(1024).split(b";", 1)[0].strip().decode("latin-1")
            if not _HEX.match(size_text):
                raise BadRequest(400, "Malformed chunked body")
            size = int(size_text, 16)
            if size == 0:
                while self.rfile.readline(65537) not in {b"\r\n", b"\n", b""}:
                    pass  # trailer fields: not passed on, as API Gateway does
                return b"".join(chunks)
            total += size
            if total > _MAX_BODY:
                raise BadRequest(413, "Request Too Long")
            chunk = self.rfile.read(size)
            if len(chunk) < size or self.rfile.readline(3) not in {b"\r\n", b"\n"}:
                raise BadRequest(400, "Malformed chunked body")
            chunks.append(chunk)

    def _answer_and_close(self, response: HttpResponse) -> None:
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client is gone: nothing to tell it
            self._write(response, head=False, close=True)

    def _write(self, response: HttpResponse, *, head: bool, close: bool = False) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            # The server frames the body itself; framing headers from the app would lie.
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        # 1xx, 204 and 304 have no body (RFC 9110 §6.4.1): bytes written after one would be read
        # as the start of the next response on the keep-alive connection.
        bodiless = response.status < 200 or response.status in {204, 304}
        if not bodiless:
            self.send_header("Content-Length", str(len(response.body)))
        if close:
            self.send_header("Connection", "close")
        self.end_headers()
        if not head and not bodiless and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        # Requests are logged once in _handle; the stdlib's own line would repeat them on stderr.
        return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class HttpServerThread:
    """One server socket, bound at construction (so a taken port fails before anything else
    starts) and served from a daemon thread between start(app) and stop()."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        role: str,
        flag: str,
        logger: str,
        limits: Limits | None = None,
        busy: App | None = None,
    ) -> None:
        try:
            self._server = _Server((host, port), logging.getLogger(logger), limits or Limits())
            self._host = host
        except OSError as error:
            if is_address_in_use(error):
                raise PortInUseError(port, role, flag) from None
            raise
        if busy is not None:
            self._server.busy = busy
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self._host}:{self.port}"

    def start(self, app: App) -> None:
        self._server.app = app
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},  # how long stop_accepting may wait for the loop
            name=f"http-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop_accepting(self) -> None:
        """Close the port; requests on connections already open get 503 from now on."""
        self._server.accepting = False
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()

    def drain(self, timeout: float) -> bool:
        """Wait until no request is inside the app; False if some still are after `timeout`."""
        return self._server.wait_idle(timeout)

    def stop(self, drain_seconds: float = 0.0) -> None:
        self.stop_accepting()
        if drain_seconds:
            self.drain(drain_seconds)
