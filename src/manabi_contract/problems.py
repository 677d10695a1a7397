"""Problem details types (RFC 9457) shared by the API's error mapping and the gateway responses.

The API (manabi_api.api.problems) and API Gateway's gateway responses (the CDK app; the local
gateway renders the same templates from the synthesized template) answer with
`application/problem+json` bodies whose `type` is `TYPE_BASE + slug`; docs/problems.md says what
each type means and what a client should do.
"""

from __future__ import annotations

from dataclasses import dataclass

TYPE_BASE = "https://manabiplus.example.jp/problems/"
PROBLEM_JSON = "application/problem+json"


@dataclass(frozen=True)
class GatewayProblem:
    """How API Gateway answers one gateway response type of this API."""

    response_type: str  # AWS::ApiGateway::GatewayResponse ResponseType
    status: int | None  # None: the gateway's own status for the error (DEFAULT_4XX/5XX)
    slug: str
    title: str
    retry_after_seconds: int | None = None


# Every gateway response type the issue names; the two defaults catch any other the gateway
# raises (this API has no request validators, API keys or usage plans, so none is expected).
GATEWAY_PROBLEMS = (
    GatewayProblem("UNAUTHORIZED", 401, "unauthenticated", "Authentication required"),
    GatewayProblem("ACCESS_DENIED", 403, "forbidden", "Not allowed"),
    GatewayProblem("EXPIRED_TOKEN", 403, "token-expired", "The token has expired; sign in again"),
    GatewayProblem("INVALID_SIGNATURE", 403, "invalid-signature", "The request signature is wrong"),
    GatewayProblem("MISSING_AUTHENTICATION_TOKEN", 403, "no-such-route", "No such method or path"),
    GatewayProblem("REQUEST_TOO_LARGE", 413, "request-too-large", "The request is too large"),
    GatewayProblem(
        "THROTTLED", 429, "throttled", "Too many requests; retry after the time given", 1
    ),
    GatewayProblem(
        "QUOTA_EXCEEDED", 429, "quota-exceeded", "Quota exceeded; retry after the time given", 60
    ),
    GatewayProblem("WAF_FILTERED", 403, "waf-filtered", "Blocked by the web application firewall"),
    GatewayProblem("INTEGRATION_TIMEOUT", 504, "gateway-timeout", "The API did not answer in time"),
    GatewayProblem("DEFAULT_4XX", None, "gateway-rejected", "Rejected by the API gateway"),
    GatewayProblem("DEFAULT_5XX", None, "gateway-error", "The API gateway failed"),
)
# The body's `status` of the two defaults, whose HTTP status is the gateway's own.
DEFAULT_BODY_STATUS = {"DEFAULT_4XX": 400, "DEFAULT_5XX": 500}


def gateway_template(problem: GatewayProblem) -> str:
    """The response template: a problem details body with the request id (a VTL template).

    `$context.error.messageString` is the gateway's message, already quoted as a JSON string;
    `$context.requestId` is the id API Gateway logs and returns in x-amzn-RequestId.
    """
    status = problem.status or DEFAULT_BODY_STATUS[problem.response_type]
    return (
        f'{{"type":"{TYPE_BASE}{problem.slug}","title":"{problem.title}","status":{status},'
        '"detail":$context.error.messageString,"instance":"urn:request:$context.requestId",'
        '"requestId":"$context.requestId"}'
    )
