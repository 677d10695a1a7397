"""Ownership rules: who may read or manage a course and its records (APP-SEC-01).

Group membership is checked once per route by the API layer (`api.requests.authorise`); these
functions add the ownership half, and every service calls them before touching data.
"""

from __future__ import annotations

from manabi_api.kernel.courses import Course, CourseStatus
from manabi_api.kernel.errors import Conflict, Forbidden, NotFound
from manabi_api.kernel.principal import Group, Principal
from manabi_api.ports.learning import Snapshot


def is_admin(principal: Principal) -> bool:
    return Group.ADMINS in principal.groups


def can_manage(principal: Principal, course: Course) -> bool:
    """The owning teacher, or an administrator."""
    return is_admin(principal) or (
        Group.TEACHERS in principal.groups and course.owner_id == principal.user_id
    )


def visible_course(principal: Principal, course: Course | None, course_id: str) -> Course:
    """Drafts exist only for their owner and admins; everyone else gets 404, not a hint."""
    hidden = course is not None and course.status is CourseStatus.DRAFT
    if course is None or (hidden and not can_manage(principal, course)):
        raise NotFound(f"Course {course_id} does not exist.")
    return course


def readable_course(principal: Principal, snapshot: Snapshot, course_id: str, what: str) -> Course:
    """A course whose content the caller may read: its teacher, an admin or an enrolled learner
    (`what` names the content refused to anybody else)."""
    course = visible_course(principal, snapshot.course, course_id)
    if not can_manage(principal, course) and snapshot.enrolment is None:
        raise Forbidden(f"Enrol in the course to {what}.")
    return course


def managed_course(principal: Principal, course: Course | None, course_id: str) -> Course:
    course = visible_course(principal, course, course_id)
    if not can_manage(principal, course):
        raise Forbidden("Only the course's teacher may do this.")
    return course


def editable_course(
    principal: Principal, course: Course | None, course_id: str, what: str
) -> Course:
    """A course its teacher may still change: not archived (`what` names the change refused)."""
    course = managed_course(principal, course, course_id)
    if course.status is CourseStatus.ARCHIVED:
        raise Conflict(f"An archived course cannot {what}.")
    return course
