"""Port checks with one clear message instead of a traceback."""

from __future__ import annotations

import errno
import socket


class PortInUseError(Exception):
    """A local port the run command needs is taken by another process."""

    def __init__(self, port: int, role: str, flag: str) -> None:
        super().__init__(
            f"Port {port} ({role}) is already in use. "
            f"Stop the other process or choose another port with {flag} PORT."
        )
        self.port = port
        self.flag = flag


def ensure_port_free(host: str, port: int, role: str, flag: str) -> None:
    """Raise PortInUseError when something listens on host:port.

    SO_REUSEADDR mirrors what the servers themselves set, so a socket of a previous run that is
    still in TIME_WAIT does not count as "in use" while a live listener still does.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUseError(port, role, flag) from None
            raise


def is_address_in_use(error: OSError) -> bool:
    return error.errno == errno.EADDRINUSE


def free_port(host: str = "127.0.0.1") -> int:
    """An ephemeral port that is free right now (tests use it to avoid the default ports)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port
