"""From an API Gateway event to a route's `Request`: authorisation, path, query, body, key.

Every check raises a domain error naming the offending field; `problems` turns it into HTTP.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from manabi_api.api.access import Access, Rule
from manabi_api.api.routing import IDEMPOTENCY_KEY_PATTERN, PATH_PARAM_PATTERN, QueryParam
from manabi_api.kernel.errors import (
    FieldIssue,
    Forbidden,
    InvalidInput,
    Unauthenticated,
    UnsupportedMediaType,
)
from manabi_api.kernel.principal import Principal

MAX_BODY_BYTES = 64 * 1024
_PATH_VALUE = re.compile(PATH_PARAM_PATTERN)
_IDEMPOTENCY_KEY = re.compile(IDEMPOTENCY_KEY_PATTERN)


def authorise(rule: Rule, principal: Principal | None) -> None:
    """The single place where group membership decides access (ownership is a domain rule)."""
    if rule.access is Access.PUBLIC:
        return
    if principal is None:
        raise Unauthenticated("A valid Cognito ID token is required.")
    if rule.access is Access.GROUPS and not principal.in_any(rule.groups):
        raise Forbidden("Your account's group may not use this operation.")


def parse_query(params: tuple[QueryParam, ...], raw: Mapping[str, str] | None) -> dict[str, Any]:
    raw = raw or {}
    values: dict[str, Any] = {}
    issues: list[FieldIssue] = []
    for param in params:
        text = raw.get(param.name)
        if text is None and param.required:
            issues.append(FieldIssue(param.name, f"is required ({param.description})", "required"))
        elif text is None:
            values[param.name] = param.default
        elif param.integer:
            if not text.isdigit() or not param.minimum <= int(text) <= param.maximum:
                issues.append(
                    FieldIssue(
                        param.name,
                        f"must be an integer from {param.minimum} to {param.maximum}",
                        "range",
                    )
                )
            else:
                values[param.name] = int(text)
        elif param.choices and text not in param.choices:
            issues.append(
                FieldIssue(param.name, f"must be one of: {', '.join(param.choices)}", "enum")
            )
        elif not 0 < len(text) <= param.max_length:
            issues.append(
                FieldIssue(param.name, f"must be 1 to {param.max_length} characters", "length")
            )
        else:
            values[param.name] = text
    if issues:
        raise InvalidInput("A query parameter is not valid.", issues)
    return values


def idempotency_key(headers: Mapping[str, str] | None) -> str | None:
    value = header(headers, "Idempotency-Key")
    if value is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise InvalidInput(
            "The Idempotency-Key header is not valid.",
            [FieldIssue("Idempotency-Key", "must be 1 to 64 of A-Z a-z 0-9 _ -", "pattern")],
        )
    return value


def check_path(values: Mapping[str, str]) -> dict[str, str]:
    """The path parameters percent-decoded and checked.

    API Gateway (REST) hands them over as they were sent, so `a%40b` arrives encoded: checking the
    raw text would refuse a valid e-mail-shaped id, and passing it on would look up the wrong key.
    """
    decoded = {name: unquote(value) for name, value in values.items()}
    issues = [
        FieldIssue(name, "is not a valid identifier", "pattern")
        for name, value in decoded.items()
        if not _PATH_VALUE.fullmatch(value)
    ]
    if issues:
        raise InvalidInput("A path parameter is not valid.", issues)
    return decoded


def header(headers: Mapping[str, str] | None, name: str) -> str | None:
    """A request header, whatever its case."""
    wanted = name.lower()
    return next((v for k, v in (headers or {}).items() if k.lower() == wanted), None)


def check_json_media_type(headers: Mapping[str, str] | None) -> None:
    """A body route takes `application/json` (or `application/…+json`), with any parameters."""
    media = (header(headers, "Content-Type") or "").split(";")[0].strip().lower()
    if media != "application/json" and not (
        media.startswith("application/") and media.endswith("+json")
    ):
        raise UnsupportedMediaType(
            "The request body must be JSON: send it with Content-Type: application/json."
        )


def _not_unicode() -> InvalidInput:
    return InvalidInput(
        "The request body is not valid Unicode text.",
        [FieldIssue("body", "must be valid UTF-8 JSON (no lone surrogates)", "encoding")],
    )


def parse_body(raw: str | None, is_base64: bool, headers: Mapping[str, str] | None) -> Any:
    if raw is None or raw == "":
        raise InvalidInput("A JSON request body is required.", [FieldIssue("body", "is required")])
    check_json_media_type(headers)
    if is_base64:
        raise InvalidInput(
            "The request body must be JSON text.", [FieldIssue("body", "must be JSON", "type")]
        )
    try:
        size = len(raw.encode())
    except UnicodeEncodeError as error:
        raise _not_unicode() from error
    if size > MAX_BODY_BYTES:
        raise InvalidInput(
            "The request body is too large.",
            [FieldIssue("body", f"must be at most {MAX_BODY_BYTES} bytes", "maxLength")],
        )
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError) as error:
        raise InvalidInput(
            "The request body is not valid JSON.",
            [FieldIssue("body", f"is not valid JSON: {error}", "json")],
        ) from error
    if "\\u" in raw:  # escapes may decode to lone surrogates, which no store can take
        try:
            json.dumps(parsed, ensure_ascii=False).encode()
        except UnicodeEncodeError as error:
            raise _not_unicode() from error
    return parsed
