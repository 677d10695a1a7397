"""A course's lessons in their order (APP-CRS-01, APP-CRS-02): Markdown, teacher-edited."""

from __future__ import annotations

from manabi_api.domain.access import (
    editable_course,
    managed_course,
    readable_course,
    visible_course,
)
from manabi_api.domain.identifiers import idempotent_id, same_request
from manabi_api.domain.learning import LearningService
from manabi_api.kernel.courses import Lesson, LessonChanges, Outline
from manabi_api.kernel.errors import Conflict, FieldIssue, InvalidInput, NotFound, StaleVersion
from manabi_api.kernel.principal import Principal


class LessonService(LearningService):
    def outline(self, principal: Principal, course_id: str) -> tuple[Outline, list[Lesson]]:
        visible_course(principal, self._store.get(course_id), course_id)
        return self._store.lessons(course_id)

    def add(
        self,
        principal: Principal,
        course_id: str,
        title: str,
        body: str,
        idempotency_key: str | None = None,
    ) -> Lesson:
        course = self._store.get(course_id)
        editable_course(principal, course, course_id, "get new lessons")
        now = self._clock.now_iso()
        lesson_id = idempotent_id(self._ids, principal, f"lesson:{course_id}", idempotency_key)
        lesson = Lesson(course_id, lesson_id, title.strip(), body, now, now, 1)
        try:
            self._store.add_lesson(lesson)
        except Conflict:
            existing = self._store.load(course_id, lesson_id=lesson_id).lesson
            if idempotency_key is None or existing is None:
                raise
            same_request((existing.title, existing.body), (lesson.title, lesson.body))
            return existing
        return lesson

    def get(self, principal: Principal, course_id: str, lesson_id: str) -> Lesson:
        snapshot = self._store.load(course_id, learner_id=principal.user_id, lesson_id=lesson_id)
        readable_course(principal, snapshot, course_id, "read its lessons")
        if snapshot.lesson is None:
            raise NotFound(f"Lesson {lesson_id} does not exist.")
        return snapshot.lesson

    def update(
        self, principal: Principal, course_id: str, lesson_id: str, changes: LessonChanges
    ) -> Lesson:
        snapshot = self._store.load(course_id, lesson_id=lesson_id)
        editable_course(principal, snapshot.course, course_id, "be edited")
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
        self, principal: Principal, course_id: str, lesson_ids: list[str], version: int
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

    def delete(self, principal: Principal, course_id: str, lesson_id: str, version: int) -> Outline:
        """Delete a lesson at the outline's `version` (the order's, as for reordering): the
        lesson and its place in the order go together. Completions of it stay on enrolments but
        no longer count: progress counts only the lessons of the order."""
        snapshot = self._store.load(course_id, lesson_id=lesson_id, outline=True)
        editable_course(principal, snapshot.course, course_id, "be edited")
        if snapshot.lesson is None:
            raise NotFound(f"Lesson {lesson_id} does not exist.")
        current = snapshot.outline or Outline(course_id)
        if current.version != version:
            raise StaleVersion(f"The lesson order is at version {current.version}, not {version}.")
        return self._store.delete_lesson(current, lesson_id)
