"""What stands between the emulator's requests, and between them and its snapshots.

- `Gate`: moto handles one request at a time, and a snapshot runs between two requests. moto is
  not safe for concurrent writes (DynamoDB's TransactWriteItems deep-copies the whole table for
  its rollback while other threads change it: "dictionary changed size during iteration", a 500;
  a rollback would also undo the writes made meanwhile), and its work holds the GIL anyway, so
  one at a time costs no throughput: sockets, request bodies and responses still move in
  parallel outside the gate (docs/decisions/0026).
- `touched_services`: which moto services a request may have changed, so a snapshot re-pickles
  only those (S3 holds the bytes of every file; DynamoDB, Cognito and SQS are small).
- `GatedApp`: the WSGI middleware that reads the body, then puts the request through the gate
  and marks what it touched.
- `wait_outside_the_gate`: an SQS long poll waits without holding the gate, or one poll would
  hold every other request for up to 20 seconds.
"""

from __future__ import annotations

import io
import re
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

# Every service: a request we cannot place may have changed anything.
EVERYTHING: frozenset[str] | None = None

# Operations that only read, by the name in X-Amz-Target (JSON protocols).
_READ_OPERATION = re.compile(r"^(Admin)?(Get|Describe|List|Query|Scan|BatchGet)")
# Unsigned JSON calls (the SPA's Cognito calls through the local front) name their service here.
_TARGET_SERVICES = {
    "AWSCognitoIdentityProviderService": "cognito-idp",
    "DynamoDB_20120810": "dynamodb",
    "AmazonSQS": "sqs",
    "TrentService": "kms",
}
# What moto changes in other services while it serves one: S3 event notifications reach SQS,
# SNS, EventBridge and Lambda; SNS deliveries reach SQS and Lambda.
_SIDE_EFFECTS = {
    "s3": ("sqs", "sns", "events", "lambda"),
    "sns": ("sqs", "lambda"),
}

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]


class Gate:
    """One holder at a time: a request or a snapshot; a waiting snapshot goes first."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._held_by: int | None = None  # the holding thread's id
        self._snapshots_waiting = 0

    @contextmanager
    def request(self) -> Iterator[None]:
        self._enter(snapshot=False)
        try:
            yield
        finally:
            self._leave()

    @contextmanager
    def exclusive(self) -> Iterator[None]:
        """For a snapshot: waits for the request inside, and goes before those waiting."""
        self._enter(snapshot=True)
        try:
            yield
        finally:
            self._leave()

    @contextmanager
    def stepped_aside(self) -> Iterator[None]:
        """Inside a request: let others through while this thread waits for something."""
        if self._held_by != threading.get_ident():
            yield
            return
        self._leave()
        try:
            yield
        finally:
            self._enter(snapshot=False)

    def _enter(self, *, snapshot: bool) -> None:
        with self._condition:
            if snapshot:
                self._snapshots_waiting += 1
                while self._held_by is not None:
                    self._condition.wait()
                self._snapshots_waiting -= 1
            else:
                while self._held_by is not None or self._snapshots_waiting:
                    self._condition.wait()
            self._held_by = threading.get_ident()

    def _leave(self) -> None:
        with self._condition:
            self._held_by = None
            self._condition.notify_all()


class ChangedServices:
    """The services changed since the last snapshot; `EVERYTHING` when unknown."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: set[str] = set()
        self._everything = False
        self.changed = threading.Event()

    def mark(self, names: frozenset[str] | None) -> None:
        if names is not None and not names:
            return
        with self._lock:
            if names is None:
                self._everything = True
            else:
                self._names |= names
        self.changed.set()

    def take(self) -> frozenset[str] | None:
        """What changed, forgetting it (call it inside Gate.exclusive)."""
        with self._lock:
            names: frozenset[str] | None = (
                EVERYTHING if self._everything else frozenset(self._names)
            )
            self._names.clear()
            self._everything = False
            self.changed.clear()
        return names


def _signing_service(authorization: str) -> str | None:
    """The service a SigV4 Authorization header names (Credential=KEY/DATE/REGION/SERVICE/…)."""
    _, _, credential = authorization.partition("Credential=")
    parts = credential.split(",", 1)[0].split("/")
    return parts[3].lower() if len(parts) == 5 else None


def touched_services(environ: Environ) -> frozenset[str] | None:
    """The services this request may change: none for a read, EVERYTHING when unknown."""
    if environ.get("REQUEST_METHOD", "GET") in {"GET", "HEAD", "OPTIONS"}:
        return frozenset()
    target = str(environ.get("HTTP_X_AMZ_TARGET", ""))
    prefix, _, operation = target.rpartition(".")
    if target and _READ_OPERATION.match(operation):
        return frozenset()
    service = _signing_service(str(environ.get("HTTP_AUTHORIZATION", "")))
    service = service or _TARGET_SERVICES.get(prefix)
    if service is None:
        return EVERYTHING
    return frozenset({service, *_SIDE_EFFECTS.get(service, ())})


def _read_body(environ: Environ) -> bytes:
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        return bytes(stream.read())
    length = str(environ.get("CONTENT_LENGTH") or "0")
    return bytes(stream.read(int(length))) if length.isdigit() and int(length) else b""


class GatedApp:
    """moto's WSGI app behind the gate, marking what each request changed."""

    def __init__(self, app: WsgiApp, gate: Gate, changed: ChangedServices) -> None:
        self.app = app
        self.gate = gate
        self.changed = changed

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        # The body is read before entering: a slow upload must not hold the gate.
        body = _read_body(environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        environ.pop("wsgi.input_terminated", None)
        touched = touched_services(environ)
        with self.gate.request():
            try:
                result = self.app(environ, start_response)
                try:
                    chunks = list(result)
                finally:
                    close = getattr(result, "close", None)
                    if close is not None:
                        close()
            finally:
                # Marked before the gate opens: the next snapshot includes this request, and the
                # client hears back only after that.
                self.changed.mark(touched)
        return chunks


_GATE: list[Gate] = []  # the gate of this process, read by the patched wait


def wait_outside_the_gate(gate: Gate) -> None:
    """Make moto's SQS long poll step aside from the gate while it waits for messages.

    moto's receive_message loops over the queue and, when nothing is visible, calls
    Queue.wait_for_messages; between two passes the queue is consistent, so a snapshot may run.
    """
    from moto.sqs.models import Queue

    _GATE[:] = [gate]
    waiting = Queue.wait_for_messages
    if getattr(waiting, "steps_aside", False):
        return

    def wait_for_messages(self: Any, timeout: float) -> None:
        with _GATE[0].stepped_aside():
            waiting(self, timeout)

    wait_for_messages.steps_aside = True  # type: ignore[attr-defined]
    Queue.wait_for_messages = wait_for_messages
