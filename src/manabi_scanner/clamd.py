"""A tiny clamd client: PING, VERSION and INSTREAM over a unix socket or TCP.

The PyPI `clamd` package has not been released since 2017; the protocol is small enough to own:
`zINSTREAM\\0`, then chunks each prefixed by their 4-byte big-endian length, then a zero length.
clamd answers `stream: OK`, `stream: <signature> FOUND` or `<message> ERROR`.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from typing import NamedTuple

CHUNK_BYTES = 64 * 1024


class ClamdError(RuntimeError):
    """clamd is unreachable or answered with an error: the object's verdict is ERROR."""


class StreamResult(NamedTuple):
    found: bool
    signature: str  # "" when nothing was found


class ClamdClient:
    def __init__(self, address: str | tuple[str, int], timeout: float = 120.0) -> None:
        self.address = address
        self.timeout = timeout

    def _connect(self) -> socket.socket:
        try:
            if isinstance(self.address, str):
                sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            else:
                sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.settimeout(self.timeout)
            sock.connect(self.address)
        except OSError as error:
            raise ClamdError(f"clamd is unreachable: {error}") from error
        return sock

    def _command(self, command: str) -> str:
        with self._connect() as sock:
            try:
                sock.sendall(f"z{command}\0".encode())
                return _read_reply(sock)
            except OSError as error:
                raise ClamdError(f"clamd failed: {error}") from error

    def ping(self) -> bool:
        try:
            return self._command("PING") == "PONG"
        except ClamdError:
            return False

    def version(self) -> str:
        return self._command("VERSION")

    def instream(self, chunks: Iterable[bytes]) -> StreamResult:
        with self._connect() as sock:
            try:
                sock.sendall(b"zINSTREAM\0")
                for chunk in chunks:
                    for start in range(0, len(chunk), CHUNK_BYTES):
                        part = chunk[start : start + CHUNK_BYTES]
                        sock.sendall(struct.pack("!L", len(part)) + part)
                sock.sendall(struct.pack("!L", 0))
                reply = _read_reply(sock)
            except OSError as error:
                raise ClamdError(f"the stream to clamd broke: {error}") from error
        return parse_reply(reply)


def _read_reply(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\0"):
        part = sock.recv(4096)
        if not part:
            break
        data += part
    if not data:
        raise ClamdError("clamd closed the connection without an answer")
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> StreamResult:
    if reply.endswith("ERROR"):
        raise ClamdError(reply)
    if reply == "stream: OK":
        return StreamResult(False, "")
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return StreamResult(True, reply[len("stream: ") : -len(" FOUND")])
    raise ClamdError(f"unexpected clamd answer: {reply!r}")
