"""Property-based tests (hypothesis) of the learning platform's domain rules."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from manabi_api.adapters.system import RandomIds
from manabi_api.api.application import create_api
from manabi_api.domain.courses import CourseService
from manabi_api.domain.lessons import LessonService
from manabi_api.domain.submissions import SubmissionService
from manabi_api.kernel.assignments import Assignment, Submission, SubmissionStatus, is_open
from manabi_api.kernel.courses import CourseStatus, NewCourse
from manabi_api.kernel.enrolment import Enrolment, progress_of
from manabi_api.kernel.errors import Conflict, DomainError, InvalidInput, StaleVersion
from manabi_api.kernel.principal import Group, Principal
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.services import fake_services
from tests.support_events import ADMIN, LEARNER, TEACHER, rest_event

OWNER = Principal("teacher-1", "t@example.com", frozenset({Group.TEACHERS}))
ORDER = [CourseStatus.DRAFT, CourseStatus.PUBLISHED, CourseStatus.ARCHIVED]


class FixedClock:
    def __init__(self, now: str = "2026-04-01T00:00:00.000Z") -> None:
        self.now = now

    def now_iso(self) -> str:
        return self.now


@given(st.lists(st.sampled_from([CourseStatus.PUBLISHED, CourseStatus.ARCHIVED]), max_size=6))
def test_app_crs_01_status_only_moves_forward(targets: list[CourseStatus]) -> None:
    """APP-CRS-01: draft → published → archived; refused moves change nothing."""
    service = CourseService(InMemoryLearningStore(), FixedClock(), RandomIds())
    course = service.create(OWNER, NewCourse("c", ""))
    for target in targets:
        before = service.get(course.course_id)
        try:
            after = service.transition(OWNER, course.course_id, target, before.version)
        except Conflict:
            assert service.get(course.course_id) == before
            assert ORDER.index(target) != ORDER.index(before.status) + 1
        else:
            assert ORDER.index(after.status) == ORDER.index(before.status) + 1
            assert after.version == before.version + 1


@given(st.integers(min_value=1, max_value=5), st.integers(min_value=-3, max_value=3))
def test_app_crs_01_stale_versions_never_write(edits: int, offset: int) -> None:
    service = CourseService(InMemoryLearningStore(), FixedClock(), RandomIds())
    from manabi_api.kernel.courses import CourseChanges

    course = service.create(OWNER, NewCourse("c", ""))
    for n in range(edits):
        course = service.update(OWNER, course.course_id, CourseChanges(course.version, f"t{n}"))
    claimed = course.version + offset
    if offset == 0:
        assert service.update(OWNER, course.course_id, CourseChanges(claimed, "x")).title == "x"
    else:
        with pytest.raises(StaleVersion):
            service.update(OWNER, course.course_id, CourseChanges(claimed, "x"))
        assert service.get(course.course_id) == course


@given(st.data())
def test_app_crs_01_reorder_accepts_exactly_the_permutations(data: st.DataObject) -> None:
    store = InMemoryLearningStore()
    course = CourseService(store, FixedClock(), RandomIds()).create(OWNER, NewCourse("c", ""))
    service = LessonService(store, FixedClock(), RandomIds())
    count = data.draw(st.integers(min_value=0, max_value=5))
    ids = [service.add(OWNER, course.course_id, f"L{n}", "").lesson_id for n in range(count)]
    proposal = data.draw(
        st.one_of(st.permutations(ids), st.lists(st.sampled_from([*ids, "other"]), max_size=6))
    )
    is_permutation = sorted(proposal) == sorted(ids)
    try:
        outline = service.reorder(OWNER, course.course_id, list(proposal), count)
    except InvalidInput:
        assert not is_permutation
        assert service.outline(OWNER, course.course_id)[0].lesson_ids == ids
    else:
        assert is_permutation
        assert outline.lesson_ids == list(proposal)


@given(
    st.lists(st.text(min_size=1, max_size=3), unique=True, max_size=8),
    st.frozensets(st.text(min_size=1, max_size=3), max_size=8),
)
def test_app_crs_02_progress_counts_only_current_lessons(
    outline: list[str], completed: frozenset[str]
) -> None:
    """APP-CRS-02: progress is the completed lessons that are still in the course, in order."""
    enrolment = Enrolment("c", "l", "t", "a", "b", completed)
    progress = progress_of(enrolment, outline)
    assert progress.completed_lesson_ids == [x for x in outline if x in completed]
    assert 0 <= progress.percent <= 100
    assert progress.percent == (100 if outline and set(outline) <= completed else progress.percent)
    assert progress.total_lessons == len(outline)


_instants = st.datetimes(
    min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
_offsets = st.integers(min_value=-12 * 60, max_value=14 * 60).map(
    lambda m: timezone(timedelta(minutes=m))
)


@given(_instants, _instants, _offsets, _offsets)
def test_app_asg_02_resubmission_open_exactly_until_the_due_date(
    due: datetime, now: datetime, due_zone: timezone, now_zone: timezone
) -> None:
    """APP-ASG-02: open iff now ≤ due, whatever offsets the two instants are written in."""
    due, now = due.replace(microsecond=0), now.replace(microsecond=0)
    assignment = Assignment("c", "a", "t", "", due.astimezone(due_zone).isoformat(), "", "", 1)
    assert is_open(assignment, now.astimezone(now_zone).isoformat()) == (now <= due)


@given(st.sampled_from(list(SubmissionStatus)), st.integers(0, 100), st.text(max_size=20))
@settings(suppress_health_check=[HealthCheck.too_slow])
def test_app_asg_03_only_clean_submissions_are_graded(
    status: SubmissionStatus, grade: int, feedback: str
) -> None:
    """APP-ASG-03: a grade lands only on a CLEAN submission, and only at the current version."""
    store = InMemoryLearningStore()
    services = fake_services(store, clock=FixedClock())
    course = services.courses.create(OWNER, NewCourse("c", ""))
    services.courses.transition(OWNER, course.course_id, CourseStatus.PUBLISHED, 1)
    store.enrol(Enrolment(course.course_id, "learner-1", "c", "x", "x"))
    store.add_assignment(
        Assignment(course.course_id, "a", "t", "", "2999-01-01T00:00:00Z", "", "", 1)
    )
    store.save_submission(
        Submission(
            course.course_id,
            "a",
            "learner-1",
            "f",
            "text/plain",
            1,
            SubmissionStatus.PENDING,
            1,
            "x",
            1,
        ),
        None,
    )
    if status is not SubmissionStatus.PENDING:
        store.set_scan_status(course.course_id, "a", "learner-1", status)
    version = 1 if status is SubmissionStatus.PENDING else 2
    submissions: SubmissionService = services.submissions
    try:
        graded = submissions.grade(
            OWNER, course.course_id, "a", "learner-1", grade, feedback, version
        )
    except Conflict:
        assert status is not SubmissionStatus.CLEAN
        stored = store.load(course.course_id, learner_id="learner-1", assignment_id="a")
        assert stored.submission is not None
        assert stored.submission.grade is None
    else:
        assert status is SubmissionStatus.CLEAN
        assert (graded.grade, graded.feedback, graded.version) == (grade, feedback, 3)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=5)
    ),
    max_leaves=12,
)
_known_fields = st.fixed_dictionaries(
    {},
    optional={
        name: _json | st.text(max_size=200) | st.integers()
        for name in (
            "title",
            "description",
            "body",
            "version",
            "lessonIds",
            "instructions",
            "dueAt",
            "fileName",
            "contentType",
            "sizeBytes",
            "grade",
            "feedback",
            "group",
        )
    },
)


def _world() -> tuple[Any, InMemoryLearningStore, str, str]:
    store = InMemoryLearningStore()
    api = create_api(fake_services(store), None)

    def call(method: str, path: str, body: Any) -> Any:
        response = api.resolve(rest_event(method, path, claims=TEACHER, body=body), None)
        return json.loads(response["body"])

    cid = call("POST", "/courses", {"title": "C"})["courseId"]
    lid = call("POST", f"/courses/{cid}/lessons", {"title": "L", "body": ""})["lessonId"]
    return api, store, cid, lid


_WRITES = [
    (s.method, s.path)
    for s in create_api(fake_services(InMemoryLearningStore()), None).routes
    if s.method in {"POST", "PUT", "PATCH"}
]


@given(
    st.sampled_from(_WRITES),
    st.one_of(_known_fields, _json.map(json.dumps), st.text(max_size=40)),
    st.sampled_from([LEARNER, TEACHER, ADMIN]),
)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
def test_app_err_01_arbitrary_bodies_never_5xx_nor_write(
    route: tuple[str, str], body: Any, claims: dict[str, str]
) -> None:
    """APP-ERR-01: any body on any write route → 2xx/4xx problem+json; a 4xx writes nothing."""
    api, store, cid, lid = _world()
    method, template = route
    path = template.format(
        courseId=cid,
        lessonId=lid,
        assignmentId="A",
        learnerId="learner-1",
        username="u@example.com",
    )
    before = copy.deepcopy(store.__dict__)
    kwargs = {"raw_body": body} if isinstance(body, str) else {"body": body}
    response = api.resolve(rest_event(method, path, claims=claims, **kwargs), None)
    assert response["statusCode"] < 500, response
    if response["statusCode"] >= 400:
        assert response["multiValueHeaders"]["Content-Type"] == ["application/problem+json"]
        assert store.__dict__ == before
        problem = json.loads(response["body"])
        assert problem["status"] == response["statusCode"]


def test_domain_errors_are_all_mapped() -> None:
    from manabi_api.api.problems import problem

    for error in (Conflict("x"), StaleVersion("x"), InvalidInput("x", [])):
        assert isinstance(error, DomainError)
        assert int(str(problem(error, "/")["status"])) in {400, 409}
