"""Shared constants and helpers of the local-runtime unit tests (imported by name, no package)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey

FIXTURE = Path(__file__).parent / "fixtures" / "workload.template.json"
POOL_ID = "ap-northeast-1_testpool"
CLIENT_ID = "testclient"
API_FUNCTION = "ApiFunctionCE271BD4"
ISSUER = f"https://cognito-idp.ap-northeast-1.amazonaws.com/{POOL_ID}"


class TokenFactory:
    """Signs Cognito-shaped ID tokens with a key the tests publish as the pool's JWKS."""

    def __init__(self) -> None:
        self.key = RSAKey.generate_key(2048, parameters={"kid": "test-key"}, private=True)
        self.jwks: dict[str, Any] = dict(KeySet([self.key]).as_dict(private=False))

    def token(self, key: RSAKey | None = None, **overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": ISSUER,
            "sub": "user-1",
            "aud": CLIENT_ID,
            "token_use": "id",
            "iat": now,
            "auth_time": now,
            "exp": now + 3600,
            "email": "teacher@example.com",
            "email_verified": True,
            "cognito:groups": ["teachers", "admins"],
        }
        claims.update(overrides)
        claims = {k: v for k, v in claims.items() if v is not None}
        return jwt.encode({"alg": "RS256", "kid": "test-key"}, claims, key or self.key)
