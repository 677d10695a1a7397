"""A thin layer over Powertools' REST resolver: declared routes, authorisation, validation.

Every route is declared once with its access rule, request schema, query parameters and responses.
The declaration drives Powertools routing, authorisation (in one place: `_authorise`), request
validation, problem-details errors and the OpenAPI document, so they cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from manabi_api.api import problems
from manabi_api.api.schemas import SCHEMAS
from manabi_api.api.tokens import signed_by_emulator
from manabi_api.api.validation import Validator, load_validator, validate_body
from manabi_api.domain.errors import (
    DomainError,
    FieldIssue,
    Forbidden,
    InvalidInput,
    NotFound,
    Unauthenticated,
)
from manabi_api.domain.principal import Group, Principal, principal_from_claims

_log = logging.getLogger(__name__)
JSON = "application/json"
_PATH_PARAM = re.compile(r"\{(\w+)\}")
_MAX_BODY_BYTES = 64 * 1024
PATH_PARAM_PATTERN = r"[A-Za-z0-9._@+-]{1,128}"
_PATH_VALUE = re.compile(PATH_PARAM_PATTERN)


class Access(Enum):
    PUBLIC = "public"
    SIGNED_IN = "signed-in"
    GROUPS = "groups"


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anybody, any signed-in user, or members of some groups."""

    access: Access
    groups: frozenset[Group] = frozenset()

    @staticmethod
    def public() -> Rule:
        return Rule(Access.PUBLIC)

    @staticmethod
    def signed_in() -> Rule:
        return Rule(Access.SIGNED_IN)

    @staticmethod
    def members_of(*groups: Group) -> Rule:
        return Rule(Access.GROUPS, frozenset(groups))


@dataclass(frozen=True)
class QueryParam:
    name: str
    description: str
    integer: bool = False
    minimum: int = 1
    maximum: int = 100
    default: int | None = None
    max_length: int = 1024
    choices: tuple[str, ...] = ()


@dataclass(frozen=True)
class RouteSpec:
    method: str
    path: str  # OpenAPI style: /courses/{courseId}
    operation_id: str
    summary: str
    rule: Rule
    responses: Mapping[int, str | None]  # status → schema name in SCHEMAS (None: no body)
    body: str | None = None
    query: tuple[QueryParam, ...] = ()
    tags: tuple[str, ...] = ()
    idempotent: bool = False  # accepts an Idempotency-Key header: retries return the first result

    @property
    def path_params(self) -> list[str]:
        return _PATH_PARAM.findall(self.path)


@dataclass(frozen=True)
class Request:
    principal: Principal | None
    path: Mapping[str, str]
    query: Mapping[str, Any]
    body: Any
    idempotency_key: str | None = None

    def require_principal(self) -> Principal:
        if self.principal is None:  # unreachable behind a non-public rule; kept for type safety
            raise Unauthenticated("Sign in first.")
        return self.principal


@dataclass(frozen=True)
class Reply:
    status: int
    body: Any = None
    headers: Mapping[str, str] = field(default_factory=dict)


Endpoint = Callable[[Request], Reply]


def _authorise(rule: Rule, principal: Principal | None) -> None:
    """The single place where group membership decides access (ownership is a domain rule)."""
    if rule.access is Access.PUBLIC:
        return
    if principal is None:
        raise Unauthenticated("A valid Cognito ID token is required.")
    if rule.access is Access.GROUPS and not principal.in_any(rule.groups):
        raise Forbidden("Your account's group may not use this operation.")


def _parse_query(params: tuple[QueryParam, ...], raw: Mapping[str, str] | None) -> dict[str, Any]:
    raw = raw or {}
    values: dict[str, Any] = {}
    issues: list[FieldIssue] = []
    for param in params:
        text = raw.get(param.name)
        if text is None:
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


_IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{1,64}")


def _idempotency_key(headers: Mapping[str, str] | None) -> str | None:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "idempotency-key"), None)
    if value is None:
        return None
    if not _IDEMPOTENCY_KEY.fullmatch(value):
        raise InvalidInput(
            "The Idempotency-Key header is not valid.",
            [FieldIssue("Idempotency-Key", "must be 1 to 64 of A-Z a-z 0-9 _ -", "pattern")],
        )
    return value


def _check_path(values: Mapping[str, str]) -> None:
    issues = [
        FieldIssue(name, "is not a valid identifier", "pattern")
        for name, value in values.items()
        if not _PATH_VALUE.fullmatch(value)
    ]
    if issues:
        raise InvalidInput("A path parameter is not valid.", issues)


def _not_unicode() -> InvalidInput:
    return InvalidInput(
        "The request body is not valid Unicode text.",
        [FieldIssue("body", "must be valid UTF-8 JSON (no lone surrogates)", "encoding")],
    )


def _parse_body(raw: str | None, is_base64: bool) -> Any:
    if is_base64:
        raise InvalidInput(
            "The request body must be JSON text.", [FieldIssue("body", "must be JSON", "type")]
        )
    if raw is None or raw == "":
        raise InvalidInput("A JSON request body is required.", [FieldIssue("body", "is required")])
    try:
        size = len(raw.encode())
    except UnicodeEncodeError as error:
        raise _not_unicode() from error
    if size > _MAX_BODY_BYTES:
        raise InvalidInput(
            "The request body is too large.",
            [FieldIssue("body", f"must be at most {_MAX_BODY_BYTES} bytes", "maxLength")],
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


class RestApi:
    """Routes declared with `route()` and resolved by Powertools."""

    def __init__(self, allowed_origin: str | None, accept_emulator_tokens: bool = False) -> None:
        self._accept_emulator_tokens = accept_emulator_tokens
        cors = (
            CORSConfig(
                allow_origin=allowed_origin,
                allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
                expose_headers=["Location", "ETag"],
                max_age=600,
            )
            if allowed_origin
            else None
        )
        self.resolver = APIGatewayRestResolver(cors=cors)
        self.routes: list[RouteSpec] = []
        self.resolver.exception_handler(DomainError)(self._domain_error)
        self.resolver.exception_handler(Exception)(self._unexpected_error)
        self.resolver.not_found(self._not_found)

    def route(self, spec: RouteSpec) -> Callable[[Endpoint], Endpoint]:
        # Loaded on the route's first request: the cold start pays only for the routes it uses.
        validators: list[Validator] = []
        allowed_fields = (
            frozenset(SCHEMAS[spec.body].get("properties", {})) if spec.body else frozenset()
        )
        powertools_rule = _PATH_PARAM.sub(r"<\1>", spec.path)

        def register(endpoint: Endpoint) -> Endpoint:
            def handle(**path: str) -> Response[str]:
                event = self.resolver.current_event
                claims = event.request_context.authorizer.claims
                if (
                    claims
                    and not self._accept_emulator_tokens
                    and signed_by_emulator(event.headers)
                ):
                    raise Unauthenticated("Tokens of the local emulator are not accepted here.")
                principal = principal_from_claims(claims)
                _authorise(spec.rule, principal)
                _check_path(path)
                query = _parse_query(spec.query, event.query_string_parameters)
                body = None
                if spec.body is not None:
                    if not validators:
                        validators.append(load_validator(spec.body))
                    validator = validators[0]
                    parsed = _parse_body(event.body, bool(event.is_base64_encoded))
                    body = validate_body(validator, allowed_fields, parsed)
                key = _idempotency_key(event.headers) if spec.idempotent else None
                reply = endpoint(Request(principal, path, query, body, key))
                return Response(
                    status_code=reply.status,
                    content_type=JSON,
                    body=None if reply.body is None else json.dumps(reply.body, ensure_ascii=False),
                    headers=dict(reply.headers),
                )

            self.resolver.route(powertools_rule, spec.method)(handle)
            self.routes.append(spec)
            return endpoint

        return register

    def _domain_error(self, error: DomainError) -> Response[str]:
        return problems.response(error, self.resolver.current_event.path)

    def _unexpected_error(self, error: Exception) -> Response[str]:
        _log.exception("Unhandled error", exc_info=error)
        return problems.internal_error(self.resolver.current_event.path)

    def _not_found(self, _: NotFoundError) -> Response[str]:
        event = self.resolver.current_event
        error = NotFound(f"No route {event.http_method} {event.path}.")
        return problems.response(error, event.path)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        return self.resolver.resolve(event, context)
