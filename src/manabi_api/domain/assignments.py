"""Assignments (APP-ASG-01): instructions and a due date, in a course its teacher manages."""

from __future__ import annotations

from typing import NamedTuple

from manabi_api.domain.access import editable_course, readable_course
from manabi_api.domain.identifiers import idempotent_id, same_request
from manabi_api.domain.learning import LearningService
from manabi_api.kernel.assignments import (
    Assignment,
    AssignmentChanges,
    NewAssignment,
    Submission,
)
from manabi_api.kernel.errors import Conflict, FieldIssue, InvalidInput, NotFound, StaleVersion
from manabi_api.kernel.instants import normalise_instant
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import MAX_NAMED_PAGE
from manabi_api.kernel.principal import Principal


class AssignmentList(NamedTuple):
    page: Page[Assignment]
    # An enrolled learner's own submissions by assignment id (those on the page that exist);
    # None for anybody else (the course's teacher, an admin).
    mine: dict[str, Submission] | None


def due_instant(text: str) -> str:
    """The due date as stored (UTC); InvalidInput naming `dueAt` when it has no offset."""
    try:
        return normalise_instant(text)
    except ValueError as error:
        raise InvalidInput(
            "The due date is not valid.",
            [FieldIssue("dueAt", "must be an RFC 3339 date-time with an offset", "format")],
        ) from error


class AssignmentService(LearningService):
    def create(
        self,
        principal: Principal,
        course_id: str,
        new: NewAssignment,
        idempotency_key: str | None = None,
    ) -> Assignment:
        due_at = due_instant(new.due_at)
        course = self._store.get(course_id)
        editable_course(principal, course, course_id, "get new assignments")
        now = self._clock.now_iso()
        assignment = Assignment(
            course_id,
            idempotent_id(self._ids, principal, f"assignment:{course_id}", idempotency_key),
            new.title.strip(),
            new.instructions,
            due_at,
            now,
            now,
            1,
        )
        try:
            self._store.add_assignment(assignment)
        except Conflict:
            existing = self._store.load(course_id, assignment_id=assignment.assignment_id)
            if idempotency_key is None or existing.assignment is None:
                raise
            stored = existing.assignment
            same_request(
                (stored.title, stored.instructions, stored.due_at),
                (assignment.title, assignment.instructions, assignment.due_at),
            )
            return stored
        return assignment

    def list(
        self, principal: Principal, course_id: str, limit: int, cursor: str | None
    ) -> AssignmentList:
        """The page is read first, then the course, the caller's enrolment and their own
        submissions to the page's assignments in one transaction (two round trips); nothing is
        returned before the access check. `mine` is None unless the caller is enrolled."""
        page = self._store.assignments(course_id, min(limit, MAX_NAMED_PAGE), cursor)
        snapshot = self._store.load(
            course_id,
            learner_id=principal.user_id,
            submissions_of=tuple(a.assignment_id for a in page.items),
        )
        readable_course(principal, snapshot, course_id, "see its assignments")
        return AssignmentList(page, None if snapshot.enrolment is None else snapshot.submissions)

    def get(self, principal: Principal, course_id: str, assignment_id: str) -> Assignment:
        snapshot = self._store.load(
            course_id, learner_id=principal.user_id, assignment_id=assignment_id
        )
        readable_course(principal, snapshot, course_id, "see its assignments")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        return snapshot.assignment

    def _editable(self, principal: Principal, course_id: str, assignment_id: str) -> Assignment:
        snapshot = self._store.load(course_id, assignment_id=assignment_id)
        editable_course(principal, snapshot.course, course_id, "be edited")
        if snapshot.assignment is None:
            raise NotFound(f"Assignment {assignment_id} does not exist.")
        return snapshot.assignment

    def update(
        self, principal: Principal, course_id: str, assignment_id: str, changes: AssignmentChanges
    ) -> Assignment:
        """Change the title, instructions or due date at `version` (optimistic, as lessons)."""
        due_at = None if changes.due_at is None else due_instant(changes.due_at)
        stored = self._editable(principal, course_id, assignment_id)
        if stored.version != changes.version:
            raise StaleVersion(
                f"Assignment {assignment_id} is at version {stored.version}, not {changes.version}."
            )
        updated = stored._replace(
            title=stored.title if changes.title is None else changes.title.strip(),
            instructions=stored.instructions
            if changes.instructions is None
            else changes.instructions,
            due_at=stored.due_at if due_at is None else due_at,
            updated_at=self._clock.now_iso(),
            version=changes.version + 1,
        )
        self._store.save_assignment(updated, changes.version)
        return updated

    def delete(
        self, principal: Principal, course_id: str, assignment_id: str, version: int
    ) -> None:
        """Delete an assignment at `version`. Its submissions are not deleted: their records and
        files are kept, no longer reachable through the API (docs/decisions/0035)."""
        stored = self._editable(principal, course_id, assignment_id)
        if stored.version != version:
            raise StaleVersion(
                f"Assignment {assignment_id} is at version {stored.version}, not {version}."
            )
        self._store.delete_assignment(course_id, assignment_id, version)
