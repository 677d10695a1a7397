"""The API's routes: thin functions that parse, call the domain and shape the reply."""

from __future__ import annotations

from dataclasses import dataclass

from manabi_api.api.framework import QueryParam, Reply, Request, RestApi, RouteSpec, Rule
from manabi_api.domain.courses import Course, CourseService, NewCourse
from manabi_api.domain.principal import Group


@dataclass(frozen=True)
class Services:
    courses: CourseService


_TEACHING = Rule.members_of(Group.TEACHERS, Group.ADMINS)
_PROBLEMS = {400: "Problem", 401: "Problem", 403: "Problem"}
_PAGE_QUERY = (
    QueryParam("limit", "Page size (1–100, default 20).", integer=True, default=20),
    QueryParam("cursor", "The `nextCursor` of the previous page."),
)


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


def create_api(services: Services, allowed_origin: str | None) -> RestApi:
    api = RestApi(allowed_origin)

    @api.route(
        RouteSpec(
            "GET",
            "/health",
            "getHealth",
            "Liveness check",
            Rule.public(),
            {200: "Health"},
            tags=("system",),
        )
    )
    def health(_: Request) -> Reply:
        return Reply(200, {"status": "ok"})

    @api.route(
        RouteSpec(
            "GET",
            "/courses",
            "listCourses",
            "List courses, newest first",
            Rule.signed_in(),
            {200: "CoursePage", **_PROBLEMS},
            query=_PAGE_QUERY,
            tags=("courses",),
        )
    )
    def list_courses(request: Request) -> Reply:
        page = services.courses.list(request.query["limit"], request.query["cursor"])
        return Reply(
            200, {"items": [course_json(c) for c in page.items], "nextCursor": page.next_cursor}
        )

    @api.route(
        RouteSpec(
            "POST",
            "/courses",
            "createCourse",
            "Create a course (teachers and admins); it starts as a draft",
            _TEACHING,
            {201: "Course", **_PROBLEMS},
            body="CourseCreate",
            tags=("courses",),
        )
    )
    def create_course(request: Request) -> Reply:
        new = NewCourse(request.body["title"], request.body.get("description", ""))
        course = services.courses.create(request.require_principal(), new)
        return Reply(201, course_json(course), {"Location": f"/courses/{course.course_id}"})

    @api.route(
        RouteSpec(
            "GET",
            "/courses/{courseId}",
            "getCourse",
            "Get one course",
            Rule.signed_in(),
            {200: "Course", 404: "Problem", **_PROBLEMS},
            tags=("courses",),
        )
    )
    def get_course(request: Request) -> Reply:
        return Reply(200, course_json(services.courses.get(request.path["courseId"])))

    return api
