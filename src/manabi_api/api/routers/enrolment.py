"""Enrolment and progress (APP-CRS-02, APP-CRS-03)."""

from __future__ import annotations

from manabi_api.api.access import LEARNING, SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND, PROBLEMS
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routers.lessons import LESSON
from manabi_api.api.routing import Reply, Request, ResourceRouter, page_json
from manabi_api.domain.enrolment import EnrolmentService, MyCourse
from manabi_api.kernel.enrolment import Enrolment, Progress
from manabi_api.kernel.people import Person
from manabi_contract.app_metrics import ENROLMENTS, LESSON_COMPLETIONS

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


def person_json(person: Person) -> dict[str, object]:
    """A learner as a teacher sees them: their current name and e-mail ("" where unknown)."""
    return {"learnerName": person.name, "learnerEmail": person.email}


def my_course_json(row: MyCourse) -> dict[str, object]:
    """An enrolment with the course's current title and status, and the progress in it."""
    return {
        **enrolment_json(row.enrolment),
        "courseTitle": row.course.title,
        "courseStatus": row.course.status.value,
        "progress": progress_json(row.progress),
        "nextLessonId": row.next_lesson_id,
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


@router.post(
    f"{COURSE}/enrolment", "enrol", LEARNING, {200: "Enrolment", 201: "Enrolment", **CHANGING}
)
def enrol(request: Request, enrolment: EnrolmentService) -> Reply:
    """Enrol in a published course (201; 200 when already enrolled)"""
    enrolled, created = enrolment.enrol(request.caller, request.course_id)
    return Reply(
        201 if created else 200,
        enrolment_json(enrolled),
        action=ENROLMENTS if created else None,
    )


@router.get_page("/me/enrolments", "listMyEnrolments", SIGNED_IN, {200: "MyCoursePage", **PROBLEMS})
def my_enrolments(request: Request, enrolment: EnrolmentService) -> Reply:
    """The caller's enrolments"""
    page = enrolment.mine(request.caller, *request.page)
    return Reply(200, page_json(page, my_course_json))


@router.get_page(
    f"{COURSE}/enrolments", "listCourseEnrolments", TEACHING, {200: "LearnerProgressPage", **FOUND}
)
def course_enrolments(request: Request, enrolment: EnrolmentService) -> Reply:
    """The course's learners by name and e-mail and their progress (the course's teacher)"""
    page = enrolment.course_progress(request.caller, request.course_id, *request.page)
    return Reply(200, page_json(page, lambda row: {**progress_json(row[0]), **person_json(row[1])}))


@router.put(f"{LESSON}/completion", "completeLesson", LEARNING, {200: "Progress", **FOUND})
def complete_lesson(request: Request, enrolment: EnrolmentService) -> Reply:
    """Mark a lesson complete (idempotent); returns the course progress"""
    progress = enrolment.complete(request.caller, request.course_id, request.lesson_id)
    return Reply(200, progress_json(progress), action=LESSON_COMPLETIONS)


@router.get(f"{COURSE}/progress", "getMyProgress", LEARNING, {200: "Progress", **FOUND})
def my_progress(request: Request, enrolment: EnrolmentService) -> Reply:
    """The caller's progress in a course"""
    return Reply(200, progress_json(enrolment.progress(request.caller, request.course_id)))


@router.put(
    "/me/profile", "updateMyProfile", SIGNED_IN, {200: "Profile", **CHANGING}, body="ProfileUpdate"
)
def update_my_profile(request: Request, enrolment: EnrolmentService) -> Reply:
    """The caller's name as their teachers see it (the account page)"""
    person = enrolment.rename(request.caller, request.body["name"])
    return Reply(200, {"userId": person.user_id, "name": person.name, "email": person.email})
