"""The system clock and random identifiers."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


class SystemClock:
    def now_iso(self) -> str:
        return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class RandomIds:
    def new_id(self) -> str:
        return uuid.uuid4().hex
