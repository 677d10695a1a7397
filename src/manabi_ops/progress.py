"""A text progress bar on stderr (`[#####.....] 12/40 data restore 2026-12-03`)."""

from __future__ import annotations

import sys
from typing import TextIO

WIDTH = 30


class Bar:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream if stream is not None else sys.stderr
        self._label = ""
        self._total = 0
        self._done = 0

    def start(self, label: str, total: int) -> None:
        self._label, self._total, self._done = label, total, 0
        self._draw()

    def advance(self, n: int = 1) -> None:
        self._done += n
        self._draw()

    def done(self) -> None:
        self._stream.write("\n")
        self._stream.flush()

    def _draw(self) -> None:
        filled = WIDTH if not self._total else WIDTH * self._done // self._total
        bar = "#" * filled + "." * (WIDTH - filled)
        self._stream.write(f"\r[{bar}] {self._done}/{self._total} {self._label}")
        self._stream.flush()


class Silent:
    def start(self, label: str, total: int) -> None:
        pass

    def advance(self, n: int = 1) -> None:
        pass

    def done(self) -> None:
        pass
