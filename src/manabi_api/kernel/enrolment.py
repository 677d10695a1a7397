"""Enrolments and progress (APP-CRS-02, APP-CRS-03)."""

from __future__ import annotations

from typing import NamedTuple


class Enrolment(NamedTuple):
    course_id: str
    learner_id: str
    course_title: str
    enrolled_at: str
    updated_at: str
    completed: frozenset[str] = frozenset()


class Progress(NamedTuple):
    course_id: str
    learner_id: str
    completed_lesson_ids: list[str]  # in outline order
    total_lessons: int

    @property
    def percent(self) -> int:
        if self.total_lessons == 0:
            return 0
        return len(self.completed_lesson_ids) * 100 // self.total_lessons


def progress_of(enrolment: Enrolment, lesson_ids: list[str]) -> Progress:
    """Completed lessons that still belong to the course, in course order."""
    done = [lid for lid in lesson_ids if lid in enrolment.completed]
    return Progress(enrolment.course_id, enrolment.learner_id, done, len(lesson_ids))
