"""A stand-in AWS endpoint that answers every request throttled, unavailable or too late, in
each service's own protocol, for fault-injection tests through the real adapters."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

THROTTLED, UNAVAILABLE, SLOW = "throttled", "unavailable", "slow"
SLOW_SECONDS = 2.5  # longer than the adapters' read timeout


def _json_error(code: str) -> bytes:
    return json.dumps({"__type": code, "message": "injected fault"}).encode()


class _FaultHandler(BaseHTTPRequestHandler):
    server: FaultServer

    def log_message(self, *_: object) -> None:  # quiet tests
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.requests += 1
        mode = self.server.mode
        if mode == SLOW:
            time.sleep(SLOW_SECONDS)
        target = self.headers.get("X-Amz-Target", "")
        if mode == THROTTLED:
            if target.startswith("DynamoDB"):
                status, body = 400, _json_error("ProvisionedThroughputExceededException")
            elif target.startswith("AWSCognitoIdentityProviderService"):
                status, body = 400, _json_error("TooManyRequestsException")
            elif target.startswith("AmazonSQS"):
                status, body = 400, _json_error("RequestThrottled")
            else:  # S3: a REST XML error (HEAD requests get none: the status alone)
                status = 503
                body = b"<Error><Code>SlowDown</Code><Message>injected</Message></Error>"
        else:
            status, body = 503, _json_error("ServiceUnavailable")
        self.send_response(status)
        self.send_header("Content-Type", "application/x-amz-json-1.0")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_POST = do_PUT = do_HEAD = do_DELETE = _answer


class FaultServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mode: str) -> None:
        super().__init__(("127.0.0.1", 0), _FaultHandler)
        self.mode = mode
        self.requests = 0

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


@contextmanager
def fault_server(mode: str) -> Iterator[FaultServer]:
    server = FaultServer(mode)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
