"""People as others see them: the name and e-mail a teacher reads beside a learner's records
(APP-CRS-03, APP-ASG-03). Cognito's `name` attribute is the source; the store keeps one profile
per person, read by key beside the records that name them (never a copy on each record)."""

from __future__ import annotations

from typing import NamedTuple

MAX_NAME_LENGTH = 100
# The most people a page of a teacher's list names: with the course and its outline (or its
# assignment) they are read in one transaction, which takes at most 100 items.
MAX_NAMED_PAGE = 98


class Person(NamedTuple):
    user_id: str
    name: str  # "" for an account made before names were asked for
    email: str
    updated_at: str = ""


def unknown_person(user_id: str) -> Person:
    """Somebody without a profile yet (enrolled before profiles were kept)."""
    return Person(user_id, "", "")
