"""Enrolment and progress (APP-CRS-02, APP-CRS-03): learners enrol in published courses and mark
lessons complete; teachers see their learners' progress."""

from __future__ import annotations

from manabi_api.domain.access import managed_course, visible_course
from manabi_api.kernel.courses import CourseStatus
from manabi_api.kernel.enrolment import Enrolment, Progress, progress_of
from manabi_api.kernel.errors import Conflict, Forbidden, NotFound
from manabi_api.kernel.paging import Page
from manabi_api.kernel.principal import Group, Principal
from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock


class EnrolmentService:
    def __init__(self, store: LearningStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    def enrol(self, learner: Principal, course_id: str) -> tuple[Enrolment, bool]:
        """Enrol (only in a published course); returns (enrolment, created). Enrolling again
        returns the existing enrolment unchanged."""
        snapshot = self._store.load(course_id, learner_id=learner.user_id)
        course = visible_course(learner, snapshot.course, course_id)
        if snapshot.enrolment is not None:
            return snapshot.enrolment, False
        if course.status is not CourseStatus.PUBLISHED:
            raise Conflict(f"The course is {course.status.value}; enrolment needs a published one.")
        now = self._clock.now_iso()
        enrolment = Enrolment(course_id, learner.user_id, course.title, now, now)
        try:
            self._store.enrol(enrolment)
        except Conflict:  # a concurrent retry enrolled first
            existing = self._store.load(course_id, learner_id=learner.user_id).enrolment
            if existing is None:
                raise
            return existing, False
        return enrolment, True

    def complete(self, learner: Principal, course_id: str, lesson_id: str) -> Progress:
        snapshot = self._store.load(
            course_id, learner_id=learner.user_id, lesson_id=lesson_id, outline=True
        )
        visible_course(learner, snapshot.course, course_id)
        if snapshot.enrolment is None:
            raise Forbidden("Enrol in the course first.")
        if snapshot.lesson is None:
            raise NotFound(f"Lesson {lesson_id} does not exist.")
        enrolment = self._store.complete_lesson(
            snapshot.enrolment, lesson_id, self._clock.now_iso()
        )
        outline = snapshot.outline.lesson_ids if snapshot.outline else []
        return progress_of(enrolment, outline)

    def progress(self, learner: Principal, course_id: str) -> Progress:
        snapshot = self._store.load(course_id, learner_id=learner.user_id, outline=True)
        visible_course(learner, snapshot.course, course_id)
        if snapshot.enrolment is None:
            raise Forbidden("You are not enrolled in this course.")
        outline = snapshot.outline.lesson_ids if snapshot.outline else []
        return progress_of(snapshot.enrolment, outline)

    def course_progress(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> Page[Progress]:
        """A teacher's view of a course: every enrolment with its progress (APP-CRS-03)."""
        snapshot = self._store.load(course_id, outline=True)
        managed_course(principal, snapshot.course, course_id)
        outline = snapshot.outline.lesson_ids if snapshot.outline else []
        page = self._store.enrolments(course_id, limit, cursor)
        return Page([progress_of(e, outline) for e in page.items], page.next_cursor)

    def mine(self, learner: Principal, limit: int, cursor: str | None) -> Page[Enrolment]:
        if Group.LEARNERS not in learner.groups:
            return Page([], None)
        return self._store.learner_enrolments(learner.user_id, limit, cursor)
