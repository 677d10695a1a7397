"""The learning store in the single DynamoDB table (keys and access patterns: docs/data-model.md).

Only the low-level client is used (no resource layer, no TypeSerializer): items are built by the
small functions below. Every request path is one GetItem/TransactGetItems to load its context
plus at most one Query, conditional write or TransactWriteItems. Nothing here calls Scan.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from manabi_api.adapters.cursor import decode_cursor, encode_cursor, invalid_cursor
from manabi_api.kernel.assignments import Assignment, Submission, SubmissionStatus
from manabi_api.kernel.courses import MAX_LESSONS, Course, CourseList, CourseStatus, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.errors import Conflict, NotFound, StaleVersion
from manabi_api.kernel.paging import Page
from manabi_api.ports.learning import Snapshot

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

Item = dict[str, Any]
T = TypeVar("T")
_CURSOR_KEYS = frozenset({"PK", "SK"})
ALL_COURSES = "COURSES"
PUBLISHED_COURSES = "COURSES#PUBLISHED"
_NOT_EXISTS = "attribute_not_exists(PK)"


def owned_courses(owner_id: str) -> str:
    return f"COURSES#OWNER#{owner_id}"


def course_pk(course_id: str) -> str:
    return f"COURSE#{course_id}"


def learner_pk(learner_id: str) -> str:
    return f"LEARNER#{learner_id}"


def _key(pk: str, sk: str) -> Item:
    return {"PK": {"S": pk}, "SK": {"S": sk}}


def _s(item: Item, name: str) -> str:
    return str(item[name]["S"])


def _n(item: Item, name: str) -> int:
    return int(item[name]["N"])


def _opt_s(item: Item, name: str) -> str | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else str(value["S"])


def _opt_n(item: Item, name: str) -> int | None:
    value = item.get(name)
    return None if value is None or "NULL" in value else int(value["N"])


def _nullable(value: str | int | None) -> Item:
    if value is None:
        return {"NULL": True}
    return {"N": str(value)} if isinstance(value, int) else {"S": value}


# -- items ------------------------------------------------------------------------------------


def _course_attributes(course: Course) -> Item:
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
        course_id=_s(item, "courseId"),
        title=_s(item, "title"),
        description=_s(item, "description"),
        status=CourseStatus(_s(item, "status")),
        owner_id=_s(item, "ownerId"),
        created_at=_s(item, "createdAt"),
        updated_at=_s(item, "updatedAt"),
        version=_n(item, "version"),
    )


def _lesson_item(lesson: Lesson) -> Item:
    return {
        **_key(course_pk(lesson.course_id), f"LESSON#{lesson.lesson_id}"),
        "courseId": {"S": lesson.course_id},
        "lessonId": {"S": lesson.lesson_id},
        "title": {"S": lesson.title},
        "body": {"S": lesson.body},
        "createdAt": {"S": lesson.created_at},
        "updatedAt": {"S": lesson.updated_at},
        "version": {"N": str(lesson.version)},
    }


def _lesson(item: Item) -> Lesson:
    return Lesson(
        course_id=_s(item, "courseId"),
        lesson_id=_s(item, "lessonId"),
        title=_s(item, "title"),
        body=_s(item, "body"),
        created_at=_s(item, "createdAt"),
        updated_at=_s(item, "updatedAt"),
        version=_n(item, "version"),
    )


def _outline(course_id: str, item: Item | None) -> Outline:
    if item is None:
        return Outline(course_id)
    return Outline(course_id, [v["S"] for v in item["lessonIds"]["L"]], _n(item, "version"))


def _enrolment_attributes(enrolment: Enrolment) -> Item:
    attributes: Item = {
        "courseId": {"S": enrolment.course_id},
        "learnerId": {"S": enrolment.learner_id},
        "courseTitle": {"S": enrolment.course_title},
        "enrolledAt": {"S": enrolment.enrolled_at},
        "updatedAt": {"S": enrolment.updated_at},
    }
    if enrolment.completed:
        attributes["completed"] = {"SS": sorted(enrolment.completed)}
    return attributes


def _enrolment(item: Item) -> Enrolment:
    return Enrolment(
        course_id=_s(item, "courseId"),
        learner_id=_s(item, "learnerId"),
        course_title=_s(item, "courseTitle"),
        enrolled_at=_s(item, "enrolledAt"),
        updated_at=_s(item, "updatedAt"),
        completed=frozenset(item.get("completed", {}).get("SS", [])),
    )


def _assignment_item(a: Assignment) -> Item:
    return {
        **_key(course_pk(a.course_id), f"ASSIGNMENT#{a.assignment_id}"),
        "courseId": {"S": a.course_id},
        "assignmentId": {"S": a.assignment_id},
        "title": {"S": a.title},
        "instructions": {"S": a.instructions},
        "dueAt": {"S": a.due_at},
        "createdAt": {"S": a.created_at},
        "updatedAt": {"S": a.updated_at},
        "version": {"N": str(a.version)},
    }


def _assignment(item: Item) -> Assignment:
    return Assignment(
        course_id=_s(item, "courseId"),
        assignment_id=_s(item, "assignmentId"),
        title=_s(item, "title"),
        instructions=_s(item, "instructions"),
        due_at=_s(item, "dueAt"),
        created_at=_s(item, "createdAt"),
        updated_at=_s(item, "updatedAt"),
        version=_n(item, "version"),
    )


def _submission_key(course_id: str, assignment_id: str, learner_id: str) -> Item:
    return _key(course_pk(course_id), f"SUBMISSION#{assignment_id}#{learner_id}")


def _submission_item(s: Submission) -> Item:
    return {
        **_submission_key(s.course_id, s.assignment_id, s.learner_id),
        "courseId": {"S": s.course_id},
        "assignmentId": {"S": s.assignment_id},
        "learnerId": {"S": s.learner_id},
        "fileName": {"S": s.file_name},
        "contentType": {"S": s.content_type},
        "sizeBytes": {"N": str(s.size_bytes)},
        "status": {"S": s.status.value},
        "attempt": {"N": str(s.attempt)},
        "submittedAt": {"S": s.submitted_at},
        "version": {"N": str(s.version)},
        "grade": _nullable(s.grade),
        "feedback": _nullable(s.feedback),
        "gradedAt": _nullable(s.graded_at),
        "objectKey": _nullable(s.object_key),
        "objectVersion": _nullable(s.object_version),
    }


def _submission(item: Item) -> Submission:
    return Submission(
        course_id=_s(item, "courseId"),
        assignment_id=_s(item, "assignmentId"),
        learner_id=_s(item, "learnerId"),
        file_name=_s(item, "fileName"),
        content_type=_s(item, "contentType"),
        size_bytes=_n(item, "sizeBytes"),
        status=SubmissionStatus(_s(item, "status")),
        attempt=_n(item, "attempt"),
        submitted_at=_s(item, "submittedAt"),
        version=_n(item, "version"),
        grade=_opt_n(item, "grade"),
        feedback=_opt_s(item, "feedback"),
        graded_at=_opt_s(item, "gradedAt"),
        object_key=_opt_s(item, "objectKey"),
        object_version=_opt_s(item, "objectVersion"),
    )


# -- the store ----------------------------------------------------------------------------------


class DynamoDbCourseRepository:
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

    def _transact(self, items: list[Item], error: Callable[[], Exception]) -> None:
        try:
            self._client.transact_write_items(TransactItems=items)  # type: ignore[arg-type]
        except self._client.exceptions.TransactionCanceledException as cancelled:
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
            "KeyConditionExpression": "PK = :pk"
            + (" AND begins_with(SK, :prefix)" if prefix else ""),
            "ExpressionAttributeValues": {
                ":pk": {"S": pk},
                **({":prefix": {"S": prefix}} if prefix else {}),
            },
            "ScanIndexForward": not newest_first,
            "Limit": limit,
        }
        if cursor is not None:
            position = decode_cursor(cursor, _CURSOR_KEYS)
            if position["PK"] != pk or not position["SK"].startswith(prefix):
                raise invalid_cursor()
            query["ExclusiveStartKey"] = {k: {"S": v} for k, v in position.items()}
        response = self._client.query(**query)
        last = response.get("LastEvaluatedKey")
        next_cursor = encode_cursor({k: v["S"] for k, v in last.items()}) if last else None
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
    ) -> Snapshot:
        pk = course_pk(course_id)
        keys: dict[str, Item] = {"course": _key(pk, "COURSE")}
        if learner_id:
            keys["enrolment"] = _key(pk, f"ENROL#{learner_id}")
        if lesson_id:
            keys["lesson"] = _key(pk, f"LESSON#{lesson_id}")
        if assignment_id:
            keys["assignment"] = _key(pk, f"ASSIGNMENT#{assignment_id}")
        if assignment_id and learner_id:
            keys["submission"] = _submission_key(course_id, assignment_id, learner_id)
        if outline:
            keys["outline"] = _key(pk, "LESSONS")
        if len(keys) == 1:
            found = {"course": self._client.get_item(TableName=self._table, Key=keys["course"])}
            items = {"course": found["course"].get("Item")}
        else:
            response = self._client.transact_get_items(
                TransactItems=[{"Get": {"TableName": self._table, "Key": k}} for k in keys.values()]
            )
            items = {
                name: r.get("Item") or None
                for name, r in zip(keys, response["Responses"], strict=True)
            }
        item = items.get
        return Snapshot(
            course=_course(items["course"]) if items["course"] else None,
            enrolment=_enrolment(e) if (e := item("enrolment")) else None,
            lesson=_lesson(x) if (x := item("lesson")) else None,
            assignment=_assignment(a) if (a := item("assignment")) else None,
            submission=_submission(s) if (s := item("submission")) else None,
            outline=_outline(course_id, item("outline")) if outline else None,
        )

    # -- courses
    def _course_writes(self, course: Course, condition: Item) -> list[Item]:
        attributes = _course_attributes(course)
        sk = {"S": f"{course.created_at}#{course.course_id}"}
        entry = {"SK": sk, **attributes}
        writes = [
            self._put({**_key(course_pk(course.course_id), "COURSE"), **attributes}, **condition),
            self._put({"PK": {"S": ALL_COURSES}, **entry}),
            self._put({"PK": {"S": owned_courses(course.owner_id)}, **entry}),
        ]
        published_key = {"PK": {"S": PUBLISHED_COURSES}, "SK": sk}
        if course.status is CourseStatus.PUBLISHED:
            writes.append(self._put({**published_key, **attributes}))
        else:
            writes.append({"Delete": {"TableName": self._table, "Key": published_key}})
        return writes

    def add(self, course: Course) -> None:
        writes = self._course_writes(course, {"condition": _NOT_EXISTS})
        if course.status is not CourseStatus.PUBLISHED:
            writes.pop()  # nothing to delete for a new course
        self._transact(writes, lambda: Conflict(f"Course {course.course_id} exists already."))

    def get(self, course_id: str) -> Course | None:
        response = self._client.get_item(
            TableName=self._table, Key=_key(course_pk(course_id), "COURSE")
        )
        item = response.get("Item")
        return _course(item) if item else None

    def list(
        self,
        limit: int,
        cursor: str | None,
        which: CourseList = CourseList.ALL,
        owner_id: str | None = None,
    ) -> Page[Course]:
        pk = {
            CourseList.ALL: ALL_COURSES,
            CourseList.PUBLISHED: PUBLISHED_COURSES,
            CourseList.OWNED: owned_courses(owner_id or ""),
        }[which]
        return self._query(pk, "", limit, cursor, _course, newest_first=True)

    def save(self, course: Course, expected_version: int) -> None:
        condition = {
            "condition": "version = :expected",
            "ExpressionAttributeValues": {":expected": {"N": str(expected_version)}},
        }
        self._transact(
            self._course_writes(course, condition),
            lambda: StaleVersion(f"Course {course.course_id} is not at version {expected_version}"),
        )

    # -- lessons
    def add_lesson(self, lesson: Lesson) -> Outline:
        outline_key = _key(course_pk(lesson.course_id), "LESSONS")
        self._transact(
            [
                self._put(_lesson_item(lesson), _NOT_EXISTS),
                {
                    "Update": {
                        "TableName": self._table,
                        "Key": outline_key,
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
            _lesson_item(lesson),
            "version = :expected",
            {":expected": {"N": str(expected_version)}},
            StaleVersion(f"Lesson {lesson.lesson_id} is not at version {expected_version}."),
        )

    def lessons(self, course_id: str) -> tuple[Outline, builtins.list[Lesson]]:
        """One Query: the outline item `LESSONS` and every `LESSON#…` item share the prefix."""
        query: Item = {
            "TableName": self._table,
            "KeyConditionExpression": "PK = :pk AND begins_with(SK, :prefix)",
            "ExpressionAttributeValues": {
                ":pk": {"S": course_pk(course_id)},
                ":prefix": {"S": "LESSON"},
            },
        }
        items: list[Item] = []
        while True:  # a second page only past 1 MB of lessons
            response = self._client.query(**query)
            items += response.get("Items", [])
            if "LastEvaluatedKey" not in response:
                break
            query["ExclusiveStartKey"] = response["LastEvaluatedKey"]
        outline_item = next((i for i in items if i["SK"]["S"] == "LESSONS"), None)
        outline = _outline(course_id, outline_item)
        by_id = {i["lessonId"]["S"]: _lesson(i) for i in items if i["SK"]["S"] != "LESSONS"}
        return outline, [by_id[lid] for lid in outline.lesson_ids if lid in by_id]

    def reorder(
        self, course_id: str, lesson_ids: builtins.list[str], expected_version: int
    ) -> Outline:
        outline = Outline(course_id, list(lesson_ids), expected_version + 1)
        item = {
            **_key(course_pk(course_id), "LESSONS"),
            "lessonIds": {"L": [{"S": i} for i in lesson_ids]},
            "version": {"N": str(outline.version)},
        }
        if expected_version == 0:
            self._conditional_put(item, _NOT_EXISTS, {}, StaleVersion("The order changed."))
        else:
            self._conditional_put(
                item,
                "version = :expected",
                {":expected": {"N": str(expected_version)}},
                StaleVersion(f"The lesson order is not at version {expected_version}."),
            )
        return outline

    # -- enrolment and progress
    def enrol(self, enrolment: Enrolment) -> None:
        attributes = _enrolment_attributes(enrolment)
        course_side = _key(course_pk(enrolment.course_id), f"ENROL#{enrolment.learner_id}")
        learner_side = _key(learner_pk(enrolment.learner_id), f"ENROL#{enrolment.course_id}")
        self._transact(
            [
                self._put({**course_side, **attributes}, _NOT_EXISTS),
                self._put({**learner_side, **attributes}, _NOT_EXISTS),
            ],
            lambda: Conflict("Already enrolled."),
        )

    def complete_lesson(self, enrolment: Enrolment, lesson_id: str, at: str) -> Enrolment:
        update = {
            "UpdateExpression": "ADD completed :lesson SET updatedAt = :at",
            "ConditionExpression": "attribute_exists(PK)",
            "ExpressionAttributeValues": {":lesson": {"SS": [lesson_id]}, ":at": {"S": at}},
        }
        keys = [
            _key(course_pk(enrolment.course_id), f"ENROL#{enrolment.learner_id}"),
            _key(learner_pk(enrolment.learner_id), f"ENROL#{enrolment.course_id}"),
        ]
        self._transact(
            [{"Update": {"TableName": self._table, "Key": k, **update}} for k in keys],
            lambda: NotFound("Not enrolled."),
        )
        return Enrolment(
            enrolment.course_id,
            enrolment.learner_id,
            enrolment.course_title,
            enrolment.enrolled_at,
            at,
            enrolment.completed | {lesson_id},
        )

    def enrolments(self, course_id: str, limit: int, cursor: str | None) -> Page[Enrolment]:
        return self._query(course_pk(course_id), "ENROL#", limit, cursor, _enrolment)

    def learner_enrolments(
        self, learner_id: str, limit: int, cursor: str | None
    ) -> Page[Enrolment]:
        return self._query(learner_pk(learner_id), "ENROL#", limit, cursor, _enrolment)

    # -- assignments and submissions
    def add_assignment(self, assignment: Assignment) -> None:
        self._conditional_put(
            _assignment_item(assignment),
            _NOT_EXISTS,
            {},
            Conflict(f"Assignment {assignment.assignment_id} exists already."),
        )

    def assignments(self, course_id: str, limit: int, cursor: str | None) -> Page[Assignment]:
        return self._query(course_pk(course_id), "ASSIGNMENT#", limit, cursor, _assignment)

    def save_submission(self, submission: Submission, expected_version: int | None) -> None:
        if expected_version is None:
            condition, values = _NOT_EXISTS, {}
        else:
            condition, values = "version = :expected", {":expected": {"N": str(expected_version)}}
        self._conditional_put(
            _submission_item(submission),
            condition,
            values,
            StaleVersion("The submission changed meanwhile."),
        )

    def submissions(
        self, course_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> Page[Submission]:
        prefix = f"SUBMISSION#{assignment_id}#"
        return self._query(course_pk(course_id), prefix, limit, cursor, _submission)
