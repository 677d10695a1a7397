"""Courses (APP-CRS-01, APP-CRS-02): the catalogue, a teacher's courses, their life cycle."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND, PROBLEMS
from manabi_api.api.routing import PAGE_QUERY, QueryParam, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.courses import CourseService
from manabi_api.kernel.courses import Course, CourseChanges, CourseStatus, NewCourse

router: ResourceRouter[CourseService] = ResourceRouter("courses")
COURSE = "/courses/{courseId}"


def course_json(course: Course) -> dict[str, object]:
    return {
        "courseId": course.course_id,
        "title": course.title,
        "description": course.description,
        "status": course.status.value,
        "ownerId": course.owner_id,
        "createdAt": course.created_at,
        "updatedAt": course.updated_at,
        "version": course.version,
    }


@router.route(
    "GET",
    "/courses",
    "listCourses",
    "List courses, newest first. Default list: learners the published catalogue, "
    "teachers their own courses, admins all; `scope` picks another visible list",
    SIGNED_IN,
    {200: "CoursePage", **PROBLEMS},
    query=(
        *PAGE_QUERY,
        QueryParam(
            "scope",
            "published (everyone), mine (teachers), all (admins)",
            choices=("published", "mine", "all"),
        ),
    ),
)
def list_courses(request: Request, courses: CourseService) -> Reply:
    page = courses.list(*request.page, request.caller, request.query["scope"])
    return Reply(200, page_json(page, course_json))


@router.route(
    "POST",
    "/courses",
    "createCourse",
    "Create a course (teachers and admins); it starts as a draft",
    TEACHING,
    {201: "Course", **PROBLEMS, 409: "Problem"},
    body="CourseCreate",
    idempotent=True,
)
def create_course(request: Request, courses: CourseService) -> Reply:
    new = NewCourse(request.body["title"], request.body.get("description", ""))
    course = courses.create(request.caller, new, request.idempotency_key)
    return Reply(201, course_json(course), {"Location": f"/courses/{course.course_id}"})


@router.route(
    "GET",
    COURSE,
    "getCourse",
    "Get one course (drafts: owner and admins only)",
    SIGNED_IN,
    {200: "Course", **FOUND},
)
def get_course(request: Request, courses: CourseService) -> Reply:
    course = courses.get(request.course_id, request.caller)
    return Reply(200, course_json(course))


@router.route(
    "PATCH",
    COURSE,
    "updateCourse",
    "Edit a course's title or description",
    TEACHING,
    {200: "Course", **CHANGING},
    body="CourseUpdate",
)
def update_course(request: Request, courses: CourseService) -> Reply:
    body = request.body
    changes = CourseChanges(body["version"], body.get("title"), body.get("description"))
    course = courses.update(request.caller, request.course_id, changes)
    return Reply(200, course_json(course))


for _action, _target in (("publish", CourseStatus.PUBLISHED), ("archive", CourseStatus.ARCHIVED)):

    def transition(
        request: Request, courses: CourseService, target: CourseStatus = _target
    ) -> Reply:
        course = courses.transition(
            request.caller, request.course_id, target, request.body["version"]
        )
        return Reply(200, course_json(course))

    router.route(
        "POST",
        f"{COURSE}/{_action}",
        f"{_action}Course",
        f"{_action.capitalize()} a course (draft → published → archived)",
        TEACHING,
        {200: "Course", **CHANGING},
        body="VersionOnly",
    )(transition)
