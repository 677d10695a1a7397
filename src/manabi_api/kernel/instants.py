"""Instants as the API stores them: ISO 8601 UTC text, `YYYY-MM-DDTHH:MM:SS.fffZ`."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta
from typing import NamedTuple


def normalise_instant(text: str) -> str:
    """ISO 8601 with an offset → comparable UTC text; ValueError without a time zone."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError("a time zone is required")
    return _text(moment)


def seconds_after(instant: str, seconds: int) -> str:
    return _text(
        datetime.fromisoformat(instant.replace("Z", "+00:00")) + timedelta(seconds=seconds)
    )


class Hour(NamedTuple):
    """The clock hour (UTC) an instant falls in: `key` YYYYMMDDHH, when the next one starts
    (epoch seconds) and how many whole seconds remain until then (at least 1)."""

    key: str
    ends_at_epoch: int
    seconds_left: int


def hour_of(instant: str) -> Hour:
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(UTC)
    start = moment.replace(minute=0, second=0, microsecond=0)
    end = start + timedelta(hours=1)
    left = max(1, math.ceil((end - moment).total_seconds()))
    return Hour(start.strftime("%Y%m%d%H"), int(end.timestamp()), left)


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
