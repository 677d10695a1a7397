"""In-memory learning store for unit tests.

It passes the same contract tests as the DynamoDB adapter (tests/contract/), so the two never
drift: same ordering, same pagination behaviour, same conflicts and version checks. Its cursors
are the adapter's (a partition and sort key of the table's layout), so a cursor is good for the
one list it came from, as on the table.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Iterable
from typing import TypeVar

from manabi_api.adapters.dynamodb import keys
from manabi_api.adapters.dynamodb.keys import SORT_KEY, Item
from manabi_api.kernel.assignments import Assignment, Submission, SubmissionStatus
from manabi_api.kernel.courses import MAX_LESSONS, Course, CourseList, CourseStatus, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.errors import Conflict, NotFound, StaleVersion
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import Person
from manabi_api.ports.learning import CourseRecords, Snapshot

T = TypeVar("T")


def _page(
    items: Iterable[T],
    key: Callable[[T], Item],
    partition: str,
    prefix: str,
    limit: int,
    cursor: str | None,
    *,
    newest_first: bool = False,
) -> Page[T]:
    """A Query on `partition` (the items, `key` giving each its table key) for the sort keys
    that begin with `prefix`: in sort-key order after the cursor's position; as with a Query's
    Limit, a page that reaches the limit has a cursor even when nothing follows."""

    def sort_key(item: T) -> str:
        return str(key(item)[SORT_KEY]["S"])

    ordered = sorted(items, key=sort_key, reverse=newest_first)
    if cursor is not None:
        after = keys.position_of(cursor, partition, prefix)[SORT_KEY]["S"]
        ordered = [
            i for i in ordered if (sort_key(i) < after if newest_first else sort_key(i) > after)
        ]
    page = ordered[:limit]
    if not page or len(page) < limit:
        return Page(page, None)
    return Page(page, keys.cursor_at(key(page[-1])))


# The table key of each listed entity, as the adapter stores it.
def _enrolment_key(e: Enrolment) -> Item:
    return keys.course_enrolment_key(e.course_id, e.learner_id)


def _learner_enrolment_key(e: Enrolment) -> Item:
    return keys.learner_enrolment_key(e.course_id, e.learner_id)


def _assignment_key(a: Assignment) -> Item:
    return keys.assignment_key(a.course_id, a.assignment_id)


def _submission_key(s: Submission) -> Item:
    return keys.submission_key(s.course_id, s.assignment_id, s.learner_id)


class InMemoryLearningStore:
    def __init__(self) -> None:
        self._courses: dict[str, Course] = {}
        self._lessons: dict[tuple[str, str], Lesson] = {}
        self._outlines: dict[str, Outline] = {}
        self._enrolments: dict[tuple[str, str], Enrolment] = {}
        self._assignments: dict[tuple[str, str], Assignment] = {}
        self._submissions: dict[tuple[str, str, str], Submission] = {}
        self._people: dict[str, Person] = {}
        self._uploads: dict[tuple[str, str], int] = {}

    def load(
        self,
        course_id: str,
        *,
        learner_id: str | None = None,
        lesson_id: str | None = None,
        assignment_id: str | None = None,
        outline: bool = False,
        people: tuple[str, ...] = (),
        submissions_of: tuple[str, ...] = (),
    ) -> Snapshot:
        return Snapshot(
            course=self._courses.get(course_id),
            enrolment=self._enrolments.get((course_id, learner_id)) if learner_id else None,
            lesson=self._lessons.get((course_id, lesson_id)) if lesson_id else None,
            assignment=(
                self._assignments.get((course_id, assignment_id)) if assignment_id else None
            ),
            submission=(
                self._submissions.get((course_id, assignment_id, learner_id))
                if assignment_id and learner_id
                else None
            ),
            outline=self._outlines.get(course_id, Outline(course_id)) if outline else None,
            people={u: self._people[u] for u in people if u in self._people},
            submissions={
                a: self._submissions[(course_id, a, learner_id)]
                for a in submissions_of
                if learner_id and (course_id, a, learner_id) in self._submissions
            },
        )

    # -- courses
    def add(self, course: Course) -> None:
        if course.course_id in self._courses:
            raise Conflict(f"Course {course.course_id} exists already.")
        self._courses[course.course_id] = course

    def get(self, course_id: str) -> Course | None:
        return self._courses.get(course_id)

    def courses(self, course_ids: builtins.list[str]) -> dict[str, tuple[Course, Outline]]:
        return {
            c: (self._courses[c], self._outlines.get(c, Outline(c)))
            for c in course_ids
            if c in self._courses
        }

    def list(
        self,
        limit: int,
        cursor: str | None,
        which: CourseList = CourseList.ALL,
        owner_id: str | None = None,
    ) -> Page[Course]:
        courses: Iterable[Course] = self._courses.values()
        partition = keys.ALL_COURSES
        if which is CourseList.PUBLISHED:
            courses = [c for c in courses if c.status is CourseStatus.PUBLISHED]
            partition = keys.PUBLISHED_COURSES
        elif which is CourseList.OWNED:
            courses = [c for c in courses if c.owner_id == (owner_id or "")]
            partition = keys.owned_courses(owner_id or "")

        def entry(course: Course) -> Item:
            return keys.key(
                partition, keys.course_list_sort_key(course.created_at, course.course_id)
            )

        return _page(courses, entry, partition, "", limit, cursor, newest_first=True)

    def save(self, course: Course, expected_version: int) -> None:
        # As the table's conditional write: a missing course is not at any version, and the
        # owner and creation time (the keys of its list entries) cannot change.
        stored = self._courses.get(course.course_id)
        if (
            stored is None
            or stored.version != expected_version
            or (stored.owner_id, stored.created_at) != (course.owner_id, course.created_at)
        ):
            raise StaleVersion(f"Course {course.course_id} is not at version {expected_version}")
        self._courses[course.course_id] = course

    # -- lessons
    def add_lesson(self, lesson: Lesson) -> Outline:
        key = (lesson.course_id, lesson.lesson_id)
        current = self._outlines.get(lesson.course_id, Outline(lesson.course_id))
        if key in self._lessons or len(current.lesson_ids) >= MAX_LESSONS:
            # One detail for both, as the adapter's one transaction cannot tell them apart.
            raise Conflict(
                f"Lesson {lesson.lesson_id} exists already, or the course has "
                f"{MAX_LESSONS} lessons."
            )
        outline = Outline(
            lesson.course_id, [*current.lesson_ids, lesson.lesson_id], current.version + 1
        )
        self._lessons[key] = lesson
        self._outlines[lesson.course_id] = outline
        return Outline(lesson.course_id, [lesson.lesson_id])  # as the adapter: the new id only

    def save_lesson(self, lesson: Lesson, expected_version: int) -> None:
        stored = self._lessons.get((lesson.course_id, lesson.lesson_id))
        if stored is None or stored.version != expected_version:  # missing: at no version
            raise StaleVersion(f"Lesson {lesson.lesson_id} is not at version {expected_version}.")
        self._lessons[(lesson.course_id, lesson.lesson_id)] = lesson

    def delete_lesson(self, outline: Outline, lesson_id: str) -> Outline:
        course_id, expected_version = outline.course_id, outline.version
        stored = self._outlines.get(course_id, Outline(course_id))
        if stored.version != expected_version or lesson_id not in stored.lesson_ids:
            raise StaleVersion(f"The lesson order is not at version {expected_version}.")
        if (course_id, lesson_id) not in self._lessons:
            raise StaleVersion(f"The lesson order is not at version {expected_version}.")
        remaining = stored.without(lesson_id)
        del self._lessons[(course_id, lesson_id)]
        self._outlines[course_id] = remaining
        return remaining

    def lessons(self, course_id: str) -> tuple[Outline, builtins.list[Lesson]]:
        outline = self._outlines.get(course_id, Outline(course_id))
        stored = (self._lessons.get((course_id, lid)) for lid in outline.lesson_ids)
        return outline, [lesson for lesson in stored if lesson is not None]

    def reorder(
        self, course_id: str, lesson_ids: builtins.list[str], expected_version: int
    ) -> Outline:
        current = self._outlines.get(course_id, Outline(course_id))
        if current.version != expected_version:
            raise StaleVersion(
                "The order changed."
                if expected_version == 0
                else f"The lesson order is not at version {expected_version}."
            )
        outline = Outline(course_id, list(lesson_ids), expected_version + 1)
        self._outlines[course_id] = outline
        return outline

    # -- enrolment and progress
    def enrol(self, enrolment: Enrolment, learner: Person | None = None) -> None:
        key = (enrolment.course_id, enrolment.learner_id)
        if key in self._enrolments:
            raise Conflict("Already enrolled.")
        self._enrolments[key] = enrolment
        if learner is not None:
            self._people.setdefault(learner.user_id, learner)

    def save_person(self, person: Person) -> None:
        self._people[person.user_id] = person

    def complete_lesson(self, enrolment: Enrolment, lesson_id: str, at: str) -> Enrolment:
        course_id, learner_id = enrolment.course_id, enrolment.learner_id
        stored = self._enrolments.get((course_id, learner_id))
        if stored is None:
            raise NotFound("Not enrolled.")
        updated = stored._replace(completed=stored.completed | {lesson_id}, updated_at=at)
        self._enrolments[(course_id, learner_id)] = updated
        # As the adapter (a transaction returns no items): the given enrolment plus the lesson.
        return enrolment._replace(updated_at=at, completed=enrolment.completed | {lesson_id})

    def enrolments(self, course_id: str, limit: int, cursor: str | None) -> Page[Enrolment]:
        items = [e for (cid, _), e in self._enrolments.items() if cid == course_id]
        partition = keys.course_partition(course_id)
        return _page(items, _enrolment_key, partition, keys.ENROLMENTS, limit, cursor)

    def learner_enrolments(
        self, learner_id: str, limit: int, cursor: str | None
    ) -> Page[Enrolment]:
        items = [e for (_, lid), e in self._enrolments.items() if lid == learner_id]
        partition = keys.learner_partition(learner_id)
        return _page(items, _learner_enrolment_key, partition, keys.ENROLMENTS, limit, cursor)

    # -- assignments and submissions
    def add_assignment(self, assignment: Assignment) -> None:
        key = (assignment.course_id, assignment.assignment_id)
        if key in self._assignments:
            raise Conflict(f"Assignment {assignment.assignment_id} exists already.")
        self._assignments[key] = assignment

    def save_assignment(self, assignment: Assignment, expected_version: int) -> None:
        key = (assignment.course_id, assignment.assignment_id)
        stored = self._assignments.get(key)
        if stored is None or stored.version != expected_version:
            raise StaleVersion(
                f"Assignment {assignment.assignment_id} is not at version {expected_version}."
            )
        self._assignments[key] = assignment

    def delete_assignment(self, course_id: str, assignment_id: str, expected_version: int) -> None:
        stored = self._assignments.get((course_id, assignment_id))
        if stored is None or stored.version != expected_version:
            raise StaleVersion(f"Assignment {assignment_id} is not at version {expected_version}.")
        del self._assignments[(course_id, assignment_id)]

    def assignments(self, course_id: str, limit: int, cursor: str | None) -> Page[Assignment]:
        items = [a for (cid, _), a in self._assignments.items() if cid == course_id]
        partition = keys.course_partition(course_id)
        return _page(items, _assignment_key, partition, keys.ASSIGNMENTS, limit, cursor)

    def save_submission(self, submission: Submission, expected_version: int | None) -> None:
        key = (submission.course_id, submission.assignment_id, submission.learner_id)
        stored = self._submissions.get(key)
        # expected_version None: there must be none yet (the adapter's attribute_not_exists)
        if (None if stored is None else stored.version) != expected_version:
            raise StaleVersion("The submission changed meanwhile.")
        self._submissions[key] = submission

    def submissions(
        self, course_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> Page[Submission]:
        items = [
            s
            for (cid, aid, _), s in self._submissions.items()
            if (cid, aid) == (course_id, assignment_id)
        ]
        partition, prefix = keys.course_partition(course_id), keys.submissions_of(assignment_id)
        return _page(items, _submission_key, partition, prefix, limit, cursor)

    def set_scan_status(
        self,
        course_id: str,
        assignment_id: str,
        learner_id: str,
        status: SubmissionStatus,
        object_key: str | None = None,
    ) -> None:
        key = (course_id, assignment_id, learner_id)
        stored = self._submissions.get(key)
        if (
            stored is None
            or stored.status is SubmissionStatus.INFECTED
            or (object_key is not None and stored.object_key != object_key)
        ):
            raise NotFound("No such submission (or its verdict is final).")
        self._submissions[key] = stored._replace(status=status, version=stored.version + 1)

    def records(self, course_id: str) -> CourseRecords:
        def of(found: dict[tuple[str, ...], T]) -> builtins.list[T]:
            return [value for key, value in sorted(found.items()) if key[0] == course_id]

        return CourseRecords(of(self._assignments), of(self._enrolments), of(self._submissions))

    def count_upload(self, learner_id: str, hour: str, limit: int, expires_at: int) -> bool:
        counted = self._uploads.get((learner_id, hour), 0)
        if counted >= limit:
            return False
        self._uploads[(learner_id, hour)] = counted + 1
        return True

    def probe(self) -> None:
        """Always answers (tests that need a failing dependency replace it)."""
