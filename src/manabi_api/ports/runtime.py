"""Time and identifiers, passed in so tests control them (implementations: adapters.system)."""

from __future__ import annotations

from typing import Protocol


class Clock(Protocol):
    def now_iso(self) -> str: ...


class IdGenerator(Protocol):
    def new_id(self) -> str: ...
