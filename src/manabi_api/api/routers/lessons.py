"""A course's lessons and their order (APP-CRS-01, APP-CRS-02)."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routing import Reply, Request, ResourceRouter
from manabi_api.domain.lessons import LessonService
from manabi_api.kernel.courses import Lesson, LessonChanges

router: ResourceRouter[LessonService] = ResourceRouter("lessons")
LESSON = COURSE + "/lessons/{lessonId}"


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


@router.route(
    "GET",
    f"{COURSE}/lessons",
    "listLessons",
    "The course's lessons in order (titles; bodies via getLesson)",
    SIGNED_IN,
    {200: "Outline", **FOUND},
)
def list_lessons(request: Request, lessons: LessonService) -> Reply:
    course_id = request.course_id
    outline, items = lessons.outline(request.caller, course_id)
    summaries = [
        {
            "lessonId": lesson.lesson_id,
            "title": lesson.title,
            "position": position,
            "updatedAt": lesson.updated_at,
            "version": lesson.version,
        }
        for position, lesson in enumerate(items, start=1)
    ]
    return Reply(200, {"courseId": course_id, "lessons": summaries, "version": outline.version})


@router.route(
    "POST",
    f"{COURSE}/lessons",
    "createLesson",
    "Add a lesson at the end",
    TEACHING,
    {201: "Lesson", **CHANGING},
    body="LessonCreate",
    idempotent=True,
)
def create_lesson(request: Request, lessons: LessonService) -> Reply:
    lesson = lessons.add(
        request.caller,
        request.course_id,
        request.body["title"],
        request.body["body"],
        request.idempotency_key,
    )
    location = f"/courses/{lesson.course_id}/lessons/{lesson.lesson_id}"
    return Reply(201, lesson_json(lesson), {"Location": location})


@router.route(
    "GET",
    LESSON,
    "getLesson",
    "Read a lesson (enrolled learners, the teacher)",
    SIGNED_IN,
    {200: "Lesson", **FOUND},
)
def get_lesson(request: Request, lessons: LessonService) -> Reply:
    lesson = lessons.get(request.caller, request.course_id, request.lesson_id)
    return Reply(200, lesson_json(lesson))


@router.route(
    "PATCH",
    LESSON,
    "updateLesson",
    "Edit a lesson's title or Markdown body",
    TEACHING,
    {200: "Lesson", **CHANGING},
    body="LessonUpdate",
)
def update_lesson(request: Request, lessons: LessonService) -> Reply:
    body = request.body
    lesson = lessons.update(
        request.caller,
        request.course_id,
        request.lesson_id,
        LessonChanges(body["version"], body.get("title"), body.get("body")),
    )
    return Reply(200, lesson_json(lesson))


@router.route(
    "PUT",
    f"{COURSE}/lesson-order",
    "reorderLessons",
    "Put the lessons in a new order (every lesson exactly once)",
    TEACHING,
    {200: "LessonOrder", **CHANGING},
    body="LessonOrder",
)
def reorder_lessons(request: Request, lessons: LessonService) -> Reply:
    outline = lessons.reorder(
        request.caller, request.course_id, request.body["lessonIds"], request.body["version"]
    )
    return Reply(200, {"lessonIds": outline.lesson_ids, "version": outline.version})
