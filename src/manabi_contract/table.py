"""The single DynamoDB table as the API and the scanner both write it (MP-DDB-01).

The API owns the table's layout (docs/data-model.md; `manabi_api.adapters.dynamodb`); what the
scanner must agree on is here: the key attributes, where a submission lives, and the one write
that records a verdict on it — so the condition that makes INFECTED final (MP-AV-03) exists once.
"""

from __future__ import annotations

from typing import Any

from manabi_contract.verdicts import AvStatus

PARTITION_KEY = "PK"
SORT_KEY = "SK"
# The table's TimeToLive attribute (epoch seconds): DynamoDB deletes expired usage counters.
TIME_TO_LIVE = "ttlEpochSeconds"


def course_partition(course_id: str) -> str:
    return f"COURSE#{course_id}"


def submission_sort_key(assignment_id: str, learner_id: str) -> str:
    return f"SUBMISSION#{assignment_id}#{learner_id}"


def submission_key(course_id: str, assignment_id: str, learner_id: str) -> dict[str, Any]:
    return {
        PARTITION_KEY: {"S": course_partition(course_id)},
        SORT_KEY: {"S": submission_sort_key(assignment_id, learner_id)},
    }


def scan_status_update(
    table_name: str,
    course_id: str,
    assignment_id: str,
    learner_id: str,
    status: str,
    object_key: str | None = None,
) -> dict[str, Any]:
    """UpdateItem parameters that set a submission's scan status and bump its version: only if
    the submission exists, is not INFECTED already, and (with `object_key`) that object is still
    its file. A failed condition (ConditionalCheckFailedException) means: nothing to record."""
    condition = "attribute_exists(PK) AND #status <> :infected"
    values = {
        ":status": {"S": status},
        ":one": {"N": "1"},
        ":infected": {"S": AvStatus.INFECTED.value},
    }
    if object_key is not None:
        condition += " AND objectKey = :key"
        values[":key"] = {"S": object_key}
    return {
        "TableName": table_name,
        "Key": submission_key(course_id, assignment_id, learner_id),
        "UpdateExpression": "SET #status = :status, version = version + :one",
        "ConditionExpression": condition,
        "ExpressionAttributeNames": {"#status": "status"},
        "ExpressionAttributeValues": values,
    }
