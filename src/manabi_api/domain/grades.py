"""A course's grades for its teacher (APP-ASG-04): every enrolled learner × every assignment,
with the learner's current name and e-mail, to take into the school's spreadsheets."""

from __future__ import annotations

from typing import NamedTuple

from manabi_api.domain.access import managed_course
from manabi_api.kernel.assignments import Assignment, Submission
from manabi_api.kernel.people import MAX_NAMED_PAGE, Person, unknown_person
from manabi_api.kernel.principal import Principal
from manabi_api.ports.learning import LearningStore


class GradeRow(NamedTuple):
    learner: Person
    assignment: Assignment
    submission: Submission | None  # None: nothing submitted


class GradeService:
    def __init__(self, store: LearningStore) -> None:
        self._store = store

    def export(self, principal: Principal, course_id: str) -> tuple[str, list[GradeRow]]:
        """The course title and its rows, by learner (enrolment order) then assignment (due
        date). One Query of the course, then its course item and the learners' profiles in
        transactions of at most MAX_NAMED_PAGE people (one for a class of up to 98)."""
        records = self._store.records(course_id)
        learners = [e.learner_id for e in records.enrolments]
        chunks = [learners[i : i + MAX_NAMED_PAGE] for i in range(0, len(learners), MAX_NAMED_PAGE)]
        first = self._store.load(course_id, people=tuple(chunks[0] if chunks else ()))
        course = managed_course(principal, first.course, course_id)  # before any more reads
        people = dict(first.people)
        for chunk in chunks[1:]:
            people |= self._store.load(course_id, people=tuple(chunk)).people
        submitted = {(s.assignment_id, s.learner_id): s for s in records.submissions}
        assignments = sorted(records.assignments, key=lambda a: (a.due_at, a.title))
        rows = [
            GradeRow(
                people.get(learner) or unknown_person(learner),
                assignment,
                submitted.get((assignment.assignment_id, learner)),
            )
            for learner in learners
            for assignment in assignments
        ]
        return course.title, rows
