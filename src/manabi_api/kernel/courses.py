"""Courses and their ordered lessons (APP-CRS-01): draft → published → archived, teacher-owned."""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# The only allowed transitions of a course's status.
TRANSITIONS: dict[CourseStatus, CourseStatus] = {
    CourseStatus.DRAFT: CourseStatus.PUBLISHED,
    CourseStatus.PUBLISHED: CourseStatus.ARCHIVED,
}


class CourseList(StrEnum):
    """The course lists kept by the store (each a Query on one partition)."""

    ALL = "all"
    PUBLISHED = "published"
    OWNED = "mine"


class Course(NamedTuple):
    course_id: str
    title: str
    description: str
    status: CourseStatus
    owner_id: str
    created_at: str
    updated_at: str
    version: int


class NewCourse(NamedTuple):
    title: str
    description: str


class CourseChanges(NamedTuple):
    version: int
    title: str | None = None
    description: str | None = None


class Lesson(NamedTuple):
    course_id: str
    lesson_id: str
    title: str
    body: str  # Markdown
    created_at: str
    updated_at: str
    version: int


MAX_LESSONS = 100  # per course: keeps the outline item and the lesson Query small


class Outline(NamedTuple):
    """The order of a course's lessons; its version guards concurrent reordering."""

    course_id: str
    lesson_ids: list[str] = []  # noqa: RUF012 - never mutated: every change builds a new Outline
    version: int = 0

    def without(self, lesson_id: str) -> Outline:
        """The next version of the order, without this lesson."""
        remaining = [i for i in self.lesson_ids if i != lesson_id]
        return Outline(self.course_id, remaining, self.version + 1)


class LessonChanges(NamedTuple):
    version: int
    title: str | None = None
    body: str | None = None
