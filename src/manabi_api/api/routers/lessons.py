"""A course's lessons and their order (APP-CRS-01, APP-CRS-02)."""

from __future__ import annotations

from manabi_api.api.access import SIGNED_IN, TEACHING
from manabi_api.api.problems import CHANGING, FOUND
from manabi_api.api.routers.courses import COURSE
from manabi_api.api.routing import Reply, Request, ResourceRouter
from manabi_api.domain.lessons import LessonService
from manabi_api.kernel.courses import Lesson, LessonChanges

router: ResourceRouter[LessonService] = ResourceRouter("lessons")
LESSONS = f"{COURSE}/lessons"
LESSON = LESSONS + "/{lessonId}"
LESSON_ORDER = f"{COURSE}/lesson-order"


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


def outline_entry_json(position: int, lesson: Lesson) -> dict[str, object]:
    """A lesson as the outline lists it: no body."""
    return {
        "lessonId": lesson.lesson_id,
        "title": lesson.title,
        "position": position,
        "updatedAt": lesson.updated_at,
        "version": lesson.version,
    }


@router.get(LESSONS, "listLessons", SIGNED_IN, {200: "Outline", **FOUND})
def list_lessons(request: Request, lessons: LessonService) -> Reply:
    """The course's lessons in order (titles; bodies via getLesson)"""
    outline, items = lessons.outline(request.caller, request.course_id)
    entries = [outline_entry_json(n, lesson) for n, lesson in enumerate(items, start=1)]
    body = {"courseId": request.course_id, "lessons": entries, "version": outline.version}
    return Reply(200, body)


@router.post(
    LESSONS,
    "createLesson",
    TEACHING,
    {201: "Lesson", **CHANGING},
    body="LessonCreate",
    idempotent=True,
)
def create_lesson(request: Request, lessons: LessonService) -> Reply:
    """Add a lesson at the end"""
    title, text = request.body["title"], request.body["body"]
    lesson = lessons.add(request.caller, request.course_id, title, text, request.idempotency_key)
    location = f"/courses/{lesson.course_id}/lessons/{lesson.lesson_id}"
    return Reply(201, lesson_json(lesson), {"Location": location})


@router.get(LESSON, "getLesson", SIGNED_IN, {200: "Lesson", **FOUND})
def get_lesson(request: Request, lessons: LessonService) -> Reply:
    """Read a lesson (enrolled learners, the teacher)"""
    lesson = lessons.get(request.caller, request.course_id, request.lesson_id)
    return Reply(200, lesson_json(lesson))


@router.patch(LESSON, "updateLesson", TEACHING, {200: "Lesson", **CHANGING}, body="LessonUpdate")
def update_lesson(request: Request, lessons: LessonService) -> Reply:
    """Edit a lesson's title or Markdown body"""
    body = request.body
    changes = LessonChanges(body["version"], body.get("title"), body.get("body"))
    lesson = lessons.update(request.caller, request.course_id, request.lesson_id, changes)
    return Reply(200, lesson_json(lesson))


@router.put(
    LESSON_ORDER, "reorderLessons", TEACHING, {200: "LessonOrder", **CHANGING}, body="LessonOrder"
)
def reorder_lessons(request: Request, lessons: LessonService) -> Reply:
    """Put the lessons in a new order (every lesson exactly once)"""
    order, version = request.body["lessonIds"], request.body["version"]
    outline = lessons.reorder(request.caller, request.course_id, order, version)
    return Reply(200, {"lessonIds": outline.lesson_ids, "version": outline.version})


@router.delete(LESSON, "deleteLesson", TEACHING, {200: "LessonOrder", **CHANGING})
def delete_lesson(request: Request, lessons: LessonService) -> Reply:
    """Delete a lesson at the order's version; returns the new order"""
    outline = lessons.delete(request.caller, request.course_id, request.lesson_id, request.version)
    return Reply(200, {"lessonIds": outline.lesson_ids, "version": outline.version})
