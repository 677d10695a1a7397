"""API Gateway's own errors as problem details (MP-APIGW-02, APP-ERR-01).

Every gateway response type the API can produce answers `application/problem+json` with our
`type` URIs, the request id and the CORS header, so the SPA parses one error shape and can read
it (decision 0033). The local gateway renders these same resources from the synthesized template.
"""

from __future__ import annotations

from aws_cdk import aws_apigateway as apigw

from manabi_contract.problems import GATEWAY_PROBLEMS, PROBLEM_JSON, gateway_template


def add_problem_gateway_responses(rest_api: apigw.RestApi, web_origin: str) -> None:
    for problem in GATEWAY_PROBLEMS:
        headers = {
            "Access-Control-Allow-Origin": f"'{web_origin}'",
            "Content-Type": f"'{PROBLEM_JSON}'",
        }
        if problem.retry_after_seconds is not None:
            headers["Retry-After"] = f"'{problem.retry_after_seconds}'"
        rest_api.add_gateway_response(
            f"Problem{problem.response_type}",
            type=apigw.ResponseType.of(problem.response_type),
            status_code=str(problem.status) if problem.status else None,
            response_headers=headers,
            # Keyed application/json: the template API Gateway falls back to for any Accept.
            templates={"application/json": gateway_template(problem)},
        )
