"""Enrolment and progress (APP-CRS-02, APP-CRS-03)."""

from __future__ import annotations

from manabi_api.api.access import LEARNING, SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND, PROBLEMS
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routers.lessons import LESSON
from manabi_api.api.routing import PAGE_QUERY, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.enrolment import EnrolmentService
from manabi_api.kernel.enrolment import Enrolment, Progress

router: ResourceRouter[EnrolmentService] = ResourceRouter("enrolment")


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


@router.route(
    "POST",
    f"{COURSE}/enrolment",
    "enrol",
    "Enrol in a published course (201; 200 when already enrolled)",
    LEARNING,
    {200: "Enrolment", 201: "Enrolment", **CHANGING},
)
def enrol(request: Request, enrolment: EnrolmentService) -> Reply:
    created_enrolment, created = enrolment.enrol(request.caller, request.course_id)
    return Reply(201 if created else 200, enrolment_json(created_enrolment))


@router.route(
    "GET",
    "/me/enrolments",
    "listMyEnrolments",
    "The caller's enrolments",
    SIGNED_IN,
    {200: "EnrolmentPage", **PROBLEMS},
    query=PAGE_QUERY,
)
def my_enrolments(request: Request, enrolment: EnrolmentService) -> Reply:
    page = enrolment.mine(request.caller, *request.page)
    return Reply(200, page_json(page, enrolment_json))


@router.route(
    "GET",
    f"{COURSE}/enrolments",
    "listCourseEnrolments",
    "The course's learners and their progress (the course's teacher)",
    TEACHING,
    {200: "ProgressPage", **FOUND},
    query=PAGE_QUERY,
)
def course_enrolments(request: Request, enrolment: EnrolmentService) -> Reply:
    page = enrolment.course_progress(request.caller, request.course_id, *request.page)
    return Reply(200, page_json(page, progress_json))


@router.route(
    "PUT",
    f"{LESSON}/completion",
    "completeLesson",
    "Mark a lesson complete (idempotent); returns the course progress",
    LEARNING,
    {200: "Progress", **FOUND},
)
def complete_lesson(request: Request, enrolment: EnrolmentService) -> Reply:
    progress = enrolment.complete(request.caller, request.course_id, request.lesson_id)
    return Reply(200, progress_json(progress))


@router.route(
    "GET",
    f"{COURSE}/progress",
    "getMyProgress",
    "The caller's progress in a course",
    LEARNING,
    {200: "Progress", **FOUND},
)
def my_progress(request: Request, enrolment: EnrolmentService) -> Reply:
    progress = enrolment.progress(request.caller, request.course_id)
    return Reply(200, progress_json(progress))
