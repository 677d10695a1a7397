"""Instants as the API stores them: ISO 8601 UTC text, `YYYY-MM-DDTHH:MM:SS.fffZ`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


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


def _text(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
