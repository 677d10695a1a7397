"""Storage port of the learning platform. Implemented by the DynamoDB adapter and, in tests, by
an in-memory fake; both pass the same contract suite (tests/contract/).

The scan status of a submission is not written here: the scanner records verdicts itself, with
the one write both share (manabi_contract.table.scan_status_update)."""

from __future__ import annotations

import builtins
from typing import NamedTuple, Protocol

from manabi_api.kernel.assignments import Assignment, Submission
from manabi_api.kernel.courses import Course, CourseList, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import Person, unknown_person

NOBODY: dict[str, Person] = {}  # never mutated: the people of a snapshot that asked for none
NO_SUBMISSIONS: dict[str, Submission] = {}  # never mutated, likewise


class Snapshot(NamedTuple):
    """Everything a request needs to decide, read in one round trip (`LearningStore.load`)."""

    course: Course | None
    enrolment: Enrolment | None = None
    lesson: Lesson | None = None
    assignment: Assignment | None = None
    submission: Submission | None = None
    outline: Outline | None = None
    people: dict[str, Person] = NOBODY  # by user id; only those with a profile
    # The learner's submissions to the assignments asked for (`submissions_of`), by assignment
    # id; only those that exist.
    submissions: dict[str, Submission] = NO_SUBMISSIONS

    def person(self, user_id: str) -> Person:
        """The profile of a person asked for; without one, their id and no name or e-mail."""
        return self.people.get(user_id) or unknown_person(user_id)


class CourseRecords(NamedTuple):
    """What a course's grade export reads: its assignments, enrolments and submissions."""

    assignments: list[Assignment]
    enrolments: list[Enrolment]
    submissions: list[Submission]


class LearningStore(Protocol):
    # (`builtins.list` below: the method `list` shadows the builtin inside this class)

    # -- reads of one course's context (one round trip)
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
        """The course and, when asked, the learner's enrolment, a lesson, an assignment,
        (assignment_id and learner_id both given) the learner's submission, the profiles of
        `people` and (with learner_id) the learner's submissions to the assignments
        `submissions_of` (people and submissions: at most MAX_NAMED_PAGE together)."""

    # -- courses
    def add(self, course: Course) -> None:
        """Store a new course; raises Conflict if the id exists."""

    def get(self, course_id: str) -> Course | None: ...

    def courses(self, course_ids: builtins.list[str]) -> dict[str, tuple[Course, Outline]]:
        """The courses of these ids that exist, each with its outline (at most 50 ids: one
        round trip)."""

    def list(
        self,
        limit: int,
        cursor: str | None,
        which: CourseList = CourseList.ALL,
        owner_id: str | None = None,
    ) -> Page[Course]:
        """Newest first. `cursor` is opaque; a malformed one raises InvalidInput naming `cursor`."""

    def save(self, course: Course, expected_version: int) -> None:
        """Replace a course (and its list entries); StaleVersion unless stored at that version."""

    # -- lessons
    def add_lesson(self, lesson: Lesson) -> Outline:
        """Store a new lesson and append it to the course's outline, together."""

    def save_lesson(self, lesson: Lesson, expected_version: int) -> None: ...

    def delete_lesson(self, outline: Outline, lesson_id: str) -> Outline:
        """Delete the lesson and take it out of `outline` (as read) together; StaleVersion unless
        the stored outline is still at that version and holds the lesson. Returns the new one."""

    def lessons(self, course_id: str) -> tuple[Outline, builtins.list[Lesson]]:
        """The outline (lesson order and its version) and the lessons, in outline order."""

    def reorder(
        self, course_id: str, lesson_ids: builtins.list[str], expected_version: int
    ) -> Outline: ...

    # -- enrolment and progress
    def enrol(self, enrolment: Enrolment, learner: Person | None = None) -> None:
        """Store a new enrolment (course side and learner side together); Conflict if it exists.
        With `learner`, their profile is written too where they have none yet."""

    # -- people
    def save_person(self, person: Person) -> None:
        """Create or replace a person's profile."""

    def complete_lesson(self, enrolment: Enrolment, lesson_id: str, at: str) -> Enrolment:
        """Add the lesson to the learner's completed set (both enrolment items together)."""

    def enrolments(self, course_id: str, limit: int, cursor: str | None) -> Page[Enrolment]: ...

    def learner_enrolments(
        self, learner_id: str, limit: int, cursor: str | None
    ) -> Page[Enrolment]: ...

    # -- assignments and submissions
    def add_assignment(self, assignment: Assignment) -> None: ...

    def save_assignment(self, assignment: Assignment, expected_version: int) -> None:
        """Replace an assignment; StaleVersion unless stored at that version."""

    def delete_assignment(self, course_id: str, assignment_id: str, expected_version: int) -> None:
        """Delete an assignment (its submissions stay, unreachable; docs/decisions/0035);
        StaleVersion unless stored at that version."""

    def assignments(self, course_id: str, limit: int, cursor: str | None) -> Page[Assignment]: ...

    def save_submission(self, submission: Submission, expected_version: int | None) -> None:
        """Create (expected_version None: must not exist) or replace at that version."""

    def submissions(
        self, course_id: str, assignment_id: str, limit: int, cursor: str | None
    ) -> Page[Submission]: ...

    def records(self, course_id: str) -> CourseRecords:
        """Every assignment, enrolment and submission of a course (one Query of its partition;
        another page only past 1 MB)."""

    def count_upload(self, learner_id: str, hour: str, limit: int, expires_at: int) -> bool:
        """Count one upload of the learner in `hour` (YYYYMMDDHH) unless `limit` are counted
        already: then False and nothing is written. The counter expires at `expires_at` (epoch
        seconds; the table's TimeToLive deletes it)."""

    def probe(self) -> None:
        """Raise Throttled or Unavailable when the table cannot serve (the health check)."""
