"""Courses: the first resource of the learning platform."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from manabi_api.domain.errors import NotFound
from manabi_api.domain.principal import Principal
from manabi_api.ports.courses import CoursePage, CourseRepository
from manabi_api.ports.runtime import Clock, IdGenerator


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class Course:
    course_id: str
    title: str
    description: str
    status: CourseStatus
    owner_id: str
    created_at: str
    updated_at: str
    version: int


@dataclass(frozen=True)
class NewCourse:
    title: str
    description: str


class CourseService:
    def __init__(self, repository: CourseRepository, clock: Clock, ids: IdGenerator) -> None:
        self._repository = repository
        self._clock = clock
        self._ids = ids

    def create(self, owner: Principal, new: NewCourse) -> Course:
        now = self._clock.now_iso()
        course = Course(
            course_id=self._ids.new_id(),
            title=new.title.strip(),
            description=new.description,
            status=CourseStatus.DRAFT,
            owner_id=owner.user_id,
            created_at=now,
            updated_at=now,
            version=1,
        )
        self._repository.add(course)
        return course

    def get(self, course_id: str) -> Course:
        course = self._repository.get(course_id)
        if course is None:
            raise NotFound(f"Course {course_id} does not exist.")
        return course

    def list(self, limit: int, cursor: str | None) -> CoursePage:
        return self._repository.list(limit=limit, cursor=cursor)
