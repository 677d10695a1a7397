"""The course storage contract. Subclassed by the in-memory fake's unit tests and the DynamoDB
adapter's integration tests, so the fake never drifts from the real adapter (MP-DDB-01)."""

from __future__ import annotations

import pytest

from manabi_api.domain.courses import Course, CourseStatus
from manabi_api.domain.errors import Conflict, InvalidInput
from manabi_api.ports.courses import CourseRepository


def make_course(n: int, owner: str = "teacher-1") -> Course:
    stamp = f"2026-04-01T09:00:{n:02d}.000Z"
    return Course(
        course_id=f"course-{n:03d}",
        title=f"コース {n}",
        description="説明",
        status=CourseStatus.DRAFT,
        owner_id=owner,
        created_at=stamp,
        updated_at=stamp,
        version=1,
    )


class CourseRepositoryContract:
    """Subclasses provide a `repository` fixture giving an empty store."""

    def test_added_course_can_be_read_back(self, repository: CourseRepository) -> None:
        course = make_course(1)
        repository.add(course)
        assert repository.get(course.course_id) == course

    def test_unknown_course_is_none(self, repository: CourseRepository) -> None:
        assert repository.get("missing") is None

    def test_adding_the_same_id_twice_conflicts_and_keeps_the_first(
        self, repository: CourseRepository
    ) -> None:
        first = make_course(1)
        repository.add(first)
        with pytest.raises(Conflict):
            repository.add(make_course(1, owner="someone-else"))
        assert repository.get(first.course_id) == first
        assert repository.list(limit=10, cursor=None).items == [first]

    def test_list_is_newest_first_and_pages_cover_everything_once(
        self, repository: CourseRepository
    ) -> None:
        courses = [make_course(n) for n in range(7)]
        for course in courses:
            repository.add(course)
        seen: list[Course] = []
        cursor: str | None = None
        for _ in range(10):
            page = repository.list(limit=3, cursor=cursor)
            assert len(page.items) <= 3
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == list(reversed(courses))

    def test_empty_store_lists_nothing(self, repository: CourseRepository) -> None:
        page = repository.list(limit=5, cursor=None)
        assert page.items == []
        assert page.next_cursor is None

    @pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjogMX0", "e30", "!" * 2000])
    def test_foreign_cursor_is_invalid_input_naming_cursor(
        self, repository: CourseRepository, cursor: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            repository.list(limit=5, cursor=cursor)
        assert [i.field for i in raised.value.issues] == ["cursor"]
