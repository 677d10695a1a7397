"""Opaque pagination cursors: base64url JSON of the storage position, validated on the way back."""

from __future__ import annotations

import base64
import binascii
import json

from manabi_api.kernel.errors import FieldIssue, InvalidInput

_MAX_CURSOR_LENGTH = 1024


def encode_cursor(position: dict[str, str]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def invalid_cursor() -> InvalidInput:
    return InvalidInput(
        "The cursor is not one this API returned.",
        [FieldIssue("cursor", "is not a valid pagination cursor", "cursor")],
    )


def decode_cursor(cursor: str, expected_keys: frozenset[str]) -> dict[str, str]:
    if len(cursor) > _MAX_CURSOR_LENGTH:
        raise invalid_cursor()
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        position = json.loads(raw)
    except (binascii.Error, ValueError) as error:
        raise invalid_cursor() from error
    if (
        not isinstance(position, dict)
        or set(position) != expected_keys
        or not all(isinstance(v, str) for v in position.values())
    ):
        raise invalid_cursor()
    return position
