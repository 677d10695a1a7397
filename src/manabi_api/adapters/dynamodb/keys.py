"""Every partition and sort key of the single table (docs/data-model.md).

The key attribute names, the course partition and the submission key come from
`manabi_contract.table`, which the scanner writes with, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from manabi_api.adapters.cursor import decode_cursor, encode_cursor, invalid_cursor

# Re-exported (`as`): the adapter takes these from here, the one place of its keys.
from manabi_contract.table import PARTITION_KEY as PARTITION_KEY
from manabi_contract.table import SORT_KEY as SORT_KEY
from manabi_contract.table import course_partition as course_partition
from manabi_contract.table import submission_key as submission_key
from manabi_contract.table import submission_sort_key

Item = dict[str, Any]

# -- partitions
ALL_COURSES = "COURSES"
PUBLISHED_COURSES = "COURSES#PUBLISHED"


def owned_courses(owner_id: str) -> str:
    return f"COURSES#OWNER#{owner_id}"


def learner_partition(learner_id: str) -> str:
    return f"LEARNER#{learner_id}"


# In a person's partition (`learner_partition`): their profile, beside their enrolments.
PROFILE = "PROFILE"
UPLOAD_USAGE = "USAGE#uploads#"  # + the clock hour YYYYMMDDHH (GL-SEC-04)


def course_list_sort_key(created_at: str, course_id: str) -> str:
    """Course list entries sort by creation time; the id keeps equal instants apart."""
    return f"{created_at}#{course_id}"


# -- sort keys and sort-key prefixes (+ an id) in a course's partition
COURSE = "COURSE"
OUTLINE = "LESSONS"
LESSON = "LESSON#"
# One prefix for the outline item and every lesson item: `lessons` reads them in one Query.
LESSON_ITEMS = "LESSON"
ENROLMENTS = "ENROL#"  # + the learner id; in a learner's partition, + the course id
ASSIGNMENTS = "ASSIGNMENT#"
SUBMISSIONS = submission_sort_key("", "").removesuffix("#")  # "SUBMISSION#": every one


def submissions_of(assignment_id: str) -> str:
    """The sort-key prefix of one assignment's submissions (the learner id completes it)."""
    return submission_sort_key(assignment_id, "")


# -- whole keys
def key(partition: str, sort_key: str) -> Item:
    return {PARTITION_KEY: {"S": partition}, SORT_KEY: {"S": sort_key}}


# An item no one writes: reading it costs half a read unit and proves the table answers.
HEALTH_PROBE = key("HEALTH", "PROBE")


def course_key(course_id: str) -> Item:
    return key(course_partition(course_id), COURSE)


def outline_key(course_id: str) -> Item:
    return key(course_partition(course_id), OUTLINE)


def lesson_key(course_id: str, lesson_id: str) -> Item:
    return key(course_partition(course_id), LESSON + lesson_id)


def course_enrolment_key(course_id: str, learner_id: str) -> Item:
    return key(course_partition(course_id), ENROLMENTS + learner_id)


def learner_enrolment_key(course_id: str, learner_id: str) -> Item:
    return key(learner_partition(learner_id), ENROLMENTS + course_id)


def profile_key(user_id: str) -> Item:
    return key(learner_partition(user_id), PROFILE)


def upload_usage_key(learner_id: str, hour: str) -> Item:
    """The learner's upload counter of one clock hour, beside their enrolments and profile."""
    return key(learner_partition(learner_id), f"{UPLOAD_USAGE}{hour}")


def assignment_key(course_id: str, assignment_id: str) -> Item:
    return key(course_partition(course_id), ASSIGNMENTS + assignment_id)


PERSON = "person:"  # the name of a profile among a context's items
MINE = "mine:"  # a context name prefix: the learner's submission to that assignment


def context_keys(
    course_id: str,
    learner_id: str | None,
    lesson_id: str | None,
    assignment_id: str | None,
    outline: bool,
    people: tuple[str, ...] = (),
    submissions_of: tuple[str, ...] = (),
) -> dict[str, Item]:
    """The items of a request's context (`LearningStore.load`), by name; the course first, then
    the people's profiles (named `person:` + the user id) and the learner's submissions to
    `submissions_of` (named `mine:` + the assignment id)."""
    wanted = {"course": course_key(course_id)}
    if learner_id:
        wanted["enrolment"] = course_enrolment_key(course_id, learner_id)
    if lesson_id:
        wanted["lesson"] = lesson_key(course_id, lesson_id)
    if assignment_id:
        wanted["assignment"] = assignment_key(course_id, assignment_id)
    if assignment_id and learner_id:
        wanted["submission"] = submission_key(course_id, assignment_id, learner_id)
    if outline:
        wanted["outline"] = outline_key(course_id)
    for user_id in dict.fromkeys(people):
        wanted[PERSON + user_id] = profile_key(user_id)
    if learner_id:
        for mine in dict.fromkeys(submissions_of):
            wanted[MINE + mine] = submission_key(course_id, mine, learner_id)
    return wanted


# -- conditions and cursors on these keys
NOT_EXISTS = f"attribute_not_exists({PARTITION_KEY})"
EXISTS = f"attribute_exists({PARTITION_KEY})"
CURSOR_KEYS = frozenset({PARTITION_KEY, SORT_KEY})


def in_partition(pk: str, prefix: str) -> Item:
    """A Query's key condition: one partition, and the sort keys that begin with `prefix`."""
    condition = f"{PARTITION_KEY} = :pk"
    values: Item = {":pk": {"S": pk}}
    if prefix:
        condition += f" AND begins_with({SORT_KEY}, :prefix)"
        values[":prefix"] = {"S": prefix}
    return {"KeyConditionExpression": condition, "ExpressionAttributeValues": values}


def cursor_at(table_key: Item) -> str:
    """The cursor of a position in a list: its table key, opaque to the client."""
    return encode_cursor({name: str(value["S"]) for name, value in table_key.items()})


def position_of(cursor: str, partition: str, prefix: str) -> Item:
    """The table key a cursor names, if it is a position in this list (the partition and the
    sort-key prefix being read): any other is InvalidInput naming `cursor`."""
    position = decode_cursor(cursor, CURSOR_KEYS)
    if position[PARTITION_KEY] != partition or not position[SORT_KEY].startswith(prefix):
        raise invalid_cursor()
    return key(position[PARTITION_KEY], position[SORT_KEY])
