"""The API as Powertools resolves it: one Router per resource, joined with `include_router`.

`RestApi` turns each declared route (api.routing) into a Powertools route that authorises the
caller, checks the path, query, Idempotency-Key and body, calls the route and serializes its
reply; every domain error becomes problem details in one place (api.problems).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from contextvars import ContextVar
from typing import Any, TypeVar

from aws_lambda_powertools.event_handler import APIGatewayRestResolver, CORSConfig, Response
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.exceptions import NotFoundError

from manabi_api.api import problems
from manabi_api.api.request_log import RequestRecord
from manabi_api.api.requests import (
    authorise,
    check_path,
    idempotency_key,
    parse_body,
    parse_query,
)
from manabi_api.api.routers import (
    admin,
    assignments,
    courses,
    enrolment,
    grades,
    health,
    lessons,
    submissions,
)
from manabi_api.api.routing import Endpoint, Reply, Request, ResourceRouter, RouteSpec
from manabi_api.api.schemas import SCHEMAS
from manabi_api.api.tokens import signed_by_emulator
from manabi_api.api.validation import Validator, load_validator, validate_body
from manabi_api.domain.services import Services
from manabi_api.kernel.errors import DomainError, NotFound, Unauthenticated
from manabi_api.kernel.principal import principal_from_claims

_log = logging.getLogger(__name__)
JSON = "application/json"
S = TypeVar("S")
_RECORD: ContextVar[RequestRecord | None] = ContextVar("manabi_request", default=None)

# Every resource's router, in the order of the OpenAPI document.
ROUTERS: tuple[ResourceRouter[Any], ...] = (
    health.router,
    courses.router,
    lessons.router,
    enrolment.router,
    assignments.router,
    submissions.router,
    grades.router,
    admin.router,
)


def declared_routes() -> list[RouteSpec]:
    """Every route of the API, as declared (no services needed: for OpenAPI and tests)."""
    return [spec for router in ROUTERS for spec, _ in router.routes]


class RestApi:
    """Declared routes bound to their services and resolved by Powertools."""

    def __init__(self, allowed_origin: str | None, accept_emulator_tokens: bool = False) -> None:
        self._accept_emulator_tokens = accept_emulator_tokens
        cors = (
            CORSConfig(
                allow_origin=allowed_origin,
                allow_headers=["Authorization", "Content-Type", "If-Match", "Idempotency-Key"],
                expose_headers=["Location", "ETag", "Retry-After"],  # read by the SPA's retries
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

    def include(self, router: ResourceRouter[S], service: S) -> None:
        """One Powertools Router for the resource, its routes bound to `service`."""
        resource: Router = Router()  # type: ignore[no-untyped-call]
        for spec, endpoint in router.routes:
            resource.route(spec.powertools_rule, spec.method)(
                self._handler(spec, endpoint, service)
            )
            self.routes.append(spec)
        self.resolver.include_router(resource)

    def _handler(self, spec: RouteSpec, endpoint: Endpoint[S], service: S) -> Any:
        # Loaded on the route's first request: the cold start pays only for the routes it uses.
        validators: list[Validator] = []
        allowed_fields = (
            frozenset(SCHEMAS[spec.body].get("properties", {})) if spec.body else frozenset()
        )

        def handle(**path: str) -> Response[str]:
            event = self.resolver.current_event
            claims = event.request_context.authorizer.claims
            if claims and not self._accept_emulator_tokens and signed_by_emulator(event.headers):
                raise Unauthenticated("Tokens of the local emulator are not accepted here.")
            principal = principal_from_claims(claims)
            record = _RECORD.get()
            if record is not None:
                record.route, record.principal = spec.path, principal
            authorise(spec.rule, principal)
            path = check_path(path)
            query = parse_query(spec.query, event.query_string_parameters)
            body = None
            if spec.body is not None:
                if not validators:
                    validators.append(load_validator(spec.body))
                parsed = parse_body(event.body, bool(event.is_base64_encoded), event.headers)
                body = validate_body(validators[0], allowed_fields, parsed)
            key = idempotency_key(event.headers) if spec.idempotent else None
            reply = endpoint(Request(principal, path, query, body, key), service)
            if record is not None:
                record.action = reply.action
            if reply.status == 204:  # no body at all: Powertools would send the JSON `null`
                return Response(status_code=204, body="", headers=dict(reply.headers))
            return Response(
                status_code=reply.status,
                content_type=reply.content_type or JSON,
                body=_serialised(reply),
                headers=dict(reply.headers),
            )

        return handle

    def _domain_error(self, error: DomainError) -> Response[str]:
        return problems.response(error, self.resolver.current_event.path)

    def _unexpected_error(self, error: Exception) -> Response[str]:
        _log.exception("Unhandled error", exc_info=error)
        return problems.internal_error(self.resolver.current_event.path)

    def _not_found(self, _: NotFoundError) -> Response[str]:
        event = self.resolver.current_event
        record = _RECORD.get()
        if record is not None:  # no route ran: the caller as the authorizer passed them on
            record.principal = principal_from_claims(event.request_context.authorizer.claims)
        error = NotFound(f"No route {event.http_method} {event.path}.")
        return problems.response(error, event.path)

    def resolve(self, event: Mapping[str, Any], context: Any) -> dict[str, Any]:
        """Every request: resolved, then logged in one line with its metrics (api.request_log)."""
        record = RequestRecord(str(event.get("httpMethod", "")))
        token = _RECORD.set(record)
        try:
            response = self.resolver.resolve(event, context)
        finally:
            _RECORD.reset(token)
        record.finish(response)
        return response


def _serialised(reply: Reply) -> str | None:
    if reply.body is None or reply.content_type is not None:
        return reply.body  # type: ignore[no-any-return]
    return json.dumps(reply.body, ensure_ascii=False)


def create_api(
    services: Services, allowed_origin: str | None, accept_emulator_tokens: bool = False
) -> RestApi:
    api = RestApi(allowed_origin, accept_emulator_tokens)
    api.include(health.router, services.health)
    api.include(courses.router, services.courses)
    api.include(lessons.router, services.lessons)
    api.include(enrolment.router, services.enrolment)
    api.include(assignments.router, services.assignments)
    api.include(submissions.router, services.submissions)
    api.include(grades.router, services.grades)
    api.include(admin.router, services.users)
    return api
