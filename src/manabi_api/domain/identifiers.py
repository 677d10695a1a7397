"""Identifiers of new records: random, or derived from an Idempotency-Key so retries agree."""

from __future__ import annotations

import hashlib

from manabi_api.kernel.errors import IdempotencyMismatch
from manabi_api.kernel.principal import Principal
from manabi_api.ports.runtime import IdGenerator


def idempotent_id(ids: IdGenerator, principal: Principal, scope: str, key: str | None) -> str:
    """A fresh id, or (with an Idempotency-Key) the same id for every retry of one request."""
    if key is None:
        return ids.new_id()
    return hashlib.sha256(f"{principal.user_id}\n{scope}\n{key}".encode()).hexdigest()[:32]


def same_request(stored: tuple[object, ...], requested: tuple[object, ...]) -> None:
    """A create retried under its Idempotency-Key must ask for what the first one made (the
    stored item's content fields); otherwise IdempotencyMismatch (422)."""
    if stored != requested:
        raise IdempotencyMismatch(
            "This Idempotency-Key was used for a create with other content; send a new key."
        )
