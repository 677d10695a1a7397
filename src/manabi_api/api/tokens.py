"""The local emulator's signing key must never open the cloud API.

moto signs every Cognito token with one static RSA key (`kid` "dummy") whose private half ships
with moto, so anybody can forge such a token. The Cognito authorizer already rejects it in AWS;
this check makes the API refuse it as well outside the one-machine mode (defence in depth).
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping

EMULATOR_KEY_ID = "dummy"


def signed_by_emulator(headers: Mapping[str, str] | None) -> bool:
    """True when the Authorization header's JWT names the emulator's key id."""
    token = next((v for k, v in (headers or {}).items() if k.lower() == "authorization"), "")
    token = token.removeprefix("Bearer ").strip()
    encoded_header = token.split(".", 1)[0]
    if not encoded_header:
        return False
    try:
        header = json.loads(
            base64.urlsafe_b64decode(encoded_header + "=" * (-len(encoded_header) % 4))
        )
    except (binascii.Error, ValueError):
        return False
    return isinstance(header, dict) and header.get("kid") == EMULATOR_KEY_ID
