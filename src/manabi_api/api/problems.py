"""RFC 9457 problem details: the one place where domain errors become HTTP responses."""

from __future__ import annotations

import json

from aws_lambda_powertools.event_handler import Response

from manabi_api.kernel.errors import (
    Conflict,
    DependencyFailure,
    DomainError,
    Forbidden,
    IdempotencyMismatch,
    InvalidInput,
    NotFound,
    StaleVersion,
    Throttled,
    Unauthenticated,
    Unavailable,
    UnsupportedMediaType,
    UploadLimitReached,
)
from manabi_contract.problems import PROBLEM_JSON, TYPE_BASE

# The problem responses a route declares besides its own (status → schema in api.schemas):
# every signed-in route may refuse the input, the token or the account; FOUND routes look a
# resource up; CHANGING routes may also find it changed or in the wrong state.
PROBLEMS: dict[int, str | None] = {400: "Problem", 401: "Problem", 403: "Problem"}
FOUND = {**PROBLEMS, 404: "Problem"}
CHANGING = {**FOUND, 409: "Problem"}
# What every route may answer besides (api.routing adds them to each declaration): a dependency
# throttled (429) or unavailable (503), both with Retry-After; and, for a route with a body, a
# body that is not JSON (415).
DEPENDENCY_PROBLEMS: dict[int, str | None] = {429: "Problem", 503: "Problem"}
BODY_PROBLEMS: dict[int, str | None] = {415: "Problem"}
# A create that takes an Idempotency-Key refuses the key again with another body (422).
IDEMPOTENCY_PROBLEMS: dict[int, str | None] = {422: "Problem"}


# error class → (HTTP status, type slug, title)
_MAPPING: dict[type[DomainError], tuple[int, str, str]] = {
    InvalidInput: (400, "invalid-input", "The request is not valid"),
    Unauthenticated: (401, "unauthenticated", "Authentication required"),
    Forbidden: (403, "forbidden", "Not allowed"),
    NotFound: (404, "not-found", "Not found"),
    StaleVersion: (409, "stale-version", "Changed by someone else; reload and retry"),
    Conflict: (409, "conflict", "Conflict"),
    IdempotencyMismatch: (
        422,
        "idempotency-key-reused",
        "The Idempotency-Key was used for another request",
    ),
    UnsupportedMediaType: (415, "unsupported-media-type", "The body must be JSON"),
    UploadLimitReached: (
        429,
        "upload-limit",
        "Upload limit of the hour reached; retry after the time given",
    ),
    Throttled: (429, "throttled", "Too many requests; retry after the time given"),
    Unavailable: (503, "unavailable", "Temporarily unavailable; retry after the time given"),
}


def problem(error: DomainError, instance: str) -> dict[str, object]:
    status, slug, title = next(
        (v for cls, v in _MAPPING.items() if isinstance(error, cls)),
        (400, "domain-error", "The request cannot be processed"),
    )
    body: dict[str, object] = {
        "type": TYPE_BASE + slug,
        "title": title,
        "status": status,
        "detail": error.detail,
        "instance": instance,
    }
    if isinstance(error, InvalidInput):
        body["errors"] = [
            {"field": i.field, "message": i.message, "rule": i.rule} for i in error.issues
        ]
    return body


def response(error: DomainError, instance: str) -> Response[str]:
    body = problem(error, instance)
    headers = {}
    if isinstance(error, DependencyFailure | UploadLimitReached):
        headers["Retry-After"] = str(error.retry_after_seconds)
    return Response(
        status_code=int(str(body["status"])),
        content_type=PROBLEM_JSON,
        body=json.dumps(body, ensure_ascii=False),
        headers=headers,
    )


def internal_error(instance: str) -> Response[str]:
    body = {
        "type": TYPE_BASE + "internal-error",
        "title": "Internal error",
        "status": 500,
        "detail": "The request failed unexpectedly; it has been logged. Please try again later.",
        "instance": instance,
    }
    return Response(status_code=500, content_type=PROBLEM_JSON, body=json.dumps(body))
