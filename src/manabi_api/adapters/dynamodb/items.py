"""Entities to DynamoDB items and back, each entity described by one table of its fields.

A row of a table is `KIND("attribute", "entity_field")`; both directions are derived from the
table, so an attribute is named once. Attributes are written in table order, absent optionals as
NULL, an empty string set not at all: the items are those of the hand-written mappers this
replaced. Only the low-level client's attribute values are used (no TypeSerializer).
"""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from typing import Any, Generic, NamedTuple, TypeVar

from manabi_api.adapters.dynamodb import keys
from manabi_api.kernel.assignments import Assignment, Submission, SubmissionStatus
from manabi_api.kernel.courses import Course, CourseStatus, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.people import Person
from manabi_api.ports.learning import Snapshot

Item = keys.Item
AttributeValue = dict[str, Any]
E = TypeVar("E")


class Field(NamedTuple):
    attribute: str
    field: str
    kind: Kind


class Kind(NamedTuple):
    """How a field is stored. `write` gives its attribute value (None: no attribute at all),
    `read` takes a present one back; an optional kind reads a missing or NULL attribute as
    `empty`, a required one fails on it (KeyError): the layout never lacks it."""

    write: Callable[[Any], AttributeValue | None]
    read: Callable[[AttributeValue], Any]
    optional: bool = False
    empty: Any = None

    def __call__(self, attribute: str, field: str) -> Field:
        """A row of a table: this kind, stored under `attribute`, from the entity's `field`."""
        return Field(attribute, field, self)


STRING = Kind(lambda v: {"S": v}, lambda a: str(a["S"]))
NUMBER = Kind(lambda v: {"N": str(v)}, lambda a: int(a["N"]))
OPTIONAL_STRING = Kind(
    lambda v: {"NULL": True} if v is None else {"S": v}, STRING.read, optional=True
)
OPTIONAL_NUMBER = Kind(
    lambda v: {"NULL": True} if v is None else {"N": str(v)}, NUMBER.read, optional=True
)
# DynamoDB has no empty set: an empty one is left out of the item and read back as empty.
STRING_SET = Kind(
    lambda v: {"SS": sorted(v)} if v else None,
    lambda a: frozenset(a["SS"]),
    optional=True,
    empty=frozenset(),
)
STRING_LIST = Kind(lambda v: {"L": [{"S": s} for s in v]}, lambda a: [str(s["S"]) for s in a["L"]])


def string_enum(enum: type[StrEnum]) -> Kind:
    """A string enumeration, stored as its value."""
    return Kind(lambda v: {"S": v.value}, lambda a: enum(a["S"]))


COURSE_STATUS = string_enum(CourseStatus)
SUBMISSION_STATUS = string_enum(SubmissionStatus)


class FieldTable(Generic[E]):
    """One entity's table of fields, and the two conversions derived from it."""

    def __init__(self, entity: Callable[..., E], *fields: Field) -> None:
        self._entity = entity
        self.fields = fields

    def attributes(self, value: E) -> Item:
        written = ((f.attribute, f.kind.write(getattr(value, f.field))) for f in self.fields)
        return {name: attribute for name, attribute in written if attribute is not None}

    def entity(self, item: Item, **known: Any) -> E:
        """The entity of `item`; `known` gives the fields the item does not store."""
        values = dict(known)
        for f in self.fields:
            stored = item.get(f.attribute)
            if f.kind.optional and (stored is None or "NULL" in stored):
                values[f.field] = f.kind.empty
            else:
                values[f.field] = f.kind.read(item[f.attribute])
        return self._entity(**values)


# -- the tables: one per entity, in the order the attributes are written

COURSE = FieldTable(
    Course,
    STRING("courseId", "course_id"),
    STRING("title", "title"),
    STRING("description", "description"),
    COURSE_STATUS("status", "status"),
    STRING("ownerId", "owner_id"),
    STRING("createdAt", "created_at"),
    STRING("updatedAt", "updated_at"),
    NUMBER("version", "version"),
)
LESSON = FieldTable(
    Lesson,
    STRING("courseId", "course_id"),
    STRING("lessonId", "lesson_id"),
    STRING("title", "title"),
    STRING("body", "body"),
    STRING("createdAt", "created_at"),
    STRING("updatedAt", "updated_at"),
    NUMBER("version", "version"),
)
# The outline item does not store its course id: its partition says it (`known`).
OUTLINE = FieldTable(Outline, STRING_LIST("lessonIds", "lesson_ids"), NUMBER("version", "version"))
ENROLMENT = FieldTable(
    Enrolment,
    STRING("courseId", "course_id"),
    STRING("learnerId", "learner_id"),
    STRING("courseTitle", "course_title"),
    STRING("enrolledAt", "enrolled_at"),
    STRING("updatedAt", "updated_at"),
    STRING_SET("completed", "completed"),
)
ASSIGNMENT = FieldTable(
    Assignment,
    STRING("courseId", "course_id"),
    STRING("assignmentId", "assignment_id"),
    STRING("title", "title"),
    STRING("instructions", "instructions"),
    STRING("dueAt", "due_at"),
    STRING("createdAt", "created_at"),
    STRING("updatedAt", "updated_at"),
    NUMBER("version", "version"),
)
SUBMISSION = FieldTable(
    Submission,
    STRING("courseId", "course_id"),
    STRING("assignmentId", "assignment_id"),
    STRING("learnerId", "learner_id"),
    STRING("fileName", "file_name"),
    STRING("contentType", "content_type"),
    NUMBER("sizeBytes", "size_bytes"),
    SUBMISSION_STATUS("status", "status"),
    NUMBER("attempt", "attempt"),
    STRING("submittedAt", "submitted_at"),
    NUMBER("version", "version"),
    OPTIONAL_NUMBER("grade", "grade"),
    OPTIONAL_STRING("feedback", "feedback"),
    OPTIONAL_STRING("gradedAt", "graded_at"),
    OPTIONAL_STRING("objectKey", "object_key"),
    OPTIONAL_STRING("objectVersion", "object_version"),
)

PERSON = FieldTable(
    Person,
    STRING("userId", "user_id"),
    STRING("name", "name"),
    STRING("email", "email"),
    STRING("updatedAt", "updated_at"),
)


# -- whole items: the key, then the attributes


def course_item(partition: str, sort_key: str, course: Course) -> Item:
    """The course item and its list entries: each a full copy of the course's attributes."""
    return {**keys.key(partition, sort_key), **COURSE.attributes(course)}


def lesson_item(lesson: Lesson) -> Item:
    return {**keys.lesson_key(lesson.course_id, lesson.lesson_id), **LESSON.attributes(lesson)}


def outline_item(outline: Outline) -> Item:
    return {**keys.outline_key(outline.course_id), **OUTLINE.attributes(outline)}


def read_outline(course_id: str, item: Item | None) -> Outline:
    """A course without an outline item has the empty outline at version 0."""
    return Outline(course_id) if item is None else OUTLINE.entity(item, course_id=course_id)


def snapshot(course_id: str, found: dict[str, Item | None], *, outline: bool) -> Snapshot:
    """A request's context from the items read by name (`keys.context_keys`); a missing
    outline item is the empty outline."""

    def read(name: str, table: FieldTable[E]) -> E | None:
        item = found.get(name)
        return table.entity(item) if item else None

    return Snapshot(
        course=read("course", COURSE),
        enrolment=read("enrolment", ENROLMENT),
        lesson=read("lesson", LESSON),
        assignment=read("assignment", ASSIGNMENT),
        submission=read("submission", SUBMISSION),
        outline=read_outline(course_id, found.get("outline")) if outline else None,
        people={
            name.removeprefix(keys.PERSON): PERSON.entity(item)
            for name, item in found.items()
            if name.startswith(keys.PERSON) and item
        },
        submissions={
            name.removeprefix(keys.MINE): SUBMISSION.entity(item)
            for name, item in found.items()
            if name.startswith(keys.MINE) and item
        },
    )


def enrolment_items(enrolment: Enrolment) -> tuple[Item, Item]:
    """The course side and the learner side: the same attributes under two keys."""
    attributes = ENROLMENT.attributes(enrolment)
    course_id, learner_id = enrolment.course_id, enrolment.learner_id
    return (
        {**keys.course_enrolment_key(course_id, learner_id), **attributes},
        {**keys.learner_enrolment_key(course_id, learner_id), **attributes},
    )


def person_item(person: Person) -> Item:
    return {**keys.profile_key(person.user_id), **PERSON.attributes(person)}


def assignment_item(a: Assignment) -> Item:
    return {**keys.assignment_key(a.course_id, a.assignment_id), **ASSIGNMENT.attributes(a)}


def submission_item(s: Submission) -> Item:
    key = keys.submission_key(s.course_id, s.assignment_id, s.learner_id)
    return {**key, **SUBMISSION.attributes(s)}
