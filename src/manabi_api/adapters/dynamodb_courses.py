"""Courses in the single DynamoDB table (keys documented in docs/data-model.md).

- course item:     PK=COURSE#{id}  SK=COURSE                 (GetItem by id)
- catalogue entry: PK=COURSES      SK={createdAt}#{id}       (Query, newest first)
Both are written in one transaction, so a course never exists without its catalogue entry.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from manabi_api.adapters.cursor import decode_cursor, encode_cursor, invalid_cursor
from manabi_api.domain.courses import Course, CourseStatus
from manabi_api.domain.errors import Conflict
from manabi_api.ports.courses import CoursePage

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_CATALOGUE_PK = "COURSES"
_CURSOR_KEYS = frozenset({"PK", "SK"})

Item = dict[str, Any]


def _course_key(course_id: str) -> Item:
    return {"PK": {"S": f"COURSE#{course_id}"}, "SK": {"S": "COURSE"}}


def _attributes(course: Course) -> Item:
    return {
        "courseId": {"S": course.course_id},
        "title": {"S": course.title},
        "description": {"S": course.description},
        "status": {"S": course.status.value},
        "ownerId": {"S": course.owner_id},
        "createdAt": {"S": course.created_at},
        "updatedAt": {"S": course.updated_at},
        "version": {"N": str(course.version)},
    }


def _course(item: Item) -> Course:
    return Course(
        course_id=item["courseId"]["S"],
        title=item["title"]["S"],
        description=item["description"]["S"],
        status=CourseStatus(item["status"]["S"]),
        owner_id=item["ownerId"]["S"],
        created_at=item["createdAt"]["S"],
        updated_at=item["updatedAt"]["S"],
        version=int(item["version"]["N"]),
    )


class DynamoDbCourseRepository:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    def add(self, course: Course) -> None:
        attributes = _attributes(course)
        catalogue_key = {
            "PK": {"S": _CATALOGUE_PK},
            "SK": {"S": f"{course.created_at}#{course.course_id}"},
        }
        condition = "attribute_not_exists(PK)"
        try:
            self._client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**_course_key(course.course_id), **attributes},
                            "ConditionExpression": condition,
                        }
                    },
                    {
                        "Put": {
                            "TableName": self._table,
                            "Item": {**catalogue_key, **attributes},
                            "ConditionExpression": condition,
                        }
                    },
                ]
            )
        except self._client.exceptions.TransactionCanceledException as error:
            raise Conflict(f"Course {course.course_id} exists already.") from error

    def get(self, course_id: str) -> Course | None:
        response = self._client.get_item(TableName=self._table, Key=_course_key(course_id))
        item = response.get("Item")
        return _course(item) if item else None

    def list(self, limit: int, cursor: str | None) -> CoursePage:
        query: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _CATALOGUE_PK}},
            "ScanIndexForward": False,
            "Limit": limit,
        }
        if cursor is not None:
            position = decode_cursor(cursor, _CURSOR_KEYS)
            if position["PK"] != _CATALOGUE_PK:
                raise invalid_cursor()
            query["ExclusiveStartKey"] = {k: {"S": v} for k, v in position.items()}
        response = self._client.query(**query)
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor({k: v["S"] for k, v in last.items()}) if last else None
        return CoursePage([_course(item) for item in response.get("Items", [])], next_cursor)
