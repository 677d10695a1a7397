"""HTTP request <-> API Gateway REST (v1) Lambda proxy event and response, as API Gateway does it.

Kept free of sockets so unit tests can check every field without a server.
"""

from __future__ import annotations

import base64
import fnmatch
import time
import urllib.parse
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from manabi_local.emulator import ACCOUNT_ID, REGION
from manabi_local.routes import Match, RouteTable

_RESPONSE_KEYS = frozenset(
    {"statusCode", "headers", "multiValueHeaders", "body", "isBase64Encoded"}
)


@dataclass(frozen=True)
class HttpRequest:
    method: str
    target: str  # request target as received: raw path plus "?query"
    headers: Sequence[tuple[str, str]]
    body: bytes = b""
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1"

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.target).path or "/"

    @property
    def query(self) -> str:
        return urllib.parse.urlsplit(self.target).query

    def header(self, name: str) -> str | None:
        """Last value of a header, case-insensitively (what API Gateway puts in `headers`)."""
        found = None
        for key, value in self.headers:
            if key.lower() == name.lower():
                found = value
        return found


@dataclass(frozen=True)
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


class MalformedResponseError(Exception):
    """The handler returned something API Gateway would answer with 502."""


class FunctionTimeout(Exception):
    """The invocation ran past the function's timeout (API Gateway answers 502)."""


class IntegrationTimeout(Exception):
    """No answer within API Gateway's integration timeout (API Gateway answers 504)."""


class FunctionError(Exception):
    """The handler raised in its environment, or the environment died; `details` is what the
    environment reported (a traceback)."""

    def __init__(self, message: str, details: str = "") -> None:
        super().__init__(message)
        self.details = details


def _single_and_multi(
    pairs: Sequence[tuple[str, str]],
) -> tuple[dict[str, str] | None, dict[str, list[str]] | None]:
    """API Gateway sends null (not {}) when there is nothing; single values keep the last one."""
    if not pairs:
        return None, None
    single: dict[str, str] = {}
    multi: dict[str, list[str]] = {}
    for key, value in pairs:
        single[key] = value
        multi.setdefault(key, []).append(value)
    return single, multi


def _is_binary(content_type: str | None, binary_media_types: Sequence[str]) -> bool:
    if not content_type:
        return False
    media_type = content_type.split(";", 1)[0].strip().lower()
    # BinaryMediaTypes uses "~1" for "/" in CloudFormation (JSON-pointer escaping).
    patterns = [t.replace("~1", "/").lower() for t in binary_media_types]
    return any(fnmatch.fnmatchcase(media_type, pattern) for pattern in patterns)


def build_event(
    request: HttpRequest,
    match: Match,
    routes: RouteTable,
    claims: Mapping[str, str] | None,
    *,
    port: int,
    request_id: str | None = None,
    now: float | None = None,
) -> dict[str, Any]:
    """The REST v1 proxy event for `request`, routed to `match`."""
    request_id = request_id or str(uuid.uuid4())
    now = time.time() if now is None else now
    header_pairs = list(request.headers)
    present = {k.lower() for k, _ in header_pairs}
    # API Gateway adds the forwarding headers in front of the integration.
    for name, value in (
        ("X-Forwarded-For", request.source_ip),
        ("X-Forwarded-Port", str(port)),
        ("X-Forwarded-Proto", "http"),
    ):
        if name.lower() not in present:
            header_pairs.append((name, value))
    headers, multi_headers = _single_and_multi(header_pairs)
    query_pairs = urllib.parse.parse_qsl(request.query, keep_blank_values=True)
    query, multi_query = _single_and_multi(query_pairs)

    body: str | None = None
    is_base64 = False
    if request.body:
        if _is_binary(request.header("Content-Type"), routes.binary_media_types):
            body, is_base64 = base64.b64encode(request.body).decode("ascii"), True
        else:
            try:
                body = request.body.decode("utf-8")
            except UnicodeDecodeError:
                # Real API Gateway would mangle these bytes; base64 keeps them intact and says so.
                body, is_base64 = base64.b64encode(request.body).decode("ascii"), True

    moment = datetime.fromtimestamp(now, UTC)
    request_context: dict[str, Any] = {
        "accountId": ACCOUNT_ID,
        "apiId": "local",
        "resourceId": match.node.logical_id,
        "resourcePath": match.node.path,
        "httpMethod": request.method,
        "path": f"/{routes.stage}{request.path}",
        "stage": routes.stage,
        "requestId": request_id,
        "extendedRequestId": request_id,
        "requestTime": moment.strftime("%d/%b/%Y:%H:%M:%S +0000"),
        "requestTimeEpoch": int(now * 1000),
        "protocol": "HTTP/1.1",
        "domainName": f"{request.host}:{port}",
        "domainPrefix": request.host.split(".", 1)[0],
        "identity": {
            "sourceIp": request.source_ip,
            "userAgent": request.header("User-Agent"),
            "accessKey": None,
            "accountId": None,
            "caller": None,
            "cognitoAuthenticationProvider": None,
            "cognitoAuthenticationType": None,
            "cognitoIdentityId": None,
            "cognitoIdentityPoolId": None,
            "principalOrgId": None,
            "user": None,
            "userArn": None,
        },
    }
    if claims is not None:
        request_context["authorizer"] = {"claims": dict(claims)}
    return {
        "resource": match.node.path,
        "path": request.path,
        "httpMethod": request.method,
        "headers": headers,
        "multiValueHeaders": multi_headers,
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": match.path_parameters or None,
        "stageVariables": None,
        "requestContext": request_context,
        "body": body,
        "isBase64Encoded": is_base64,
    }


def parse_result(result: Any) -> HttpResponse:
    """The handler's return value -> HTTP response, or MalformedResponseError (API GW: 502)."""
    if not isinstance(result, dict):
        raise MalformedResponseError(f"the handler returned {type(result).__name__}, not a dict")
    unknown = set(result) - _RESPONSE_KEYS
    if unknown:
        raise MalformedResponseError(
            f"unexpected keys in the handler's response: {sorted(unknown)}"
        )
    try:
        status = int(result["statusCode"])
    except (KeyError, TypeError, ValueError):
        raise MalformedResponseError("statusCode is missing or not a number") from None
    body = result.get("body")
    if body is not None and not isinstance(body, str):
        raise MalformedResponseError("body must be a string or null")
    headers = _merge_headers(result.get("headers") or {}, result.get("multiValueHeaders") or {})
    raw = (body or "").encode("utf-8")
    if result.get("isBase64Encoded"):
        try:
            raw = base64.b64decode(body or "", validate=True)
        except ValueError:
            raise MalformedResponseError("isBase64Encoded is true but body is not base64") from None
    return HttpResponse(status, headers, raw)


def _merge_headers(single: Mapping[str, Any], multi: Mapping[str, Any]) -> list[tuple[str, str]]:
    """API Gateway merges both forms; a pair present in both appears once."""
    merged: dict[str, tuple[str, list[str]]] = {}
    for key, values in multi.items():
        if not isinstance(values, list):
            raise MalformedResponseError(f"multiValueHeaders[{key!r}] must be a list")
        entry = merged.setdefault(key.lower(), (key, []))
        entry[1].extend(str(v) for v in values)
    for key, value in single.items():
        entry = merged.setdefault(key.lower(), (key, []))
        if str(value) not in entry[1]:
            entry[1].append(str(value))
    return [(name, value) for name, values in merged.values() for value in values]


@dataclass
class LambdaContext:
    """The attributes of the Lambda context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int
    timeout_seconds: float
    aws_request_id: str
    function_version: str = "$LATEST"
    log_group_name: str = ""
    log_stream_name: str = "local"
    identity: Any = None
    client_context: Any = None
    _started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{REGION}:{ACCOUNT_ID}:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        elapsed = time.monotonic() - self._started
        return max(0, int((self.timeout_seconds - elapsed) * 1000))
