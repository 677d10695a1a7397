"""GL-SEC-04 on the emulator: the API built from the template's environment counts upload
tickets in the template's table (conditional UpdateItem, TimeToLive) and refuses the one past
the hour's limit with a 429 problem document and Retry-After."""

from __future__ import annotations

import json
import uuid
from typing import Any

import boto3
import pytest

from manabi_api.wiring import create_api_from_environment
from manabi_contract import environment as env
from manabi_contract.problems import PROBLEM_JSON, TYPE_BASE
from manabi_contract.table import PARTITION_KEY, SORT_KEY, TIME_TO_LIVE
from manabi_local.provisioning import LocalResources
from tests.support_events import TEACHER, lambda_context, rest_event

pytestmark = pytest.mark.integration
FILE = {"fileName": "report.pdf", "contentType": "application/pdf", "sizeBytes": 1024}


def test_gl_sec_04_the_local_api_refuses_uploads_past_the_hours_limit(
    local_resources: LocalResources,
) -> None:
    environment = local_resources.api_environment
    limit = int(environment[env.UPLOADS_PER_HOUR])  # the template's value
    api = create_api_from_environment(environment)
    learner = {
        "sub": f"limit-{uuid.uuid4().hex[:8]}",
        "email": "limit@example.com",
        "cognito:groups": "learners",
    }

    def call(method: str, path: str, claims: Any, body: Any = None) -> dict[str, Any]:
        return dict(
            api.resolve(rest_event(method, path, claims=claims, body=body), lambda_context())
        )

    def created(method: str, path: str, claims: Any, body: Any = None) -> Any:
        answer = call(method, path, claims, body)
        assert answer["statusCode"] in (200, 201), answer
        return json.loads(answer["body"])

    cid = created("POST", "/courses", TEACHER, {"title": "上限"})["courseId"]
    created("POST", f"/courses/{cid}/lessons", TEACHER, {"title": "L", "body": "b"})
    created("POST", f"/courses/{cid}/publish", TEACHER, {"version": 1})
    due = {"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"}
    aid = created("POST", f"/courses/{cid}/assignments", TEACHER, due)["assignmentId"]
    created("POST", f"/courses/{cid}/enrolment", learner)
    uploads = f"/courses/{cid}/assignments/{aid}/submission/uploads"

    statuses = [call("POST", uploads, learner, FILE)["statusCode"] for _ in range(limit)]
    assert statuses == [201] * limit
    refused = call("POST", uploads, learner, FILE)
    assert refused["statusCode"] == 429
    headers = refused["multiValueHeaders"]
    assert headers["Content-Type"] == [PROBLEM_JSON]
    assert 1 <= int(headers["Retry-After"][0]) <= 3600
    assert json.loads(refused["body"])["type"] == TYPE_BASE + "upload-limit"

    dynamodb = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)
    table = local_resources.table_name
    ttl = dynamodb.describe_time_to_live(TableName=table)["TimeToLiveDescription"]
    assert (ttl["TimeToLiveStatus"], ttl["AttributeName"]) == ("ENABLED", TIME_TO_LIVE)
    (counter,) = dynamodb.query(
        TableName=table,
        KeyConditionExpression=f"{PARTITION_KEY} = :p AND begins_with({SORT_KEY}, :u)",
        ExpressionAttributeValues={":p": {"S": f"LEARNER#{learner['sub']}"}, ":u": {"S": "USAGE#"}},
    )["Items"]
    assert counter["uploads"] == {"N": str(limit)}  # the refused one was not counted
    assert int(counter[TIME_TO_LIVE]["N"]) % 3600 == 0
