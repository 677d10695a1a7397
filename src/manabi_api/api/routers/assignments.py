"""A course's assignments (APP-ASG-01)."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routing import Reply, Request, ResourceRouter, page_json
from manabi_api.domain.assignments import AssignmentService
from manabi_api.kernel.assignments import Assignment, AssignmentChanges, NewAssignment

router: ResourceRouter[AssignmentService] = ResourceRouter("assignments")
ASSIGNMENTS = f"{COURSE}/assignments"
ASSIGNMENT = ASSIGNMENTS + "/{assignmentId}"


def assignment_json(a: Assignment) -> dict[str, object]:
    return {
        "courseId": a.course_id,
        "assignmentId": a.assignment_id,
        "title": a.title,
        "instructions": a.instructions,
        "dueAt": a.due_at,
        "createdAt": a.created_at,
        "updatedAt": a.updated_at,
        "version": a.version,
    }


@router.post(
    ASSIGNMENTS,
    "createAssignment",
    TEACHING,
    {201: "Assignment", **CHANGING},
    body="AssignmentCreate",
    idempotent=True,
)
def create_assignment(request: Request, assignments: AssignmentService) -> Reply:
    """Create an assignment (instructions, due date)"""
    body = request.body
    new = NewAssignment(body["title"], body["instructions"], body["dueAt"])
    assignment = assignments.create(request.caller, request.course_id, new, request.idempotency_key)
    location = f"/courses/{assignment.course_id}/assignments/{assignment.assignment_id}"
    return Reply(201, assignment_json(assignment), {"Location": location})


@router.get_page(ASSIGNMENTS, "listAssignments", SIGNED_IN, {200: "AssignmentPage", **FOUND})
def list_assignments(request: Request, assignments: AssignmentService) -> Reply:
    """The course's assignments"""
    listed = assignments.list(request.caller, request.course_id, *request.page)
    mine = listed.mine
    if mine is None:
        return Reply(200, page_json(listed.page, assignment_json))

    def with_mine(a: Assignment) -> dict[str, object]:
        own = mine.get(a.assignment_id)
        summary = None if own is None else {"status": own.status.value, "grade": own.grade}
        return {**assignment_json(a), "mySubmission": summary}

    return Reply(200, page_json(listed.page, with_mine))


@router.get(ASSIGNMENT, "getAssignment", SIGNED_IN, {200: "Assignment", **FOUND})
def get_assignment(request: Request, assignments: AssignmentService) -> Reply:
    """One assignment"""
    assignment = assignments.get(request.caller, request.course_id, request.assignment_id)
    return Reply(200, assignment_json(assignment))


@router.patch(
    ASSIGNMENT,
    "updateAssignment",
    TEACHING,
    {200: "Assignment", **CHANGING},
    body="AssignmentUpdate",
)
def update_assignment(request: Request, assignments: AssignmentService) -> Reply:
    """Edit an assignment's title, instructions or due date"""
    body = request.body
    changes = AssignmentChanges(
        body["version"], body.get("title"), body.get("instructions"), body.get("dueAt")
    )
    updated = assignments.update(request.caller, request.course_id, request.assignment_id, changes)
    return Reply(200, assignment_json(updated))


@router.delete(ASSIGNMENT, "deleteAssignment", TEACHING, {204: None, **CHANGING})
def delete_assignment(request: Request, assignments: AssignmentService) -> Reply:
    """Delete an assignment at its version (its submissions' files are kept, not served)"""
    assignments.delete(request.caller, request.course_id, request.assignment_id, request.version)
    return Reply(204)
