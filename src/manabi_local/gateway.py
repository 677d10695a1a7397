"""The local API Gateway: routes like the template, authorizes like Cognito, calls the handler.

`LocalApiGateway` is the app (HttpRequest -> HttpResponse, no sockets); manabi_local.httpserver
serves it on http://127.0.0.1:8081. Invocations run in parallel, up to `concurrency` at once (the
function's reserved concurrency, MP-LOC-02); beyond it a request is throttled as API Gateway
throttles it: 429, here as problem details with Retry-After. `handler` is any callable
`(event, context) -> result`: in `make run` manabi_local.environments runs each call in an
execution environment of its own and enforces the function's timeout.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from manabi_local.auth import AuthorizationError, CognitoVerifier, stringify_claims
from manabi_local.events import (
    FunctionError,
    FunctionTimeout,
    HttpRequest,
    HttpResponse,
    IntegrationTimeout,
    LambdaContext,
    MalformedResponseError,
    build_event,
    parse_result,
)
from manabi_local.routes import Match, RouteTable

DEFAULT_PORT = 8081
# Invocations at once. The template reserves none for the API (the account's 1000 apply in the
# cloud); locally each one is a process, and 50 concurrent users is what MP-LOC-02 asks for.
DEFAULT_CONCURRENCY = 50
Handler = Callable[[dict[str, Any], Any], Any]

logger = logging.getLogger("manabi_local.gateway")

_ERROR_TYPES = {
    "UNAUTHORIZED": "UnauthorizedException",
    "MISSING_AUTHENTICATION_TOKEN": "MissingAuthenticationTokenException",
    "THROTTLED": "TooManyRequestsException",
    "REQUEST_TOO_LARGE": "RequestTooLargeException",
}


# The Lambda context's function name when the template names none.
DEFAULT_FUNCTION_NAME = "local-manabiplus-api"


class LocalApiGateway:
    """One REST API stage, served in-process.

    `allowed_origin` replaces the Access-Control-Allow-Origin the template configures (the cloud
    website origin) with the local SPA origin, the same substitution the handler's ALLOWED_ORIGIN
    gets; "*" is left as it is.
    """

    def __init__(
        self,
        routes: RouteTable,
        handler: Handler,
        verifier: CognitoVerifier | None,
        *,
        port: int = DEFAULT_PORT,
        allowed_origin: str | None = None,
        function_name: str = DEFAULT_FUNCTION_NAME,
        memory_mb: int = 512,
        timeout_seconds: float = 29.0,
        concurrency: int = DEFAULT_CONCURRENCY,
    ) -> None:
        self.routes = routes
        self.handler = handler
        self.verifier = verifier
        self.port = port
        self.allowed_origin = allowed_origin
        self.function_name = function_name
        self.memory_mb = memory_mb
        self.timeout_seconds = timeout_seconds
        self.concurrency = concurrency
        self._slots = threading.BoundedSemaphore(concurrency)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = str(uuid.uuid4())
        match = self.routes.match(request.method, request.path)
        if match is None:
            return self._gateway_error(
                "MISSING_AUTHENTICATION_TOKEN", "Missing Authentication Token", request_id
            )
        claims: dict[str, str] | None = None
        authorizer = match.method.authorizer
        if authorizer is not None:
            if self.verifier is None:
                raise RuntimeError("a COGNITO_USER_POOLS method needs a CognitoVerifier")
            try:
                verified = self.verifier.verify(
                    request.header(authorizer.identity_header), authorizer.user_pool_ids
                )
            except AuthorizationError as error:
                return self._gateway_error("UNAUTHORIZED", error.message, request_id)
            claims = stringify_claims(verified)
        if match.method.mock is not None:
            mock = match.method.mock
            headers = self._cors(list(mock.headers.items()))
            return HttpResponse(mock.status, [*headers, ("x-amzn-RequestId", request_id)])
        if not self._slots.acquire(blocking=False):
            return self._throttled(request, request_id)
        try:
            return self._invoke(request, match, claims, request_id)
        finally:
            self._slots.release()

    def _throttled(self, request: HttpRequest, request_id: str) -> HttpResponse:
        return self._gateway_error(
            "THROTTLED",
            f"Every execution environment of the API is busy ({self.concurrency} requests at "
            "once); retry after the time in Retry-After.",
            request_id,
        )

    def rejected(self, status: int, message: str) -> HttpResponse | None:
        """The gateway response for a request the HTTP server refused before reading it whole.

        Only a body over API Gateway's 10 MB limit is one (REQUEST_TOO_LARGE); other framing
        errors API Gateway's front end answers itself, so None leaves them to the server.
        """
        if status != 413:
            return None
        return self._gateway_error("REQUEST_TOO_LARGE", "Request Too Long", str(uuid.uuid4()))

    def _invoke(
        self, request: HttpRequest, match: Match, claims: dict[str, str] | None, request_id: str
    ) -> HttpResponse:
        event = build_event(
            request, match, self.routes, claims, port=self.port, request_id=request_id
        )
        context = LambdaContext(
            function_name=self.function_name,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
            aws_request_id=request_id,
            log_group_name=f"/aws/lambda/{self.function_name}",
        )
        try:
            result = self.handler(event, context)
            response = parse_result(result)
        except FunctionTimeout as error:
            # What Lambda logs; API Gateway answers a failed invocation with 502.
            logger.error("%s %s", request_id, error)
            return self._gateway_error("DEFAULT_5XX", "Internal server error", request_id, 502)
        except IntegrationTimeout as error:
            logger.error("%s %s", request_id, error)
            return self._gateway_error(
                "INTEGRATION_TIMEOUT", "Endpoint request timed out", request_id, 504
            )
        except FunctionError as error:
            logger.error("the handler raised: %s\n%s", error, error.details)
            return self._gateway_error("DEFAULT_5XX", "Internal server error", request_id, 502)
        except MalformedResponseError as error:
            logger.error("Malformed Lambda proxy response: %s", error)
            return self._gateway_error("DEFAULT_5XX", "Internal server error", request_id, 502)
        except Exception:
            # API Gateway answers an unhandled function error with 502; the traceback is what
            # CloudWatch would show.
            logger.exception("the handler raised")
            return self._gateway_error("DEFAULT_5XX", "Internal server error", request_id, 502)
        return HttpResponse(
            response.status, [*response.headers, ("x-amzn-RequestId", request_id)], response.body
        )

    def _gateway_error(
        self, response_type: str, message: str, request_id: str, status: int | None = None
    ) -> HttpResponse:
        spec = self.routes.gateway_response(response_type)
        body = (
            render_template(spec.template, message, request_id, response_type)
            if spec.template
            else json.dumps({"message": message})
        )
        headers = self._cors(list(spec.headers.items()))
        if not any(name.lower() == "content-type" for name, _ in headers):
            headers.insert(0, ("Content-Type", "application/json"))
        headers.append(("x-amzn-RequestId", request_id))
        if response_type in _ERROR_TYPES:
            headers.append(("x-amzn-ErrorType", _ERROR_TYPES[response_type]))
        return HttpResponse(status or spec.status, headers, body.encode("utf-8"))

    def _cors(self, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        if self.allowed_origin is None:
            return headers
        return [
            (name, self.allowed_origin)
            if name.lower() == "access-control-allow-origin" and value != "*"
            else (name, value)
            for name, value in headers
        ]


def render_template(template: str, message: str, request_id: str, response_type: str) -> str:
    """A gateway response template with the $context variables API Gateway fills in."""
    values = {
        "$context.error.messageString": json.dumps(message),
        "$context.error.message": message,
        "$context.error.responseType": response_type,
        "$context.requestId": request_id,
    }
    # Longest name first: $context.error.message is a prefix of ...messageString.
    for name in sorted(values, key=len, reverse=True):
        template = template.replace(name, values[name])
    return template


def function_settings(properties: Mapping[str, Any]) -> dict[str, Any]:
    """Name, memory and timeout of the API function, for the Lambda context object."""
    return {
        "function_name": str(properties.get("FunctionName") or DEFAULT_FUNCTION_NAME),
        "memory_mb": int(properties.get("MemorySize", 128)),
        "timeout_seconds": float(properties.get("Timeout", 3)),
    }
