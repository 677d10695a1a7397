"""Outside local mode the API refuses tokens signed with the emulator's public test key."""

from __future__ import annotations

import base64
import json

import pytest

from manabi_api.api.tokens import signed_by_emulator
from manabi_api.wiring import create_api_from_environment
from tests.support_events import TEACHER, rest_event


def token(header: dict[str, str]) -> str:
    encoded = base64.urlsafe_b64encode(json.dumps(header).encode()).decode().rstrip("=")
    return f"{encoded}.eyJzdWIiOiAieCJ9.c2lnbmF0dXJl"


EMULATOR_TOKEN = token({"alg": "RS256", "kid": "dummy"})
COGNITO_TOKEN = token({"alg": "RS256", "kid": "abcdEXAMPLEkid="})


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ({"Authorization": EMULATOR_TOKEN}, True),
        ({"authorization": f"Bearer {EMULATOR_TOKEN}"}, True),
        ({"Authorization": COGNITO_TOKEN}, False),
        ({"Authorization": "not-a-jwt"}, False),
        ({"Authorization": ""}, False),
        ({}, False),
        (None, False),
    ],
)
def test_signed_by_emulator(headers: dict[str, str] | None, expected: bool) -> None:
    assert signed_by_emulator(headers) is expected


@pytest.mark.parametrize(
    ("stage", "status"), [("staging", 401), ("production", 401), ("local", 400)]
)
def test_mp_cog_08_emulator_key_refused_outside_local_mode(
    monkeypatch: pytest.MonkeyPatch, stage: str, status: int
) -> None:
    """MP-COG-08 / APP-SEC-01: a token naming kid "dummy" opens the API in local mode only.

    The request carries an invalid `limit`, so 400 shows it got past authentication to
    validation, without touching storage.
    """
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    api = create_api_from_environment(
        {
            "TABLE_NAME": "unused",
            "DATA_BUCKET": "unused",
            "USER_POOL_ID": "unused",
            "MANABI_ENV": stage,
        }
    )
    event = rest_event(
        "GET",
        "/courses",
        claims=TEACHER,
        query={"limit": "0"},
        headers={"Authorization": EMULATOR_TOKEN},
    )
    response = api.resolve(event, None)
    body = json.loads(response["body"])
    assert response["statusCode"] == status, body
    if status == 401:
        assert body["type"].endswith("/unauthenticated")


def test_cloud_tokens_pass_the_emulator_check(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "ap-northeast-1")
    api = create_api_from_environment(
        {
            "TABLE_NAME": "unused",
            "DATA_BUCKET": "unused",
            "USER_POOL_ID": "unused",
            "MANABI_ENV": "production",
        }
    )
    event = rest_event(
        "GET",
        "/courses",
        claims=TEACHER,
        query={"limit": "0"},
        headers={"Authorization": COGNITO_TOKEN},
    )
    assert api.resolve(event, None)["statusCode"] == 400  # past authentication, to validation
