"""The learning store in the single DynamoDB table (keys and access patterns: docs/data-model.md).

Only the low-level client is used. Every request path is one GetItem/TransactGetItems to load its
context plus at most one Query, conditional write or TransactWriteItems. Nothing here calls Scan.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from manabi_api.adapters.dynamodb import items, keys
from manabi_api.adapters.dynamodb.keys import SORT_KEY, Item
from manabi_api.kernel.assignments import Assignment, Submission
from manabi_api.kernel.courses import MAX_LESSONS, Course, CourseList, CourseStatus, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.errors import Conflict, NotFound, StaleVersion, Throttled
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import Person
from manabi_api.ports.learning import CourseRecords, Snapshot
from manabi_contract.table import TIME_TO_LIVE

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

T = TypeVar("T")
# Why DynamoDB cancels a transaction that a retry may pass: throughput, or another transaction
# on one of its items (docs: TransactWriteItems, CancellationReasons).
_RETRYABLE_CANCELLATIONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "TransactionConflict"}
)


def _at_version(expected_version: int | None) -> tuple[str, Item]:
    """The condition of an optimistic write and its values; None: the item must not exist."""
    if expected_version is None:
        return keys.NOT_EXISTS, {}
    return "version = :expected", {":expected": {"N": str(expected_version)}}


class DynamoDbLearningStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._client = client
        self._table = table_name

    # -- helpers
    def _put(self, item: Item, condition: str | None = None, **extra: Any) -> Item:
        put: Item = {"TableName": self._table, "Item": item}
        if condition:
            put["ConditionExpression"] = condition
        put.update(extra)
        return {"Put": put}

    def _transact(self, writes: list[Item], error: Callable[[], Exception]) -> None:
        try:
            self._client.transact_write_items(TransactItems=writes)  # type: ignore[arg-type]
        except self._client.exceptions.TransactionCanceledException as cancelled:
            reasons = cancelled.response.get("CancellationReasons", [])
            retryable = sorted({str(r.get("Code")) for r in reasons} & _RETRYABLE_CANCELLATIONS)
            if retryable:  # nothing was written: the same call may pass
                raise Throttled(f"The write was cancelled ({', '.join(retryable)}).") from cancelled
            raise error() from cancelled

    def _conditional_put(self, item: Item, condition: str, values: Item, error: Exception) -> None:
        request: Item = {"TableName": self._table, "Item": item, "ConditionExpression": condition}
        if values:
            request["ExpressionAttributeValues"] = values
        try:
            self._client.put_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException as failed:
            raise error from failed

    def _query(
        self,
        pk: str,
        prefix: str,
        limit: int,
        cursor: str | None,
        convert: Callable[[Item], T],
        *,
        newest_first: bool = False,
    ) -> Page[T]:
        query: Item = {
            "TableName": self._table,
            **keys.in_partition(pk, prefix),
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if cursor is not None:
            query["ExclusiveStartKey"] = keys.position_of(cursor, pk, prefix)
        response = self._client.query(**query)
        last = response.get("LastEvaluatedKey")
        next_cursor = keys.cursor_at(last) if last else None
        return Page([convert(item) for item in response.get("Items", [])], next_cursor)

    # -- the context of a request, in one round trip
    def load(
        self,
        course_id: str,
        *,
        learner_id: str | None = None,
        lesson_id: str | None = None,
        assignment_id: str | None = None,
        outline: bool = False,
        people: tuple[str, ...] = (),
        submissions_of: tuple[str, ...] = (),
    ) -> Snapshot:
        wanted = keys.context_keys(
            course_id, learner_id, lesson_id, assignment_id, outline, people, submissions_of
        )
        if len(wanted) == 1:  # the course alone: a plain GetItem
            response = self._client.get_item(TableName=self._table, Key=wanted["course"])
            found = {"course": response.get("Item")}
        else:
            transaction = self._client.transact_get_items(
                TransactItems=[
                    {"Get": {"TableName": self._table, "Key": k}} for k in wanted.values()
                ]
            )
            responses = transaction["Responses"]
            found = {name: r.get("Item") for name, r in zip(wanted, responses, strict=True)}
        return items.snapshot(course_id, found, outline=outline)

    # -- courses
    def _course_writes(self, course: Course, condition: Item) -> list[Item]:
        """The course item and its list entries; the published entry is put or deleted."""
        sort_key = keys.course_list_sort_key(course.created_at, course.course_id)
        course_partition = keys.course_partition(course.course_id)
        writes = [
            self._put(items.course_item(course_partition, keys.COURSE, course), **condition),
            self._put(items.course_item(keys.ALL_COURSES, sort_key, course)),
            self._put(items.course_item(keys.owned_courses(course.owner_id), sort_key, course)),
        ]
        if course.status is CourseStatus.PUBLISHED:
            writes.append(self._put(items.course_item(keys.PUBLISHED_COURSES, sort_key, course)))
        else:
            published_key = keys.key(keys.PUBLISHED_COURSES, sort_key)
            writes.append({"Delete": {"TableName": self._table, "Key": published_key}})
        return writes

    def add(self, course: Course) -> None:
        writes = self._course_writes(course, {"condition": keys.NOT_EXISTS})
        if course.status is not CourseStatus.PUBLISHED:
            writes.pop()  # nothing to delete for a new course
        self._transact(writes, lambda: Conflict(f"Course {course.course_id} exists already."))

    # -- limits
    def count_upload(self, learner_id: str, hour: str, limit: int, expires_at: int) -> bool:
        try:
            self._client.update_item(
                TableName=self._table,
                Key=keys.upload_usage_key(learner_id, hour),
                UpdateExpression="ADD uploads :one SET #ttl = :ttl",
                ConditionExpression="attribute_not_exists(uploads) OR uploads < :limit",
                ExpressionAttributeNames={"#ttl": TIME_TO_LIVE},
                ExpressionAttributeValues={
                    ":one": {"N": "1"},
                    ":ttl": {"N": str(expires_at)},
                    ":limit": {"N": str(limit)},
                },
            )
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True

    def probe(self) -> None:
        self._client.get_item(TableName=self._table, Key=keys.HEALTH_PROBE)

    def get(self, course_id: str) -> Course | None:
        response = self._client.get_item(TableName=self._table, Key=keys.course_key(course_id))
        item = response.get("Item")
        return items.COURSE.entity(item) if item else None

    def courses(self, course_ids: builtins.list[str]) -> dict[str, tuple[Course, Outline]]:
        """One BatchGetItem of each course and its outline (a retry only for the keys DynamoDB
        leaves unprocessed under load)."""
        wanted = list(dict.fromkeys(course_ids))
        request: Item = {
            self._table: {
                "Keys": [k for c in wanted for k in (keys.course_key(c), keys.outline_key(c))]
            }
        }
        found: builtins.list[Item] = []
        while request.get(self._table, {}).get("Keys"):
            response = self._client.batch_get_item(RequestItems=request)
            found += response.get("Responses", {}).get(self._table, [])
            request = response.get("UnprocessedKeys") or {}
        by_key = {(i[keys.PARTITION_KEY]["S"], i[SORT_KEY]["S"]): i for i in found}
        result: dict[str, tuple[Course, Outline]] = {}
        for course_id in wanted:
            partition = keys.course_partition(course_id)
            course = by_key.get((partition, keys.COURSE))
            if course is not None:
                outline = items.read_outline(course_id, by_key.get((partition, keys.OUTLINE)))
                result[course_id] = (items.COURSE.entity(course), outline)
        return result

    def list(
        self,
        limit: int,
        cursor: str | None,
        which: CourseList = CourseList.ALL,
        owner_id: str | None = None,
    ) -> Page[Course]:
        pk = {
            CourseList.ALL: keys.ALL_COURSES,
            CourseList.PUBLISHED: keys.PUBLISHED_COURSES,
            CourseList.OWNED: keys.owned_courses(owner_id or ""),
        }[which]
        return self._query(pk, "", limit, cursor, items.COURSE.entity, newest_first=True)

    def save(self, course: Course, expected_version: int) -> None:
        # The list entries are keyed by owner and creation time: a save that changed either
        # would leave the old entries behind, so the stored course must have the same ones.
        condition, values = _at_version(expected_version)
        condition += " AND ownerId = :owner AND createdAt = :created"
        values |= {":owner": {"S": course.owner_id}, ":created": {"S": course.created_at}}
        self._transact(
            self._course_writes(
                course, {"condition": condition, "ExpressionAttributeValues": values}
            ),
            lambda: StaleVersion(f"Course {course.course_id} is not at version {expected_version}"),
        )

    # -- lessons
    def add_lesson(self, lesson: Lesson) -> Outline:
        self._transact(
            [
                self._put(items.lesson_item(lesson), keys.NOT_EXISTS),
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.outline_key(lesson.course_id),
                        "UpdateExpression": "SET lessonIds = list_append("
                        "if_not_exists(lessonIds, :empty), :new), version = "
                        "if_not_exists(version, :zero) + :one",
                        "ConditionExpression": "attribute_not_exists(lessonIds) OR "
                        "size(lessonIds) < :max",
                        "ExpressionAttributeValues": {
                            ":max": {"N": str(MAX_LESSONS)},
                            ":empty": {"L": []},
                            ":new": {"L": [{"S": lesson.lesson_id}]},
                            ":zero": {"N": "0"},
                            ":one": {"N": "1"},
                        },
                    }
                },
            ],
            lambda: Conflict(
                f"Lesson {lesson.lesson_id} exists already, or the course has "
                f"{MAX_LESSONS} lessons."
            ),
        )
        return Outline(lesson.course_id, [lesson.lesson_id])  # the caller reads the full outline

    def save_lesson(self, lesson: Lesson, expected_version: int) -> None:
        self._conditional_put(
            items.lesson_item(lesson),
            *_at_version(expected_version),
            StaleVersion(f"Lesson {lesson.lesson_id} is not at version {expected_version}."),
        )

    def delete_lesson(self, outline: Outline, lesson_id: str) -> Outline:
        """One transaction: the lesson goes and `outline` (as the caller read it) loses it, on
        the condition that the outline is still at that version."""
        course_id, expected_version = outline.course_id, outline.version
        stale = StaleVersion(f"The lesson order is not at version {expected_version}.")
        if lesson_id not in outline.lesson_ids:
            raise stale
        remaining = outline.without(lesson_id)
        condition, values = _at_version(expected_version)
        self._transact(
            [
                {
                    "Delete": {
                        "TableName": self._table,
                        "Key": keys.lesson_key(course_id, lesson_id),
                        "ConditionExpression": keys.EXISTS,
                    }
                },
                self._put(
                    items.outline_item(remaining),
                    condition,
                    ExpressionAttributeValues=values,
                ),
            ],
            lambda: stale,
        )
        return remaining

    def _query_all(self, partition: str, prefix: str) -> builtins.list[Item]:
        """Every item of a partition under a sort-key prefix: one Query, another past 1 MB."""
        query = {"TableName": self._table, **keys.in_partition(partition, prefix)}
        found: builtins.list[Item] = []
        while True:
            response = self._client.query(**query)
            found += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                return found
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def records(self, course_id: str) -> CourseRecords:
        """One Query of the whole course partition, sorted out by sort-key prefix."""
        found = self._query_all(keys.course_partition(course_id), "")

        def of(prefix: str, table: items.FieldTable[T]) -> builtins.list[T]:
            return [table.entity(i) for i in found if i[SORT_KEY]["S"].startswith(prefix)]

        return CourseRecords(
            of(keys.ASSIGNMENTS, items.ASSIGNMENT),
            of(keys.ENROLMENTS, items.ENROLMENT),
            of(keys.SUBMISSIONS, items.SUBMISSION),
        )

    def lessons(self, course_id: str) -> tuple[Outline, builtins.list[Lesson]]:
        """One Query: the outline item `LESSONS` and every `LESSON#…` item share the prefix."""
        found = self._query_all(keys.course_partition(course_id), keys.LESSON_ITEMS)
        outline_item = next((i for i in found if i[SORT_KEY]["S"] == keys.OUTLINE), None)
        outline = items.read_outline(course_id, outline_item)
        lessons = (items.LESSON.entity(i) for i in found if i is not outline_item)
        by_id = {lesson.lesson_id: lesson for lesson in lessons}
        return outline, [by_id[lid] for lid in outline.lesson_ids if lid in by_id]

    def reorder(
        self, course_id: str, lesson_ids: builtins.list[str], expected_version: int
    ) -> Outline:
        outline = Outline(course_id, list(lesson_ids), expected_version + 1)
        item = items.outline_item(outline)
        if expected_version == 0:  # a course's first order: no outline item yet
            self._conditional_put(item, *_at_version(None), StaleVersion("The order changed."))
        else:
            self._conditional_put(
                item,
                *_at_version(expected_version),
                StaleVersion(f"The lesson order is not at version {expected_version}."),
            )
        return outline

    # -- enrolment and progress
    def enrol(self, enrolment: Enrolment, learner: Person | None = None) -> None:
        course_side, learner_side = items.enrolment_items(enrolment)
        writes = [self._put(course_side, keys.NOT_EXISTS), self._put(learner_side, keys.NOT_EXISTS)]
        if learner is not None:  # the profile, unless the person has one (a newer name)
            profile = items.person_item(learner)
            fields = [f for f in profile if f not in (keys.PARTITION_KEY, SORT_KEY)]
            writes.append(
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": keys.profile_key(learner.user_id),
                        "UpdateExpression": "SET "
                        + ", ".join(f"#{f} = if_not_exists(#{f}, :{f})" for f in fields),
                        "ExpressionAttributeNames": {f"#{f}": f for f in fields},
                        "ExpressionAttributeValues": {f":{f}": profile[f] for f in fields},
                    }
                }
            )
        self._transact(writes, lambda: Conflict("Already enrolled."))

    def save_person(self, person: Person) -> None:
        self._client.put_item(TableName=self._table, Item=items.person_item(person))

    def complete_lesson(self, enrolment: Enrolment, lesson_id: str, at: str) -> Enrolment:
        update = {
            "UpdateExpression": "ADD completed :lesson SET updatedAt = :at",
            "ConditionExpression": keys.EXISTS,
            "ExpressionAttributeValues": {":lesson": {"SS": [lesson_id]}, ":at": {"S": at}},
        }
        course_id, learner_id = enrolment.course_id, enrolment.learner_id
        sides = [
            keys.course_enrolment_key(course_id, learner_id),
            keys.learner_enrolment_key(course_id, learner_id),
        ]
        self._transact(
            [{"Update": {"TableName": self._table, "Key": k, **update}} for k in sides],
            lambda: NotFound("Not enrolled."),
        )
        # A transaction returns no items: the result is the given enrolment with the lesson.
        return enrolment._replace(updated_at=at, completed=enrolment.completed | {lesson_id})

    def enrolments(self, course_id: str, limit: int, cursor: str | None) -> Page[Enrolment]:
        partition = keys.course_partition(course_id)
        return self._query(partition, keys.ENROLMENTS, limit, cursor, items.ENROLMENT.entity)

    def learner_enrolments(
        self, learner_id: str, limit: int, cursor: str | None
    ) -> Page[Enrolment]:
        partition = keys.learner_partition(learner_id)
        return self._query(partition, keys.ENROLMENTS, limit, cursor, items.ENROLMENT.entity)

    # -- assignments and submissions
    def add_assignment(self, assignment: Assignment) -> None:
        self._conditional_put(
            items.assignment_item(assignment),
            *_at_version(None),
            Conflict(f"Assignment {assignment.assignment_id} exists already."),
        )

    def save_assignment(self, assignment: Assignment, expected_version: int) -> None:
        self._conditional_put(
            items.assignment_item(assignment),
            *_at_version(expected_version),
            StaleVersion(
                f"Assignment {assignment.assignment_id} is not at version {expected_version}."
            ),
        )

    def delete_assignment(self, course_id: str, assignment_id: str, expected_version: int) -> None:
        condition, values = _at_version(expected_version)
        try:
            self._client.delete_item(
                TableName=self._table,
                Key=keys.assignment_key(course_id, assignment_id),
                ConditionExpression=condition,
                ExpressionAttributeValues=values,
            )
        except self._client.exceptions.ConditionalCheckFailedException as failed:
            raise StaleVersion(
                f"Assignment {assignment_id} is not at version {expected_version}."
            ) from failed

    def assignments(self, course_id: str, limit: int, cursor: str | None) -> Page[Assignment]:
        partition = keys.course_partition(course_id)
        return self._query(partition, keys.ASSIGNMENTS, limit, cursor, items.ASSIGNMENT.entity)

    def save_submission(self, submission: Submission, expected_version: int | None) -> None:
        self._conditional_put(
            items.submission_item(submission),
            *_at_version(expected_version),
            StaleVersion("The submission changed meanwhile."),
        )

    def submissions(
        self, course_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> Page[Submission]:
        prefix = keys.submissions_of(assignment_id)
        partition = keys.course_partition(course_id)
        return self._query(partition, prefix, limit, cursor, items.SUBMISSION.entity)
