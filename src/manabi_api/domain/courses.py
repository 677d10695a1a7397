"""Courses and their ordered lessons (APP-CRS-01): draft → published → archived, teacher-owned."""

from __future__ import annotations

import hashlib
from enum import StrEnum
from typing import NamedTuple

from manabi_api.domain.access import can_manage, is_admin, managed_course, visible_course
from manabi_api.domain.errors import (
    Conflict,
    FieldIssue,
    Forbidden,
    InvalidInput,
    NotFound,
    StaleVersion,
)
from manabi_api.domain.principal import Group, Principal
from manabi_api.ports.courses import CourseList, Ids, LearningStore, Lessons, Page
from manabi_api.ports.runtime import Clock, IdGenerator


class CourseStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


# The only allowed transitions of a course's status.
TRANSITIONS: dict[CourseStatus, CourseStatus] = {
    CourseStatus.DRAFT: CourseStatus.PUBLISHED,
    CourseStatus.PUBLISHED: CourseStatus.ARCHIVED,
}


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
    lesson_ids: Ids = []  # noqa: RUF012 - never mutated: every change builds a new Outline
    version: int = 0


class LessonChanges(NamedTuple):
    version: int
    title: str | None = None
    body: str | None = None


def idempotent_id(ids: IdGenerator, principal: Principal, scope: str, key: str | None) -> str:
    """A fresh id, or (with an Idempotency-Key) the same id for every retry of one request."""
    if key is None:
        return ids.new_id()
    return hashlib.sha256(f"{principal.user_id}\n{scope}\n{key}".encode()).hexdigest()[:32]


class CourseService:
    def __init__(self, repository: LearningStore, clock: Clock, ids: IdGenerator) -> None:
        self._store = repository
        self._clock = clock
        self._ids = ids

    # -- courses
    def create(
        self, owner: Principal, new: NewCourse, idempotency_key: str | None = None
    ) -> Course:
        now = self._clock.now_iso()
        course = Course(
            course_id=idempotent_id(self._ids, owner, "course", idempotency_key),
            title=new.title.strip(),
            description=new.description,
            status=CourseStatus.DRAFT,
            owner_id=owner.user_id,
            created_at=now,
            updated_at=now,
            version=1,
        )
        try:
            self._store.add(course)
        except Conflict:
            existing = self._store.get(course.course_id) if idempotency_key else None
            if existing is None or existing.owner_id != owner.user_id:
                raise
            return existing  # a retry of the same create
        return course

    def get(self, course_id: str, principal: Principal | None = None) -> Course:
        course = self._store.get(course_id)
        if principal is None:
            if course is None:
                raise NotFound(f"Course {course_id} does not exist.")
            return course
        return visible_course(principal, course, course_id)

    def list(
        self,
        limit: int,
        cursor: str | None,
        principal: Principal | None = None,
        scope: str | None = None,
    ) -> Page[Course]:
        """Learners see the published catalogue, teachers their own courses, admins all of them;
        `scope` picks another list the caller may see (`published`, `mine`, `all`)."""
        if principal is None:
            return self._store.list(limit=limit, cursor=cursor)
        if scope is None:
            if is_admin(principal):
                scope = CourseList.ALL
            elif Group.TEACHERS in principal.groups:
                scope = CourseList.OWNED
            else:
                scope = CourseList.PUBLISHED
        which = CourseList(scope)
        if which is CourseList.ALL and not is_admin(principal):
            raise Forbidden("Only administrators list every course.")
        if which is CourseList.OWNED and not principal.in_any(
            frozenset({Group.TEACHERS, Group.ADMINS})
        ):
            raise Forbidden("Only teachers own courses.")
        owner = principal.user_id if which is CourseList.OWNED else None
        return self._store.list(limit=limit, cursor=cursor, which=which, owner_id=owner)

    def update(self, principal: Principal, course_id: str, changes: CourseChanges) -> Course:
        course = managed_course(principal, self._store.get(course_id), course_id)
        if course.status is CourseStatus.ARCHIVED:
            raise Conflict("An archived course cannot be edited.")
        updated = course._replace(
            title=course.title if changes.title is None else changes.title.strip(),
            description=course.description if changes.description is None else changes.description,
            updated_at=self._clock.now_iso(),
            version=changes.version + 1,
        )
        self._store.save(updated, changes.version)
        return updated

    def transition(
        self, principal: Principal, course_id: str, target: CourseStatus, version: int
    ) -> Course:
        course = managed_course(principal, self._store.get(course_id), course_id)
        if TRANSITIONS.get(course.status) is not target:
            raise Conflict(f"A {course.status.value} course cannot become {target.value}.")
        updated = course._replace(
            status=target, updated_at=self._clock.now_iso(), version=version + 1
        )
        self._store.save(updated, version)
        return updated

    # -- lessons
    def outline(self, principal: Principal, course_id: str) -> tuple[Outline, Lessons]:
        visible_course(principal, self._store.get(course_id), course_id)
        return self._store.lessons(course_id)

    def add_lesson(
        self,
        principal: Principal,
        course_id: str,
        title: str,
        body: str,
        idempotency_key: str | None = None,
    ) -> Lesson:
        snapshot_course = self._store.get(course_id)
        course = managed_course(principal, snapshot_course, course_id)
        if course.status is CourseStatus.ARCHIVED:
            raise Conflict("An archived course cannot get new lessons.")
        now = self._clock.now_iso()
        lesson_id = idempotent_id(self._ids, principal, f"lesson:{course_id}", idempotency_key)
        lesson = Lesson(course_id, lesson_id, title.strip(), body, now, now, 1)
        try:
            self._store.add_lesson(lesson)
        except Conflict:
            existing = self._store.load(course_id, lesson_id=lesson_id).lesson
            if idempotency_key is None or existing is None:
                raise
            return existing
        return lesson

    def lesson(self, principal: Principal, course_id: str, lesson_id: str) -> Lesson:
        snapshot = self._store.load(course_id, learner_id=principal.user_id, lesson_id=lesson_id)
        course = visible_course(principal, snapshot.course, course_id)
        if not can_manage(principal, course) and snapshot.enrolment is None:
            raise Forbidden("Enrol in the course to read its lessons.")
        if snapshot.lesson is None:
            raise NotFound(f"Lesson {lesson_id} does not exist.")
        return snapshot.lesson

    def update_lesson(
        self, principal: Principal, course_id: str, lesson_id: str, changes: LessonChanges
    ) -> Lesson:
        snapshot = self._store.load(course_id, lesson_id=lesson_id)
        course = managed_course(principal, snapshot.course, course_id)
        if course.status is CourseStatus.ARCHIVED:
            raise Conflict("An archived course cannot be edited.")
        if snapshot.lesson is None:
            raise NotFound(f"Lesson {lesson_id} does not exist.")
        lesson = snapshot.lesson
        updated = lesson._replace(
            title=lesson.title if changes.title is None else changes.title.strip(),
            body=lesson.body if changes.body is None else changes.body,
            updated_at=self._clock.now_iso(),
            version=changes.version + 1,
        )
        self._store.save_lesson(updated, changes.version)
        return updated

    def reorder(
        self, principal: Principal, course_id: str, lesson_ids: Ids, version: int
    ) -> Outline:
        snapshot = self._store.load(course_id, outline=True)
        managed_course(principal, snapshot.course, course_id)
        current = snapshot.outline or Outline(course_id)
        if current.version != version:
            raise StaleVersion(f"The lesson order is at version {current.version}, not {version}.")
        if len(set(lesson_ids)) != len(lesson_ids) or set(lesson_ids) != set(current.lesson_ids):
            raise InvalidInput(
                "The new order must list every lesson of the course exactly once.",
                [FieldIssue("lessonIds", "must list every lesson exactly once", "permutation")],
            )
        return self._store.reorder(course_id, lesson_ids, version)
