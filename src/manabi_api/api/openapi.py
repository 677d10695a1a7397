"""OpenAPI 3.1 document generated from the declared routes and schemas (MP-API-01)."""

from __future__ import annotations

from typing import Any

from manabi_api.api.access import Access
from manabi_api.api.application import declared_routes
from manabi_api.api.routing import IDEMPOTENCY_KEY_PATTERN, PATH_PARAM_PATTERN, RouteSpec
from manabi_api.api.schemas import RESPONSE_MEDIA_TYPES, SCHEMAS

_DESCRIPTIONS = {
    200: "OK",
    201: "Created",
    204: "No content",
    400: "Invalid input (problem details name the fields)",
    401: "Not signed in or the token is invalid",
    403: "Not allowed for this account",
    404: "Not found",
    409: "Conflict",
    413: "The body is over API Gateway's 10 MB limit (gateway response)",
    415: "The body is not JSON (Content-Type application/json)",
    422: "The Idempotency-Key was sent before with another body (`idempotency-key-reused`)",
    429: "A service the API depends on is throttled; retry after `Retry-After` seconds",
    502: "The function failed or answered malformed (gateway response)",
    503: "A service the API depends on is unavailable; retry after `Retry-After` seconds",
    504: "The function did not answer in time (gateway response)",
}
# What API Gateway itself may answer besides the handler's statuses: problem details from the
# template's gateway responses (docs/decisions/0033, docs/problems.md).
_GATEWAY_STATUSES = (502, 504)
_GATEWAY_BODY_STATUSES = (413,)

_RETRY_AFTER = frozenset({429, 503})
_RETRY_AFTER_HEADER = {
    "description": "Seconds to wait before retrying the same request.",
    "schema": {"type": "integer", "minimum": 1},
}


def _operation(spec: RouteSpec) -> dict[str, Any]:
    operation: dict[str, Any] = {
        "operationId": spec.operation_id,
        "summary": spec.summary,
        "tags": list(spec.tags),
        "parameters": [
            {
                "name": p,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "pattern": f"^{PATH_PARAM_PATTERN}$"},
            }
            for p in spec.path_params
        ]
        + [
            {
                "name": q.name,
                "in": "query",
                "required": q.required,
                "description": q.description,
                "schema": (
                    {"type": "integer", "minimum": q.minimum, "maximum": q.maximum}
                    if q.integer
                    else {"type": "string", "enum": list(q.choices)}
                    if q.choices
                    else {"type": "string", "minLength": 1, "maxLength": q.max_length}
                ),
            }
            for q in spec.query
        ]
        + (
            [
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": (
                        "Retries with the same key and body return the first result; the same "
                        "key with another body is refused 422 `idempotency-key-reused`."
                    ),
                    "schema": {"type": "string", "pattern": f"^{IDEMPOTENCY_KEY_PATTERN}$"},
                }
            ]
            if spec.idempotent
            else []
        ),
        "responses": {},
    }
    if spec.body:
        operation["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{spec.body}"}}
            },
        }
    statuses: dict[int, str | None] = dict.fromkeys(_GATEWAY_STATUSES, "Problem")
    if spec.body:
        statuses.update(dict.fromkeys(_GATEWAY_BODY_STATUSES, "Problem"))
    statuses.update(spec.responses)
    for status, schema in sorted(statuses.items()):
        response: dict[str, Any] = {"description": _DESCRIPTIONS.get(status, "")}
        if schema:
            media = (
                "application/problem+json"
                if schema == "Problem"
                else RESPONSE_MEDIA_TYPES.get(schema, "application/json")
            )
            response["content"] = {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        if status in _RETRY_AFTER:
            response["headers"] = {"Retry-After": _RETRY_AFTER_HEADER}
        operation["responses"][str(status)] = response
    if spec.rule.access is Access.PUBLIC:
        operation["security"] = []
    elif spec.rule.access is Access.GROUPS:
        groups = ", ".join(sorted(g.value for g in spec.rule.groups))
        operation["description"] = f"Allowed groups: {groups}."
    return operation


def build_openapi(routes: list[RouteSpec] | None = None) -> dict[str, Any]:
    """The document of `routes` (default: every declared route of the API)."""
    paths: dict[str, dict[str, Any]] = {}
    for spec in declared_routes() if routes is None else routes:
        paths.setdefault(spec.path, {})[spec.method.lower()] = _operation(spec)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Manabi Plus API",
            "version": "1.0.0",
            "description": "まなび+ learning platform API. Errors are RFC 9457 problem details.",
        },
        "servers": [{"url": "http://127.0.0.1:8081", "description": "Local one-machine mode"}],
        "security": [{"cognito": []}],
        "components": {
            "securitySchemes": {
                "cognito": {
                    "type": "apiKey",
                    "in": "header",
                    "name": "Authorization",
                    "description": (
                        "The Cognito user pool ID token, raw (no `Bearer `). Missing, forged or "
                        "expired: 401 `unauthenticated` from API Gateway."
                    ),
                }
            },
            "schemas": SCHEMAS,
        },
        "paths": paths,
    }
