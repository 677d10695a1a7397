"""Request validators are loaded on a route's first request (cold start); each must exist."""

from __future__ import annotations

import pytest

from manabi_api.api.application import declared_routes
from manabi_api.api.schemas import REQUEST_BODIES
from manabi_api.api.validation import load_validator


@pytest.mark.parametrize("name", REQUEST_BODIES)
def test_every_request_body_has_a_compiled_validator(name: str) -> None:
    assert callable(load_validator(name))


def test_every_route_body_is_a_request_body() -> None:
    bodies = {s.body for s in declared_routes() if s.body}
    assert bodies == set(REQUEST_BODIES)
