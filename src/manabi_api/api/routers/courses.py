"""Courses (APP-CRS-01, APP-CRS-02): the catalogue, a teacher's courses, their life cycle."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND, PROBLEMS
from manabi_api.api.routing import QueryParam, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.courses import CourseService
from manabi_api.kernel.courses import Course, CourseChanges, CourseStatus, NewCourse

router: ResourceRouter[CourseService] = ResourceRouter("courses")
COURSE = "/courses/{courseId}"
SCOPE = QueryParam(
    "scope",
    "published (everyone), mine (teachers), all (admins)",
    choices=("published", "mine", "all"),
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


@router.get_page(
    "/courses", "listCourses", SIGNED_IN, {200: "CoursePage", **PROBLEMS}, query=(SCOPE,)
)
def list_courses(request: Request, courses: CourseService) -> Reply:
    """List courses, newest first. Default list: learners the published catalogue, teachers their
    own courses, admins all; `scope` picks another visible list"""
    page = courses.list(*request.page, request.caller, request.query["scope"])
    return Reply(200, page_json(page, course_json))


@router.post(
    "/courses",
    "createCourse",
    TEACHING,
    {201: "Course", **PROBLEMS, 409: "Problem"},
    body="CourseCreate",
    idempotent=True,
)
def create_course(request: Request, courses: CourseService) -> Reply:
    """Create a course (teachers and admins); it starts as a draft"""
    new = NewCourse(request.body["title"], request.body.get("description", ""))
    course = courses.create(request.caller, new, request.idempotency_key)
    return Reply(201, course_json(course), {"Location": f"/courses/{course.course_id}"})


@router.get(COURSE, "getCourse", SIGNED_IN, {200: "Course", **FOUND})
def get_course(request: Request, courses: CourseService) -> Reply:
    """Get one course (drafts: owner and admins only)"""
    return Reply(200, course_json(courses.get(request.course_id, request.caller)))


@router.patch(COURSE, "updateCourse", TEACHING, {200: "Course", **CHANGING}, body="CourseUpdate")
def update_course(request: Request, courses: CourseService) -> Reply:
    """Edit a course's title or description"""
    body = request.body
    changes = CourseChanges(body["version"], body.get("title"), body.get("description"))
    return Reply(200, course_json(courses.update(request.caller, request.course_id, changes)))


def _transition(request: Request, courses: CourseService, target: CourseStatus) -> Reply:
    course = courses.transition(request.caller, request.course_id, target, request.body["version"])
    return Reply(200, course_json(course))


@router.post(
    f"{COURSE}/publish", "publishCourse", TEACHING, {200: "Course", **CHANGING}, body="VersionOnly"
)
def publish_course(request: Request, courses: CourseService) -> Reply:
    """Publish a course (draft → published → archived)"""
    return _transition(request, courses, CourseStatus.PUBLISHED)


@router.post(
    f"{COURSE}/archive", "archiveCourse", TEACHING, {200: "Course", **CHANGING}, body="VersionOnly"
)
def archive_course(request: Request, courses: CourseService) -> Reply:
    """Archive a course (draft → published → archived)"""
    return _transition(request, courses, CourseStatus.ARCHIVED)
