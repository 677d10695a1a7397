"""Storage port for courses. Implemented by the DynamoDB adapter and the in-memory fake."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from manabi_api.domain.courses import Course


@dataclass(frozen=True)
class CoursePage:
    items: list[Course]
    next_cursor: str | None


class CourseRepository(Protocol):
    def add(self, course: Course) -> None:
        """Store a new course; raises Conflict if the id exists."""

    def get(self, course_id: str) -> Course | None: ...

    def list(self, limit: int, cursor: str | None) -> CoursePage:
        """Newest first. `cursor` is opaque; a malformed one raises InvalidInput naming `cursor`."""
