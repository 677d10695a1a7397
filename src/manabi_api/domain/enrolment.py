"""Enrolment and progress (APP-CRS-02, APP-CRS-03): learners enrol in published courses and mark
lessons complete; teachers see their learners' progress."""

from __future__ import annotations

from typing import NamedTuple

from manabi_api.domain.access import managed_course, visible_course
from manabi_api.kernel.courses import Course, CourseStatus
from manabi_api.kernel.enrolment import Enrolment, Progress, progress_of
from manabi_api.kernel.errors import Conflict, Forbidden, NotFound
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import MAX_NAMED_PAGE, Person
from manabi_api.kernel.principal import Group, Principal
from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock

MAX_MY_PAGE = 50  # a course and its outline each: one BatchGetItem takes 100 keys


class MyCourse(NamedTuple):
    """A learner's enrolment with the course as it is now and their progress in it."""

    enrolment: Enrolment
    course: Course
    progress: Progress
    next_lesson_id: str | None


def next_lesson(enrolment: Enrolment, lesson_ids: list[str]) -> str | None:
    """The first lesson of the course order the learner has not completed."""
    return next((lid for lid in lesson_ids if lid not in enrolment.completed), None)


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
            self._store.enrol(enrolment, Person(learner.user_id, learner.name, learner.email, now))
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
    ) -> Page[tuple[Progress, Person]]:
        """A teacher's view of a course: every enrolment with its progress and the learner's
        name and e-mail (APP-CRS-03). The page is read first, then the course, its outline and
        the page's people in one transaction; nothing is shown before the access check."""
        page = self._store.enrolments(course_id, min(limit, MAX_NAMED_PAGE), cursor)
        learners = tuple(e.learner_id for e in page.items)
        snapshot = self._store.load(course_id, outline=True, people=learners)
        managed_course(principal, snapshot.course, course_id)
        outline = snapshot.outline.lesson_ids if snapshot.outline else []
        rows = [(progress_of(e, outline), snapshot.person(e.learner_id)) for e in page.items]
        return Page(rows, page.next_cursor)

    def mine(self, learner: Principal, limit: int, cursor: str | None) -> Page[MyCourse]:
        """The caller's courses as they are now (title, status) with their progress."""
        if Group.LEARNERS not in learner.groups:
            return Page([], None)
        page = self._store.learner_enrolments(learner.user_id, min(limit, MAX_MY_PAGE), cursor)
        current = self._store.courses([e.course_id for e in page.items])
        rows = []
        for enrolment in page.items:
            if enrolment.course_id not in current:
                continue  # a course no longer stored
            course, outline = current[enrolment.course_id]
            progress = progress_of(enrolment, outline.lesson_ids)
            rows.append(
                MyCourse(enrolment, course, progress, next_lesson(enrolment, outline.lesson_ids))
            )
        return Page(rows, page.next_cursor)

    def rename(self, person: Principal, name: str) -> Person:
        """The caller's name as teachers see it from now on (APP-ACC-01): their profile, read by
        key beside every record that names them, so no copy is left with the old name. The SPA
        changes Cognito's `name` attribute itself (UpdateUserAttributes, its own token)."""
        profile = Person(person.user_id, name.strip(), person.email, self._clock.now_iso())
        self._store.save_person(profile)
        return profile
