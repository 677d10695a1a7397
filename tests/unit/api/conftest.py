from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

from manabi_api.api.application import RestApi, create_api
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import rest_event

Call = Callable[..., tuple[int, Any, dict[str, list[str]]]]


@pytest.fixture
def api() -> RestApi:
    return create_api(
        fake_services(InMemoryLearningStore()), allowed_origin="http://127.0.0.1:8080"
    )


@pytest.fixture
def call(api: RestApi) -> Call:
    """Call the API like API Gateway would; returns (status, parsed body, headers)."""

    def _call(method: str, path: str, **kwargs: Any) -> tuple[int, Any, dict[str, list[str]]]:
        response = api.resolve(rest_event(method, path, **kwargs), None)
        body = json.loads(response["body"]) if response.get("body") else None
        return response["statusCode"], body, dict(response["multiValueHeaders"])

    return _call
