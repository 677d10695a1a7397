"""In-memory course storage for unit tests.

It passes the same contract tests as the DynamoDB adapter, so the two never drift.
"""

from __future__ import annotations

from manabi_api.adapters.cursor import decode_cursor, encode_cursor
from manabi_api.domain.courses import Course
from manabi_api.domain.errors import Conflict
from manabi_api.ports.courses import CoursePage

_CURSOR_KEYS = frozenset({"after"})


class InMemoryCourseRepository:
    def __init__(self) -> None:
        self._courses: dict[str, Course] = {}

    def add(self, course: Course) -> None:
        if course.course_id in self._courses:
            raise Conflict(f"Course {course.course_id} exists already.")
        self._courses[course.course_id] = course

    def get(self, course_id: str) -> Course | None:
        return self._courses.get(course_id)

    def list(self, limit: int, cursor: str | None) -> CoursePage:
        ordered = sorted(
            self._courses.values(), key=lambda c: f"{c.created_at}#{c.course_id}", reverse=True
        )
        if cursor is not None:
            after = decode_cursor(cursor, _CURSOR_KEYS)["after"]
            ordered = [c for c in ordered if f"{c.created_at}#{c.course_id}" < after]
        page = ordered[:limit]
        more = len(ordered) > limit
        next_cursor = (
            encode_cursor({"after": f"{page[-1].created_at}#{page[-1].course_id}"})
            if more
            else None
        )
        return CoursePage(page, next_cursor)
