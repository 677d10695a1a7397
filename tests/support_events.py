"""API Gateway REST (v1) proxy events for tests, shaped like the real ones."""

from __future__ import annotations

import json
from typing import Any

LEARNER = {"sub": "learner-1", "email": "learner@example.com", "cognito:groups": "learners"}
TEACHER = {"sub": "teacher-1", "email": "teacher@example.com", "cognito:groups": "teachers"}
ADMIN = {"sub": "admin-1", "email": "admin@example.com", "cognito:groups": "admins"}


# The query of each DELETE on the seeded worlds (one lesson, one assignment, both at version 1).
ROUTE_QUERIES: dict[str, dict[str, str]] = {
    "deleteLesson": {"version": "1"},
    "deleteAssignment": {"version": "1"},
}


def rest_event(
    method: str,
    path: str,
    *,
    body: Any = None,
    raw_body: str | None = None,
    claims: dict[str, str] | None = None,
    query: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    text = raw_body if raw_body is not None else (None if body is None else json.dumps(body))
    all_headers = {"Content-Type": "application/json", **(headers or {})}
    return {
        "resource": "/{proxy+}",
        "path": path,
        "httpMethod": method,
        "headers": all_headers,
        "multiValueHeaders": {k: [v] for k, v in all_headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": {k: [v] for k, v in query.items()} if query else None,
        "pathParameters": {"proxy": path.lstrip("/")},
        "stageVariables": None,
        "requestContext": {
            "resourcePath": "/{proxy+}",
            "httpMethod": method,
            "path": f"/v1{path}",
            "stage": "v1",
            "requestId": "test-request",
            "identity": {"sourceIp": "127.0.0.1"},
            "authorizer": {"claims": claims} if claims else None,
        },
        "body": text,
        "isBase64Encoded": False,
    }


def lambda_context(function_name: str = "test-function") -> Any:
    """A Lambda context object (the runtime always passes one; Powertools reads it)."""
    from manabi_local.events import LambdaContext

    return LambdaContext(function_name, 128, 30.0, "test-request")
