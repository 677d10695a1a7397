"""Fixtures of the local-runtime unit tests: a hand-written template shaped like CDK's output."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from manabi_local.routes import RouteTable, build_route_table
from manabi_local.template import Resolver, Template
from tests.unit.local.local_fixture import API_FUNCTION, FIXTURE, POOL_ID


@pytest.fixture
def template_body() -> dict[str, Any]:
    body: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return copy.deepcopy(body)


@pytest.fixture
def template(template_body: dict[str, Any]) -> Template:
    return Template(template_body)


@pytest.fixture
def resolver() -> Resolver:
    """What the provisioner would know after creating the fixture's user pool."""
    return Resolver(
        region="ap-northeast-1",
        account_id="000000000000",
        physical_ids={"UserPool6BA7E5F2": POOL_ID},
        attributes={
            ("UserPool6BA7E5F2", "Arn"): (
                f"arn:aws:cognito-idp:ap-northeast-1:000000000000:userpool/{POOL_ID}"
            )
        },
    )


@pytest.fixture
def routes(template: Template, resolver: Resolver) -> RouteTable:
    return build_route_table(template, resolver, API_FUNCTION)
