"""A taken port is reported in one line with the flag that chooses another (manabi_local)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from manabi_local.cli import main
from manabi_local.httpserver import HttpServerThread
from manabi_local.tcp_ports import PortInUseError, ensure_port_free, free_port


@pytest.fixture
def busy_port() -> Iterator[int]:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        yield listener.getsockname()[1]


def test_port_in_use_message_names_port_and_flag(busy_port: int) -> None:
    with pytest.raises(PortInUseError) as raised:
        ensure_port_free("127.0.0.1", busy_port, "AWS emulator", "--emulator-port")
    assert str(raised.value) == (
        f"Port {busy_port} (AWS emulator) is already in use. "
        "Stop the other process or choose another port with --emulator-port PORT."
    )


def test_free_port_passes() -> None:
    ensure_port_free("127.0.0.1", free_port(), "AWS emulator", "--emulator-port")


def test_http_server_on_a_busy_port(busy_port: int) -> None:
    with pytest.raises(PortInUseError, match="--api-port"):
        HttpServerThread("127.0.0.1", busy_port, role="local API", flag="--api-port", logger="t")


@pytest.mark.parametrize("flag", ["--api-port", "--web-port", "--emulator-port"])
def test_run_exits_2_with_one_line_and_no_traceback(
    busy_port: int, flag: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ports = {"--api-port": free_port(), "--web-port": free_port(), "--emulator-port": free_port()}
    ports[flag] = busy_port
    argv = ["run", *(item for pair in ports.items() for item in (pair[0], str(pair[1])))]
    # The port checks come before the template is read: a bogus path is never touched.
    assert main([*argv, "--template", "/nonexistent.json"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert f"Port {busy_port}" in err
    assert flag in err
    assert "Traceback" not in err
