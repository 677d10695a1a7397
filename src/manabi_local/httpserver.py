"""A small threaded HTTP server that hands HttpRequest objects to an app and writes its answer.

Both local origins (the API gateway and the SPA) use it; the apps themselves stay socket-free.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.tcp_ports import PortInUseError, is_address_in_use

App = Callable[[HttpRequest], HttpResponse]

_MAX_BODY = 10 * 1024 * 1024  # API Gateway's payload limit


def _not_started(request: HttpRequest) -> HttpResponse:
    return HttpResponse(503, [("Content-Type", "text/plain")], b"starting")


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # an open keep-alive connection must not block shutdown
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], logger: logging.Logger) -> None:
        self.app: App = _not_started
        self.logger = logger
        self.host = address[0]
        super().__init__(address, _RequestHandler)

    def handle_error(self, request: object, client_address: object) -> None:
        # A browser that closes a keep-alive connection mid-response is normal, not an error
        # worth a traceback on the console; anything else is logged with its traceback.
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError):
            self.logger.debug("client %s went away: %s", client_address, error)
        else:
            self.logger.exception("error while serving %s", client_address)


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def _handle(self) -> None:
        started = time.monotonic()
        body = self._read_body()
        if body is None:
            return
        request = HttpRequest(
            method=self.command,
            target=self.path,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            host=self.server.host,
        )
        try:
            response = self.server.app(request)
        except Exception:
            self.server.logger.exception(
                "unhandled error while serving %s %s", self.command, self.path
            )
            response = HttpResponse(
                500, [("Content-Type", "application/json")], b'{"message":"Internal server error"}'
            )
        self._write(response, head=self.command == "HEAD")
        self.server.logger.info(
            "%s %s %d %.0f ms",
            self.command,
            self.path,
            response.status,
            (time.monotonic() - started) * 1000,
        )

    def _read_body(self) -> bytes | None:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length = int(self.headers.get("Content-Length") or 0)
        if length > _MAX_BODY:
            too_long = b'{"message":"Request Too Long"}'
            self._write(
                HttpResponse(413, [("Content-Type", "application/json")], too_long), head=False
            )
            return None
        return self.rfile.read(length) if length else b""

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        while True:
            size = int(self.rfile.readline().split(b";", 1)[0].strip() or b"0", 16)
            if size == 0:
                self.rfile.readline()
                return b"".join(chunks)
            chunks.append(self.rfile.read(size))
            self.rfile.readline()

    def _write(self, response: HttpResponse, *, head: bool) -> None:
        self.send_response(response.status)
        for name, value in response.headers:
            # The server frames the body itself; framing headers from the app would lie.
            if name.lower() not in {"content-length", "connection", "transfer-encoding"}:
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if not head and response.body:
            self.wfile.write(response.body)

    def log_message(self, format: str, *args: object) -> None:
        # Requests are logged once in _handle; the stdlib's own line would repeat them on stderr.
        return

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = _handle


class HttpServerThread:
    """One server socket, bound at construction (so a taken port fails before anything else
    starts) and served from a daemon thread between start(app) and stop()."""

    def __init__(self, host: str, port: int, *, role: str, flag: str, logger: str) -> None:
        try:
            self._server = _Server((host, port), logging.getLogger(logger))
            self._host = host
        except OSError as error:
            if is_address_in_use(error):
                raise PortInUseError(port, role, flag) from None
            raise
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
            kwargs={"poll_interval": 0.2},
            name=f"http-{self.port}",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._server.server_close()
