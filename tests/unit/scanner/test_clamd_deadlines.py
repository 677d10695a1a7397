"""GL-REL-01, MP-AV-02: every clamd call has a deadline (connect, each chunk, the reply sized by
the bytes streamed); a clamd that stops answering or goes away raises ScanInterrupted, a clamd
that refuses the stream with a reason raises ClamdError with it, and a broken download is the
download's error, not clamd's."""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from manabi_scanner.clamd import (
    MIB,
    ClamdClient,
    ClamdError,
    ClamdTimeouts,
    ClamdUnreachable,
    ScanInterrupted,
)

# A failure deadline: the client must give up long before this (its timeouts are 0.3 s here).
GIVES_UP_WITHIN = 3.0


# What the fake does with one connection; the event is set when the test is over.
Behaviour = Callable[[socket.socket, threading.Event], None]


class FakeClamd:
    """A unix socket server that runs `behaviour` for each connection, one at a time."""

    def __init__(self, tmp_path: Path, behaviour: Behaviour) -> None:
        self.path = str(tmp_path / "fake.sock")
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(self.path)
        self._server.listen(4)
        self._behaviour = behaviour
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        self._server.settimeout(0.1)
        while not self._done.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                self._behaviour(connection, self._done)

    def close(self) -> None:
        self._done.set()
        self._thread.join(timeout=5)
        self._server.close()


StartFake = Callable[[Behaviour], FakeClamd]


@pytest.fixture
def fake(tmp_path: Path) -> Iterator[StartFake]:
    started: list[FakeClamd] = []

    def start(behaviour: Behaviour) -> FakeClamd:
        started.append(FakeClamd(tmp_path, behaviour))
        return started[-1]

    yield start
    for server in started:
        server.close()


def _read_stream(connection: socket.socket, done: threading.Event) -> None:
    data = b""
    while not data.endswith(struct.pack("!L", 0)):
        part = connection.recv(65536)
        if not part:
            return
        data += part


def _silent(connection: socket.socket, done: threading.Event) -> None:
    """Takes the whole stream, never answers (a clamd frozen after the stream)."""
    _read_stream(connection, done)
    done.wait(GIVES_UP_WITHIN)


def _never_reads(connection: socket.socket, done: threading.Event) -> None:
    """Accepts, then reads nothing (a clamd frozen mid-stream: the socket buffer fills)."""
    done.wait(GIVES_UP_WITHIN)


def _refuses_after_first_chunk(connection: socket.socket, done: threading.Event) -> None:
    connection.recv(70_000)
    connection.sendall(b"INSTREAM size limit exceeded. ERROR\0")


def _closes_mid_stream(connection: socket.socket, done: threading.Event) -> None:
    """Dies mid-stream: closes without a word."""
    connection.recv(70_000)


def test_gl_rel_01_the_reply_deadline_grows_with_the_bytes_streamed() -> None:
    timeouts = ClamdTimeouts(call_seconds=10.0, seconds_per_mib=0.8)
    assert timeouts.reply_seconds(0) == 10.0
    assert timeouts.reply_seconds(10 * MIB) == pytest.approx(18.0)
    assert timeouts.reply_seconds(100 * MIB) == pytest.approx(90.0)  # inside the 120 s function
    assert ClamdClient("/x").timeouts == ClamdTimeouts()  # the defaults


def test_gl_rel_01_a_silent_clamd_ends_the_scan_at_the_reply_deadline(fake: StartFake) -> None:
    server = fake(_silent)
    client = ClamdClient(server.path, timeout=0.3, seconds_per_mib=0.0)
    started = time.monotonic()
    with pytest.raises(ScanInterrupted, match=r"did not answer within 0\.3 s"):
        client.instream([b"hello"])
    assert time.monotonic() - started < GIVES_UP_WITHIN
    assert not client.ping()  # PING has the same deadline


def test_gl_rel_01_a_clamd_taking_no_data_ends_the_scan_at_the_chunk_deadline(
    fake: StartFake,
) -> None:
    server = fake(_never_reads)
    client = ClamdClient(server.path, timeout=0.3, seconds_per_mib=0.0)
    started = time.monotonic()
    with pytest.raises(ScanInterrupted, match=r"took no data for 0\.3 s"):
        client.instream([b"x" * (8 * MIB)])  # far more than a socket buffer holds
    assert time.monotonic() - started < GIVES_UP_WITHIN


def test_mp_av_02_a_clamd_gone_mid_stream_is_an_interrupted_scan(fake: StartFake) -> None:
    server = fake(_closes_mid_stream)
    client = ClamdClient(server.path, timeout=1.0)
    with pytest.raises(ScanInterrupted):
        client.instream([b"x" * (4 * MIB)])


def test_mp_av_02_a_stream_clamd_refuses_is_clamds_error_with_its_reason(fake: StartFake) -> None:
    server = fake(_refuses_after_first_chunk)
    client = ClamdClient(server.path, timeout=1.0)
    with pytest.raises(ClamdError, match="size limit exceeded") as raised:
        client.instream([b"x" * (4 * MIB)])
    assert not isinstance(raised.value, ScanInterrupted)  # an answer, not an outage


def test_mp_av_02_no_socket_is_unreachable_not_interrupted(tmp_path: Path) -> None:
    client = ClamdClient(str(tmp_path / "none.sock"), timeout=0.3)
    with pytest.raises(ClamdUnreachable):
        client.instream([b"x"])


def test_mp_av_02_a_broken_download_is_not_blamed_on_clamd(fake: StartFake) -> None:
    server = fake(_read_stream)

    def download() -> Iterator[bytes]:
        yield b"first"
        raise OSError("the stream ended after 5 of 10 bytes")

    with pytest.raises(OSError, match="ended after") as raised:
        ClamdClient(server.path, timeout=1.0).instream(download())
    assert not isinstance(raised.value, ClamdError)
