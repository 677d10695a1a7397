"""A tiny clamd client: PING, VERSION and INSTREAM over a unix socket or TCP.

The PyPI `clamd` package has not been released since 2017; the protocol is small enough to own:
`zINSTREAM\\0`, then chunks each prefixed by their 4-byte big-endian length, then a zero length.
clamd answers `stream: OK`, `stream: <signature> FOUND` or `<message> ERROR`.

Every call has a deadline (MP-AV-02, GL-REL-01): the connect, each chunk's send and a command's
reply get `timeout` seconds; the reply to INSTREAM, which clamd sends only after scanning the
whole stream, gets `timeout` plus `seconds_per_mib` for every MiB streamed. A clamd that stops
answering (frozen, overloaded) or goes away mid-call raises `ScanInterrupted`.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable
from typing import NamedTuple

CHUNK_BYTES = 64 * 1024
MIB = 1024 * 1024
# Defaults of ClamdTimeouts (docs/decisions/0030-scanner-timeouts-and-restarts.md): a healthy
# clamd connects, takes a chunk or answers PING in milliseconds; it scans at ~0.67 s per MiB on
# the largest set measured (docs/virus-scan.md), so 0.8 s/MiB plus 10 s keeps a 100 MiB file
# (90 s) inside the scanner's 120 s timeout.
DEFAULT_CALL_SECONDS = 10.0
DEFAULT_SECONDS_PER_MIB = 0.8
# After clamd closed the stream (a limit, a crash): how long to look for an answer it left.
LAST_WORDS_SECONDS = 0.5


class ClamdError(RuntimeError):
    """clamd is unreachable or answered with an error: the object's verdict is ERROR."""


class ClamdUnreachable(ClamdError):
    """No connection to clamd (no socket, refused): clamd is not running there."""


class ScanInterrupted(ClamdError):
    """clamd stopped answering (a deadline passed) or went away during a call: nothing is known
    about the object, which stays unscanned; whoever runs this clamd should replace it."""


class StreamResult(NamedTuple):
    found: bool
    signature: str  # "" when nothing was found


class ClamdTimeouts(NamedTuple):
    """Deadlines of one clamd call, in seconds (ScannerConfig reads them from the environment)."""

    call_seconds: float = DEFAULT_CALL_SECONDS  # connect, each chunk's send, a command's reply
    seconds_per_mib: float = DEFAULT_SECONDS_PER_MIB  # INSTREAM's reply: this much more per MiB

    def reply_seconds(self, streamed_bytes: int) -> float:
        return self.call_seconds + self.seconds_per_mib * streamed_bytes / MIB


DEFAULT_TIMEOUTS = ClamdTimeouts()


class ClamdClient:
    def __init__(
        self,
        address: str | tuple[str, int],
        timeout: float = DEFAULT_CALL_SECONDS,
        seconds_per_mib: float = DEFAULT_SECONDS_PER_MIB,
    ) -> None:
        self.address = address
        self.timeouts = ClamdTimeouts(timeout, seconds_per_mib)

    @property
    def timeout(self) -> float:
        return self.timeouts.call_seconds

    def _connect(self) -> socket.socket:
        if isinstance(self.address, str):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        else:
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.settimeout(self.timeouts.call_seconds)
        try:
            sock.connect(self.address)
        except TimeoutError as error:  # there, but not accepting: a frozen or swamped clamd
            sock.close()
            raise ScanInterrupted(f"clamd did not accept within {self.timeout:g} s") from error
        except OSError as error:
            sock.close()
            raise ClamdUnreachable(f"clamd is unreachable: {error}") from error
        return sock

    def _command(self, command: str) -> str:
        with self._connect() as sock:
            _send(sock, f"z{command}\0".encode())
            return _read_reply(sock)

    def ping(self) -> bool:
        try:
            return self._command("PING") == "PONG"
        except ClamdError:
            return False

    def version(self) -> str:
        return self._command("VERSION")

    def instream(self, chunks: Iterable[bytes]) -> StreamResult:
        """Stream `chunks` to clamd. Errors of `chunks` itself (the object's download) pass
        through unchanged: they are not clamd's."""
        with self._connect() as sock:
            _send(sock, b"zINSTREAM\0")
            streamed = 0
            for chunk in chunks:
                for start in range(0, len(chunk), CHUNK_BYTES):
                    part = chunk[start : start + CHUNK_BYTES]
                    _send(sock, struct.pack("!L", len(part)) + part)
                    streamed += len(part)
            _send(sock, struct.pack("!L", 0))
            sock.settimeout(self.timeouts.reply_seconds(streamed))
            reply = _read_reply(sock)
        return parse_reply(reply)


def _send(sock: socket.socket, data: bytes) -> None:
    """One send within the socket's timeout. When clamd closed the connection, the answer it
    may have left first (`INSTREAM size limit exceeded. ERROR`) is the error."""
    try:
        sock.sendall(data)
    except TimeoutError as error:
        raise ScanInterrupted(f"clamd took no data for {sock.gettimeout():g} s") from error
    except OSError as error:
        last_words = _last_words(sock)
        if last_words:
            parse_reply(last_words)  # an ERROR answer raises ClamdError with clamd's reason
        raise ScanInterrupted(f"the stream to clamd broke: {error}") from error


def _last_words(sock: socket.socket) -> str:
    try:
        sock.settimeout(LAST_WORDS_SECONDS)
        return sock.recv(4096).rstrip(b"\0").decode("utf-8", "replace").strip()
    except OSError:
        return ""


def _read_reply(sock: socket.socket) -> str:
    data = b""
    try:
        while not data.endswith(b"\0"):
            part = sock.recv(4096)
            if not part:
                break
            data += part
    except TimeoutError as error:
        raise ScanInterrupted(f"clamd did not answer within {sock.gettimeout():g} s") from error
    except OSError as error:
        raise ScanInterrupted(f"clamd failed: {error}") from error
    if not data:
        raise ScanInterrupted("clamd closed the connection without an answer")
    return data.rstrip(b"\0").decode("utf-8", "replace").strip()


def parse_reply(reply: str) -> StreamResult:
    if reply.endswith("ERROR"):
        raise ClamdError(reply)
    if reply == "stream: OK":
        return StreamResult(False, "")
    if reply.startswith("stream: ") and reply.endswith(" FOUND"):
        return StreamResult(True, reply[len("stream: ") : -len(" FOUND")])
    raise ClamdError(f"unexpected clamd answer: {reply!r}")
