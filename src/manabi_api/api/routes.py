"""The API's routes: thin functions that parse, call the domain and shape the reply.

Updates carry the `version` the client last read in the body (optimistic concurrency: a stale
version is a 409 problem). Creates that a retry could duplicate accept an `Idempotency-Key`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from manabi_api.api.framework import QueryParam, Reply, Request, RestApi, RouteSpec, Rule
from manabi_api.domain.assignments import (
    Assignment,
    AssignmentService,
    FileMetadata,
    NewAssignment,
    Submission,
    UploadTicket,
)
from manabi_api.domain.courses import (
    Course,
    CourseChanges,
    CourseService,
    CourseStatus,
    Lesson,
    LessonChanges,
    NewCourse,
)
from manabi_api.domain.enrolment import Enrolment, EnrolmentService, Progress, progress_of
from manabi_api.domain.errors import FieldIssue, InvalidInput
from manabi_api.domain.principal import Group
from manabi_api.domain.users import UserAdminService
from manabi_api.ports.users import DirectoryUser


@dataclass(frozen=True)
class Services:
    courses: CourseService
    enrolment: EnrolmentService
    assignments: AssignmentService
    users: UserAdminService


_SIGNED_IN = Rule.signed_in()
_TEACHING = Rule.members_of(Group.TEACHERS, Group.ADMINS)
_LEARNING = Rule.members_of(Group.LEARNERS)
_ADMINS = Rule.members_of(Group.ADMINS)
_PROBLEMS: dict[int, str | None] = {400: "Problem", 401: "Problem", 403: "Problem"}
_FOUND = {**_PROBLEMS, 404: "Problem"}
_CHANGING = {**_FOUND, 409: "Problem"}
_PAGE_QUERY = (
    QueryParam("limit", "Page size (1–100, default 20).", integer=True, default=20),
    QueryParam("cursor", "The `nextCursor` of the previous page."),
)
_COURSE = "/courses/{courseId}"
_LESSON = _COURSE + "/lessons/{lessonId}"
_ASSIGNMENT = _COURSE + "/assignments/{assignmentId}"


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


def lesson_json(lesson: Lesson) -> dict[str, object]:
    return {
        "courseId": lesson.course_id,
        "lessonId": lesson.lesson_id,
        "title": lesson.title,
        "body": lesson.body,
        "createdAt": lesson.created_at,
        "updatedAt": lesson.updated_at,
        "version": lesson.version,
    }


def enrolment_json(enrolment: Enrolment) -> dict[str, object]:
    return {
        "courseId": enrolment.course_id,
        "learnerId": enrolment.learner_id,
        "courseTitle": enrolment.course_title,
        "enrolledAt": enrolment.enrolled_at,
        "updatedAt": enrolment.updated_at,
        "completedLessonIds": sorted(enrolment.completed),
    }


def progress_json(progress: Progress) -> dict[str, object]:
    return {
        "courseId": progress.course_id,
        "learnerId": progress.learner_id,
        "completedLessonIds": progress.completed_lesson_ids,
        "completedLessons": len(progress.completed_lesson_ids),
        "totalLessons": progress.total_lessons,
        "percent": progress.percent,
    }


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


def submission_json(s: Submission) -> dict[str, object]:
    return {
        "courseId": s.course_id,
        "assignmentId": s.assignment_id,
        "learnerId": s.learner_id,
        "fileName": s.file_name,
        "contentType": s.content_type,
        "sizeBytes": s.size_bytes,
        "status": s.status.value,
        "attempt": s.attempt,
        "submittedAt": s.submitted_at,
        "grade": s.grade,
        "feedback": s.feedback,
        "gradedAt": s.graded_at,
        "version": s.version,
    }


def upload_json(t: UploadTicket) -> dict[str, object]:
    return {
        "uploadId": t.upload_id,
        "key": t.key,
        "url": t.url,
        "fields": t.fields,
        "expiresAt": t.expires_at,
        "maxBytes": t.max_bytes,
    }


def user_json(u: DirectoryUser) -> dict[str, object]:
    return {
        "username": u.username,
        "userId": u.user_id,
        "email": u.email,
        "enabled": u.enabled,
        "status": u.status,
        "groups": sorted(g.value for g in u.groups),
        "createdAt": u.created_at,
    }


def _page(items: list[dict[str, object]], cursor: str | None) -> dict[str, object]:
    return {"items": items, "nextCursor": cursor}


def _spec(
    method: str,
    path: str,
    operation_id: str,
    summary: str,
    rule: Rule,
    responses: dict[int, str | None],
    **options: Any,
) -> RouteSpec:
    return RouteSpec(method, path, operation_id, summary, rule, responses, **options)


def create_api(
    services: Services, allowed_origin: str | None, accept_emulator_tokens: bool = False
) -> RestApi:
    api = RestApi(allowed_origin, accept_emulator_tokens)
    courses, enrolment, assignments = services.courses, services.enrolment, services.assignments

    @api.route(
        _spec(
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

    # -- courses (APP-CRS-01, APP-CRS-02)
    @api.route(
        _spec(
            "GET",
            "/courses",
            "listCourses",
            "List courses, newest first. Default list: learners the published catalogue, "
            "teachers their own courses, admins all; `scope` picks another visible list",
            _SIGNED_IN,
            {200: "CoursePage", **_PROBLEMS},
            query=(
                *_PAGE_QUERY,
                QueryParam(
                    "scope",
                    "published (everyone), mine (teachers), all (admins)",
                    choices=("published", "mine", "all"),
                ),
            ),
            tags=("courses",),
        )
    )
    def list_courses(request: Request) -> Reply:
        page = courses.list(
            request.query["limit"],
            request.query["cursor"],
            request.require_principal(),
            request.query["scope"],
        )
        return Reply(200, _page([course_json(c) for c in page.items], page.next_cursor))

    @api.route(
        _spec(
            "POST",
            "/courses",
            "createCourse",
            "Create a course (teachers and admins); it starts as a draft",
            _TEACHING,
            {201: "Course", **_PROBLEMS, 409: "Problem"},
            body="CourseCreate",
            idempotent=True,
            tags=("courses",),
        )
    )
    def create_course(request: Request) -> Reply:
        new = NewCourse(request.body["title"], request.body.get("description", ""))
        course = courses.create(request.require_principal(), new, request.idempotency_key)
        return Reply(201, course_json(course), {"Location": f"/courses/{course.course_id}"})

    @api.route(
        _spec(
            "GET",
            _COURSE,
            "getCourse",
            "Get one course (drafts: owner and admins only)",
            _SIGNED_IN,
            {200: "Course", **_FOUND},
            tags=("courses",),
        )
    )
    def get_course(request: Request) -> Reply:
        course = courses.get(request.path["courseId"], request.require_principal())
        return Reply(200, course_json(course))

    @api.route(
        _spec(
            "PATCH",
            _COURSE,
            "updateCourse",
            "Edit a course's title or description",
            _TEACHING,
            {200: "Course", **_CHANGING},
            body="CourseUpdate",
            tags=("courses",),
        )
    )
    def update_course(request: Request) -> Reply:
        body = request.body
        changes = CourseChanges(body["version"], body.get("title"), body.get("description"))
        course = courses.update(request.require_principal(), request.path["courseId"], changes)
        return Reply(200, course_json(course))

    for action, target in (("publish", CourseStatus.PUBLISHED), ("archive", CourseStatus.ARCHIVED)):

        def transition(request: Request, target: CourseStatus = target) -> Reply:
            course = courses.transition(
                request.require_principal(),
                request.path["courseId"],
                target,
                request.body["version"],
            )
            return Reply(200, course_json(course))

        api.route(
            _spec(
                "POST",
                f"{_COURSE}/{action}",
                f"{action}Course",
                f"{action.capitalize()} a course (draft → published → archived)",
                _TEACHING,
                {200: "Course", **_CHANGING},
                body="VersionOnly",
                tags=("courses",),
            )
        )(transition)

    # -- lessons (APP-CRS-01, APP-CRS-02)
    @api.route(
        _spec(
            "GET",
            f"{_COURSE}/lessons",
            "listLessons",
            "The course's lessons in order (titles; bodies via getLesson)",
            _SIGNED_IN,
            {200: "Outline", **_FOUND},
            tags=("lessons",),
        )
    )
    def list_lessons(request: Request) -> Reply:
        course_id = request.path["courseId"]
        outline, lessons = courses.outline(request.require_principal(), course_id)
        summaries = [
            {
                "lessonId": lesson.lesson_id,
                "title": lesson.title,
                "position": position,
                "updatedAt": lesson.updated_at,
                "version": lesson.version,
            }
            for position, lesson in enumerate(lessons, start=1)
        ]
        return Reply(200, {"courseId": course_id, "lessons": summaries, "version": outline.version})

    @api.route(
        _spec(
            "POST",
            f"{_COURSE}/lessons",
            "createLesson",
            "Add a lesson at the end",
            _TEACHING,
            {201: "Lesson", **_CHANGING},
            body="LessonCreate",
            idempotent=True,
            tags=("lessons",),
        )
    )
    def create_lesson(request: Request) -> Reply:
        lesson = courses.add_lesson(
            request.require_principal(),
            request.path["courseId"],
            request.body["title"],
            request.body["body"],
            request.idempotency_key,
        )
        location = f"/courses/{lesson.course_id}/lessons/{lesson.lesson_id}"
        return Reply(201, lesson_json(lesson), {"Location": location})

    @api.route(
        _spec(
            "GET",
            _LESSON,
            "getLesson",
            "Read a lesson (enrolled learners, the teacher)",
            _SIGNED_IN,
            {200: "Lesson", **_FOUND},
            tags=("lessons",),
        )
    )
    def get_lesson(request: Request) -> Reply:
        lesson = courses.lesson(
            request.require_principal(), request.path["courseId"], request.path["lessonId"]
        )
        return Reply(200, lesson_json(lesson))

    @api.route(
        _spec(
            "PATCH",
            _LESSON,
            "updateLesson",
            "Edit a lesson's title or Markdown body",
            _TEACHING,
            {200: "Lesson", **_CHANGING},
            body="LessonUpdate",
            tags=("lessons",),
        )
    )
    def update_lesson(request: Request) -> Reply:
        body = request.body
        lesson = courses.update_lesson(
            request.require_principal(),
            request.path["courseId"],
            request.path["lessonId"],
            LessonChanges(body["version"], body.get("title"), body.get("body")),
        )
        return Reply(200, lesson_json(lesson))

    @api.route(
        _spec(
            "PUT",
            f"{_COURSE}/lesson-order",
            "reorderLessons",
            "Put the lessons in a new order (every lesson exactly once)",
            _TEACHING,
            {200: "LessonOrder", **_CHANGING},
            body="LessonOrder",
            tags=("lessons",),
        )
    )
    def reorder_lessons(request: Request) -> Reply:
        outline = courses.reorder(
            request.require_principal(),
            request.path["courseId"],
            request.body["lessonIds"],
            request.body["version"],
        )
        return Reply(200, {"lessonIds": outline.lesson_ids, "version": outline.version})

    # -- enrolment and progress (APP-CRS-02, APP-CRS-03)
    @api.route(
        _spec(
            "POST",
            f"{_COURSE}/enrolment",
            "enrol",
            "Enrol in a published course (201; 200 when already enrolled)",
            _LEARNING,
            {200: "Enrolment", 201: "Enrolment", **_CHANGING},
            tags=("enrolment",),
        )
    )
    def enrol(request: Request) -> Reply:
        created_enrolment, created = enrolment.enrol(
            request.require_principal(), request.path["courseId"]
        )
        return Reply(201 if created else 200, enrolment_json(created_enrolment))

    @api.route(
        _spec(
            "GET",
            "/me/enrolments",
            "listMyEnrolments",
            "The caller's enrolments",
            _SIGNED_IN,
            {200: "EnrolmentPage", **_PROBLEMS},
            query=_PAGE_QUERY,
            tags=("enrolment",),
        )
    )
    def my_enrolments(request: Request) -> Reply:
        page = enrolment.mine(
            request.require_principal(), request.query["limit"], request.query["cursor"]
        )
        return Reply(200, _page([enrolment_json(e) for e in page.items], page.next_cursor))

    @api.route(
        _spec(
            "GET",
            f"{_COURSE}/enrolments",
            "listCourseEnrolments",
            "The course's learners and their progress (the course's teacher)",
            _TEACHING,
            {200: "ProgressPage", **_FOUND},
            query=_PAGE_QUERY,
            tags=("enrolment",),
        )
    )
    def course_enrolments(request: Request) -> Reply:
        page, outline = enrolment.course_enrolments(
            request.require_principal(),
            request.path["courseId"],
            request.query["limit"],
            request.query["cursor"],
        )
        items = [progress_json(progress_of(e, outline)) for e in page.items]
        return Reply(200, _page(items, page.next_cursor))

    @api.route(
        _spec(
            "PUT",
            f"{_LESSON}/completion",
            "completeLesson",
            "Mark a lesson complete (idempotent); returns the course progress",
            _LEARNING,
            {200: "Progress", **_FOUND},
            tags=("enrolment",),
        )
    )
    def complete_lesson(request: Request) -> Reply:
        progress = enrolment.complete(
            request.require_principal(), request.path["courseId"], request.path["lessonId"]
        )
        return Reply(200, progress_json(progress))

    @api.route(
        _spec(
            "GET",
            f"{_COURSE}/progress",
            "getMyProgress",
            "The caller's progress in a course",
            _LEARNING,
            {200: "Progress", **_FOUND},
            tags=("enrolment",),
        )
    )
    def my_progress(request: Request) -> Reply:
        progress = enrolment.progress(request.require_principal(), request.path["courseId"])
        return Reply(200, progress_json(progress))

    # -- assignments and submissions (APP-ASG-01..03, metadata)
    @api.route(
        _spec(
            "POST",
            f"{_COURSE}/assignments",
            "createAssignment",
            "Create an assignment (instructions, due date)",
            _TEACHING,
            {201: "Assignment", **_CHANGING},
            body="AssignmentCreate",
            idempotent=True,
            tags=("assignments",),
        )
    )
    def create_assignment(request: Request) -> Reply:
        from manabi_api.domain.assignments import normalise_instant

        body = request.body
        try:
            normalise_instant(body["dueAt"])
        except ValueError as error:
            raise InvalidInput(
                "The due date is not valid.",
                [FieldIssue("dueAt", "must be an RFC 3339 date-time with an offset", "format")],
            ) from error
        assignment = assignments.create(
            request.require_principal(),
            request.path["courseId"],
            NewAssignment(body["title"], body["instructions"], body["dueAt"]),
            request.idempotency_key,
        )
        location = f"/courses/{assignment.course_id}/assignments/{assignment.assignment_id}"
        return Reply(201, assignment_json(assignment), {"Location": location})

    @api.route(
        _spec(
            "GET",
            f"{_COURSE}/assignments",
            "listAssignments",
            "The course's assignments",
            _SIGNED_IN,
            {200: "AssignmentPage", **_FOUND},
            query=_PAGE_QUERY,
            tags=("assignments",),
        )
    )
    def list_assignments(request: Request) -> Reply:
        page = assignments.list(
            request.require_principal(),
            request.path["courseId"],
            request.query["limit"],
            request.query["cursor"],
        )
        return Reply(200, _page([assignment_json(a) for a in page.items], page.next_cursor))

    @api.route(
        _spec(
            "GET",
            _ASSIGNMENT,
            "getAssignment",
            "One assignment",
            _SIGNED_IN,
            {200: "Assignment", **_FOUND},
            tags=("assignments",),
        )
    )
    def get_assignment(request: Request) -> Reply:
        assignment = assignments.get(
            request.require_principal(), request.path["courseId"], request.path["assignmentId"]
        )
        return Reply(200, assignment_json(assignment))

    @api.route(
        _spec(
            "POST",
            f"{_ASSIGNMENT}/submission/uploads",
            "startUpload",
            "A presigned POST for the file of a (re)submission (type, size, 5 minutes)",
            _LEARNING,
            {201: "UploadTicket", **_CHANGING},
            body="UploadRequest",
            tags=("assignments",),
        )
    )
    def start_upload(request: Request) -> Reply:
        body = request.body
        ticket = assignments.start_upload(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            FileMetadata(body["fileName"], body["contentType"], body["sizeBytes"]),
        )
        return Reply(201, upload_json(ticket))

    @api.route(
        _spec(
            "PUT",
            f"{_ASSIGNMENT}/submission",
            "submit",
            "Record the caller's (re)submission once its file is uploaded; status PENDING until"
            " scanned; until the due date",
            _LEARNING,
            {200: "Submission", **_CHANGING},
            body="SubmissionCreate",
            tags=("assignments",),
        )
    )
    def submit(request: Request) -> Reply:
        body = request.body
        submission = assignments.submit(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            FileMetadata(body["fileName"], body["contentType"], body["sizeBytes"]),
            body["uploadId"],
        )
        return Reply(200, submission_json(submission))

    @api.route(
        _spec(
            "GET",
            f"{_ASSIGNMENT}/submissions/{{learnerId}}/download",
            "downloadSubmission",
            "A short-lived download link of a CLEAN submission (that learner, or the teacher)",
            _SIGNED_IN,
            {200: "DownloadLink", **_CHANGING},
            tags=("assignments",),
        )
    )
    def download_submission(request: Request) -> Reply:
        link = assignments.download(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            request.path["learnerId"],
        )
        return Reply(200, {"url": link.url, "expiresAt": link.expires_at})

    @api.route(
        _spec(
            "GET",
            f"{_ASSIGNMENT}/submission",
            "getMySubmission",
            "The caller's submission, status, grade and feedback",
            _LEARNING,
            {200: "Submission", **_FOUND},
            tags=("assignments",),
        )
    )
    def my_submission(request: Request) -> Reply:
        principal = request.require_principal()
        submission = assignments.submission(
            principal, request.path["courseId"], request.path["assignmentId"], principal.user_id
        )
        return Reply(200, submission_json(submission))

    @api.route(
        _spec(
            "GET",
            f"{_ASSIGNMENT}/submissions",
            "listSubmissions",
            "Every learner's submission (the course's teacher)",
            _TEACHING,
            {200: "SubmissionPage", **_FOUND},
            query=_PAGE_QUERY,
            tags=("assignments",),
        )
    )
    def list_submissions(request: Request) -> Reply:
        page = assignments.submissions(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            request.query["limit"],
            request.query["cursor"],
        )
        return Reply(200, _page([submission_json(s) for s in page.items], page.next_cursor))

    @api.route(
        _spec(
            "GET",
            f"{_ASSIGNMENT}/submissions/{{learnerId}}",
            "getSubmission",
            "One learner's submission (that learner, or the course's teacher)",
            _SIGNED_IN,
            {200: "Submission", **_FOUND},
            tags=("assignments",),
        )
    )
    def get_submission(request: Request) -> Reply:
        submission = assignments.submission(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            request.path["learnerId"],
        )
        return Reply(200, submission_json(submission))

    @api.route(
        _spec(
            "PUT",
            f"{_ASSIGNMENT}/submissions/{{learnerId}}/grade",
            "gradeSubmission",
            "Grade a clean submission (0–100) with feedback",
            _TEACHING,
            {200: "Submission", **_CHANGING},
            body="Grade",
            tags=("assignments",),
        )
    )
    def grade(request: Request) -> Reply:
        body = request.body
        submission = assignments.grade(
            request.require_principal(),
            request.path["courseId"],
            request.path["assignmentId"],
            request.path["learnerId"],
            body["grade"],
            body["feedback"],
            body["version"],
        )
        return Reply(200, submission_json(submission))

    # -- administration (APP-ADM-01)
    users = services.users

    @api.route(
        _spec(
            "GET",
            "/admin/users",
            "listUsers",
            "List user accounts",
            _ADMINS,
            {200: "UserPage", **_PROBLEMS},
            query=(
                QueryParam(
                    "limit", "Page size (1–60, default 20).", integer=True, maximum=60, default=20
                ),
                QueryParam("cursor", "The `nextCursor` of the previous page."),
            ),
            tags=("admin",),
        )
    )
    def list_users(request: Request) -> Reply:
        page = users.list(request.query["limit"], request.query["cursor"])
        return Reply(200, _page([user_json(u) for u in page.items], page.next_cursor))

    @api.route(
        _spec(
            "PUT",
            "/admin/users/{username}/group",
            "setUserGroup",
            "Make a group the user's only group",
            _ADMINS,
            {200: "User", **_CHANGING},
            body="UserGroup",
            tags=("admin",),
        )
    )
    def set_group(request: Request) -> Reply:
        user = users.set_group(
            request.require_principal(), request.path["username"], Group(request.body["group"])
        )
        return Reply(200, user_json(user))

    for action, enabled in (("disable", False), ("enable", True)):

        def set_enabled(request: Request, enabled: bool = enabled) -> Reply:
            user = users.set_enabled(request.require_principal(), request.path["username"], enabled)
            return Reply(200, user_json(user))

        api.route(
            _spec(
                "POST",
                f"/admin/users/{{username}}/{action}",
                f"{action}User",
                f"{action.capitalize()} an account",
                _ADMINS,
                {200: "User", **_CHANGING},
                tags=("admin",),
            )
        )(set_enabled)

    return api
