"""Courses (APP-CRS-01): draft → published → archived, teacher-owned."""

from __future__ import annotations

from manabi_api.domain.access import editable_course, is_admin, managed_course, visible_course
from manabi_api.domain.identifiers import idempotent_id, same_request
from manabi_api.domain.learning import LearningService
from manabi_api.kernel.courses import (
    TRANSITIONS,
    Course,
    CourseChanges,
    CourseList,
    CourseStatus,
    NewCourse,
)
from manabi_api.kernel.errors import Conflict, Forbidden, NotFound
from manabi_api.kernel.paging import Page
from manabi_api.kernel.principal import Group, Principal


class CourseService(LearningService):
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
            same_request((existing.title, existing.description), (course.title, course.description))
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
        course = editable_course(principal, self._store.get(course_id), course_id, "be edited")
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
