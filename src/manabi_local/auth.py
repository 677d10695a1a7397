"""What API Gateway's COGNITO_USER_POOLS authorizer does, against the emulator's user pool.

The token's RS256 signature is checked against the JWKS the emulator publishes at
`{endpoint}/{userPoolId}/.well-known/jwks.json` (fetched once per pool, then cached). The issuer
is the one Cognito (and moto) writes into the token, `https://cognito-idp.{region}.amazonaws.com/
{userPoolId}`, not the emulator URL. Like the real authorizer without scopes, only ID tokens are
accepted, issued for one of the pool's app clients and not expired.

The claims reach the handler the way API Gateway passes them: every value a string. Lists such as
`cognito:groups` become comma-separated ("admins,teachers"), booleans "true"/"false", and `exp`
and `iat` the Java-style date API Gateway writes ("Fri Jan 11 10:13:32 UTC 2019"); `auth_time`
stays a number in a string.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from joserfc import jwt
from joserfc.errors import ExpiredTokenError, JoseError
from joserfc.jwk import KeySet

from manabi_local.emulator import REGION

_DATE_CLAIMS = frozenset({"exp", "iat"})


class AuthorizationError(Exception):
    """The request is refused with 401; `message` is the body's message, as API Gateway sends it."""

    def __init__(self, message: str = "Unauthorized") -> None:
        super().__init__(message)
        self.message = message


def fetch_json(url: str) -> Any:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(url, timeout=5.0) as response:
        return json.loads(response.read())


def issuer(user_pool_id: str, region: str = REGION) -> str:
    return f"https://cognito-idp.{region}.amazonaws.com/{user_pool_id}"


def stringify_claims(claims: Mapping[str, Any]) -> dict[str, str]:
    """Claims as API Gateway's REST authorizer passes them in requestContext.authorizer.claims."""
    result: dict[str, str] = {}
    for name, value in claims.items():
        if name in _DATE_CLAIMS and isinstance(value, int | float):
            moment = datetime.fromtimestamp(value, UTC)
            result[name] = moment.strftime("%a %b %d %H:%M:%S UTC %Y")
        elif isinstance(value, bool):
            result[name] = "true" if value else "false"
        elif isinstance(value, list):
            result[name] = ",".join(str(v) for v in value)
        elif isinstance(value, dict):
            result[name] = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
        else:
            result[name] = str(value)
    return result


def _unverified_claims(token: str) -> dict[str, Any]:
    parts = token.split(".")
    if len(parts) != 3:
        raise ValueError("not a compact JWS")
    payload = parts[1] + "=" * (-len(parts[1]) % 4)
    claims = json.loads(base64.urlsafe_b64decode(payload))
    if not isinstance(claims, dict):
        raise ValueError("the payload is not an object")
    return claims


class CognitoVerifier:
    """Verifies Cognito ID tokens issued by the emulator's user pools."""

    def __init__(
        self,
        endpoint: str,
        clients_by_pool: Mapping[str, Sequence[str]],
        *,
        region: str = REGION,
        fetch: Callable[[str], Any] = fetch_json,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._endpoint = endpoint.rstrip("/")
        self._clients_by_pool = clients_by_pool
        self._region = region
        self._fetch = fetch
        self._clock = clock
        self._keys: dict[str, KeySet] = {}
        self._lock = threading.Lock()

    def jwks(self, user_pool_id: str) -> KeySet:
        with self._lock:
            if user_pool_id not in self._keys:
                url = f"{self._endpoint}/{user_pool_id}/.well-known/jwks.json"
                self._keys[user_pool_id] = KeySet.import_key_set(self._fetch(url))
            return self._keys[user_pool_id]

    def verify(self, token: str | None, user_pool_ids: Sequence[str]) -> dict[str, Any]:
        """Return the token's claims, or raise AuthorizationError."""
        if not token:
            raise AuthorizationError()
        # The REST authorizer accepts the raw token; a "Bearer " prefix is tolerated as well.
        token = token.removeprefix("Bearer ").strip()
        try:
            # The issuer only selects which pool's keys to verify with; nothing else of the
            # unverified payload is trusted.
            pool_id = str(_unverified_claims(token).get("iss", "")).rsplit("/", 1)[-1]
            if pool_id not in user_pool_ids:
                raise AuthorizationError()
            claims = jwt.decode(token, self.jwks(pool_id), algorithms=["RS256"]).claims
            registry = jwt.JWTClaimsRegistry(
                now=lambda: int(self._clock()),
                iss={"essential": True, "value": issuer(pool_id, self._region)},
                token_use={"essential": True, "value": "id"},
                aud={"essential": True, "values": list(self._clients_by_pool.get(pool_id, ()))},
                exp={"essential": True},
            )
            registry.validate(claims)
        except ExpiredTokenError:
            raise AuthorizationError("The incoming token has expired") from None
        except (JoseError, ValueError, KeyError, TypeError, binascii.Error):
            raise AuthorizationError() from None
        return dict(claims)
