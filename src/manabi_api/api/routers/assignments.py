"""A course's assignments (APP-ASG-01)."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routing import PAGE_QUERY, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.assignments import AssignmentService
from manabi_api.kernel.assignments import Assignment, NewAssignment

router: ResourceRouter[AssignmentService] = ResourceRouter("assignments")
ASSIGNMENT = COURSE + "/assignments/{assignmentId}"


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


@router.route(
    "POST",
    f"{COURSE}/assignments",
    "createAssignment",
    "Create an assignment (instructions, due date)",
    TEACHING,
    {201: "Assignment", **CHANGING},
    body="AssignmentCreate",
    idempotent=True,
)
def create_assignment(request: Request, assignments: AssignmentService) -> Reply:
    body = request.body
    assignment = assignments.create(
        request.caller,
        request.course_id,
        NewAssignment(body["title"], body["instructions"], body["dueAt"]),
        request.idempotency_key,
    )
    location = f"/courses/{assignment.course_id}/assignments/{assignment.assignment_id}"
    return Reply(201, assignment_json(assignment), {"Location": location})


@router.route(
    "GET",
    f"{COURSE}/assignments",
    "listAssignments",
    "The course's assignments",
    SIGNED_IN,
    {200: "AssignmentPage", **FOUND},
    query=PAGE_QUERY,
)
def list_assignments(request: Request, assignments: AssignmentService) -> Reply:
    page = assignments.list(request.caller, request.course_id, *request.page)
    return Reply(200, page_json(page, assignment_json))


@router.route(
    "GET", ASSIGNMENT, "getAssignment", "One assignment", SIGNED_IN, {200: "Assignment", **FOUND}
)
def get_assignment(request: Request, assignments: AssignmentService) -> Reply:
    assignment = assignments.get(request.caller, request.course_id, request.assignment_id)
    return Reply(200, assignment_json(assignment))
