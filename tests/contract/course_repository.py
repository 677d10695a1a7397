"""The course storage contract. Subclassed by the in-memory fake's unit tests and the DynamoDB
adapter's integration tests, so the fake never drifts from the real adapter (MP-DDB-01)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from manabi_api.kernel.assignments import Assignment, Submission, SubmissionStatus
from manabi_api.kernel.courses import MAX_LESSONS, Course, CourseList, CourseStatus, Lesson, Outline
from manabi_api.kernel.enrolment import Enrolment
from manabi_api.kernel.errors import Conflict, InvalidInput, NotFound, StaleVersion
from manabi_api.kernel.paging import Page
from manabi_api.kernel.people import Person
from manabi_api.ports.learning import LearningStore, Snapshot


def make_course(n: int, owner: str = "teacher-1") -> Course:
    stamp = f"2026-04-01T09:00:{n:02d}.000Z"
    return Course(
        course_id=f"course-{n:03d}",
        title=f"コース {n}",
        description="説明",
        status=CourseStatus.DRAFT,
        owner_id=owner,
        created_at=stamp,
        updated_at=stamp,
        version=1,
    )


class CourseRepositoryContract:
    """Subclasses provide a `repository` fixture giving an empty store."""

    def test_added_course_can_be_read_back(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        assert repository.get(course.course_id) == course

    def test_unknown_course_is_none(self, repository: LearningStore) -> None:
        assert repository.get("missing") is None

    def test_adding_the_same_id_twice_conflicts_and_keeps_the_first(
        self, repository: LearningStore
    ) -> None:
        first = make_course(1)
        repository.add(first)
        with pytest.raises(Conflict):
            repository.add(make_course(1, owner="someone-else"))
        assert repository.get(first.course_id) == first
        assert repository.list(limit=10, cursor=None).items == [first]

    def test_list_is_newest_first_and_pages_cover_everything_once(
        self, repository: LearningStore
    ) -> None:
        courses = [make_course(n) for n in range(7)]
        for course in courses:
            repository.add(course)
        seen: list[Course] = []
        cursor: str | None = None
        for _ in range(10):
            page = repository.list(limit=3, cursor=cursor)
            assert len(page.items) <= 3
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == list(reversed(courses))

    def test_empty_store_lists_nothing(self, repository: LearningStore) -> None:
        page = repository.list(limit=5, cursor=None)
        assert page.items == []
        assert page.next_cursor is None

    @pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjogMX0", "e30", "!" * 2000])
    def test_foreign_cursor_is_invalid_input_naming_cursor(
        self, repository: LearningStore, cursor: str
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            repository.list(limit=5, cursor=cursor)
        assert [i.field for i in raised.value.issues] == ["cursor"]


# -- the rest of the learning store ------------------------------------------------------------


def _lesson(course_id: str, n: int) -> Lesson:
    return Lesson(course_id, f"lesson-{n}", f"第{n}回", f"# 本文 {n}", STAMP, STAMP, 1)


def _assignment(course_id: str, n: int) -> Assignment:
    return Assignment(
        course_id, f"asg-{n}", f"課題{n}", "説明", "2099-01-01T00:00:00.000Z", STAMP, STAMP, 1
    )


def _submission(course_id: str, learner: str, version: int = 1) -> Submission:
    return Submission(
        course_id,
        "asg-1",
        learner,
        "a.py",
        "text/x-python",
        10,
        SubmissionStatus.PENDING,
        version,
        STAMP,
        version,
    )


STAMP = "2026-04-01T09:00:00.000Z"


# Sets a submission's scan status as the scanner does: (course, assignment, learner, status,
# object_key=None); NotFound when there is nothing to record (manabi_contract.table).
SetScanStatus = Callable[..., None]


class LearningStoreContract:
    """Subclasses provide a `repository` fixture giving an empty store and a `set_scan_status`
    fixture writing a verdict into it the way the scanner does (MP-DDB-01)."""

    def test_gl_sec_04_uploads_are_counted_per_learner_and_hour_up_to_the_limit(
        self, repository: LearningStore
    ) -> None:
        """GL-SEC-04: the counter admits `limit` uploads of one learner in one hour, refuses
        the next without counting it, and keeps other hours and other learners apart."""
        counted = [
            repository.count_upload("learner-1", "2026120413", 3, 1796400000) for _ in range(5)
        ]
        assert counted == [True, True, True, False, False]
        assert repository.count_upload("learner-1", "2026120414", 3, 1796403600)
        assert repository.count_upload("learner-2", "2026120413", 3, 1796400000)
        # a higher limit (a changed configuration) admits more in the same hour
        assert repository.count_upload("learner-1", "2026120413", 4, 1796400000)
        assert not repository.count_upload("learner-1", "2026120413", 4, 1796400000)

    def test_course_lists_follow_status_and_owner(self, repository: LearningStore) -> None:
        mine, other = make_course(1), make_course(2, owner="teacher-2")
        repository.add(mine)
        repository.add(other)
        published = mine._replace(status=CourseStatus.PUBLISHED, version=2)
        repository.save(published, expected_version=1)
        assert repository.get(mine.course_id) == published
        assert repository.list(10, None, CourseList.PUBLISHED).items == [published]
        assert repository.list(10, None, CourseList.OWNED, "teacher-1").items == [published]
        assert repository.list(10, None, CourseList.OWNED, "teacher-2").items == [other]
        assert repository.list(10, None, CourseList.ALL).items == [other, published]
        archived = published._replace(status=CourseStatus.ARCHIVED, version=3)
        repository.save(archived, expected_version=2)
        assert repository.list(10, None, CourseList.PUBLISHED).items == []
        assert repository.list(10, None, CourseList.ALL).items == [other, archived]

    def test_stale_course_save_changes_nothing(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        with pytest.raises(StaleVersion):
            repository.save(course._replace(title="新", status=CourseStatus.PUBLISHED), 7)
        assert repository.get(course.course_id) == course
        assert repository.list(10, None, CourseList.PUBLISHED).items == []

    def test_lessons_keep_their_order_and_reorder_checks_the_version(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        assert repository.lessons(course.course_id) == (Outline(course.course_id), [])
        lessons = [_lesson(course.course_id, n) for n in range(1, 4)]
        for lesson in lessons:
            repository.add_lesson(lesson)
        outline, stored = repository.lessons(course.course_id)
        assert (outline.lesson_ids, outline.version) == ([x.lesson_id for x in lessons], 3)
        assert stored == lessons
        with pytest.raises(Conflict):
            repository.add_lesson(lessons[0])
        assert repository.lessons(course.course_id)[0].version == 3
        order = ["lesson-3", "lesson-1", "lesson-2"]
        repository.reorder(course.course_id, order, expected_version=3)
        with pytest.raises(StaleVersion):
            repository.reorder(course.course_id, ["lesson-1", "lesson-2", "lesson-3"], 3)
        outline, stored = repository.lessons(course.course_id)
        assert (outline.lesson_ids, outline.version) == (order, 4)
        assert [x.lesson_id for x in stored] == order
        edited = lessons[0]._replace(body="新しい本文", version=2)
        repository.save_lesson(edited, expected_version=1)
        with pytest.raises(StaleVersion):
            repository.save_lesson(lessons[0]._replace(body="古い"), expected_version=1)
        assert repository.load(course.course_id, lesson_id="lesson-1").lesson == edited

    def test_load_reads_the_whole_context(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        repository.add_lesson(_lesson(course.course_id, 1))
        repository.add_assignment(_assignment(course.course_id, 1))
        enrolment = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        repository.enrol(enrolment)
        repository.save_submission(_submission(course.course_id, "learner-1"), None)
        snapshot = repository.load(
            course.course_id,
            learner_id="learner-1",
            lesson_id="lesson-1",
            assignment_id="asg-1",
            outline=True,
        )
        assert snapshot == Snapshot(
            course=course,
            enrolment=enrolment,
            lesson=_lesson(course.course_id, 1),
            assignment=_assignment(course.course_id, 1),
            submission=_submission(course.course_id, "learner-1"),
            outline=Outline(course.course_id, ["lesson-1"], 1),
        )
        empty = repository.load("missing", learner_id="x", lesson_id="y", assignment_id="z")
        assert empty == Snapshot(course=None)
        assert repository.load(course.course_id, learner_id="other").enrolment is None

    def test_enrolment_and_progress_on_both_sides(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        first = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        repository.enrol(first)
        with pytest.raises(Conflict):
            repository.enrol(first._replace(enrolled_at="later"))
        repository.enrol(Enrolment(course.course_id, "learner-2", course.title, STAMP, STAMP))
        done = repository.complete_lesson(first, "lesson-1", "2026-04-02T00:00:00.000Z")
        done = repository.complete_lesson(done, "lesson-2", "2026-04-03T00:00:00.000Z")
        done = repository.complete_lesson(done, "lesson-1", "2026-04-03T00:00:00.000Z")
        assert done.completed == frozenset({"lesson-1", "lesson-2"})
        assert repository.load(course.course_id, learner_id="learner-1").enrolment == done
        page = repository.enrolments(course.course_id, 10, None)
        assert [e.learner_id for e in page.items] == ["learner-1", "learner-2"]
        assert page.items[0] == done
        mine = repository.learner_enrolments("learner-1", 10, None)
        assert mine.items == [done]
        assert repository.learner_enrolments("nobody", 10, None).items == []

    def test_enrolments_page_through(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        for n in range(5):
            repository.enrol(Enrolment(course.course_id, f"l-{n}", course.title, STAMP, STAMP))
        seen: list[str] = []
        cursor: str | None = None
        for _ in range(5):
            page = repository.enrolments(course.course_id, 2, cursor)
            seen += [e.learner_id for e in page.items]
            cursor = page.next_cursor
            if cursor is None:
                break
        assert seen == [f"l-{n}" for n in range(5)]

    def test_assignments_and_submissions(
        self, repository: LearningStore, set_scan_status: SetScanStatus
    ) -> None:
        course = make_course(1)
        repository.add(course)
        for n in (1, 2):
            repository.add_assignment(_assignment(course.course_id, n))
        with pytest.raises(Conflict):
            repository.add_assignment(_assignment(course.course_id, 1))
        assert [
            a.assignment_id for a in repository.assignments(course.course_id, 10, None).items
        ] == ["asg-1", "asg-2"]
        first = _submission(course.course_id, "learner-1")
        repository.save_submission(first, None)
        with pytest.raises(StaleVersion):
            repository.save_submission(first, None)
        second = _submission(course.course_id, "learner-1", version=2)
        with pytest.raises(StaleVersion):
            repository.save_submission(second, expected_version=5)
        repository.save_submission(second, expected_version=1)
        set_scan_status(course.course_id, "asg-1", "learner-1", SubmissionStatus.CLEAN)
        stored = repository.load(course.course_id, learner_id="learner-1", assignment_id="asg-1")
        assert stored.submission == second._replace(status=SubmissionStatus.CLEAN, version=3)
        graded = stored.submission._replace(grade=90, feedback="良い", graded_at=STAMP, version=4)
        repository.save_submission(graded, expected_version=3)
        repository.save_submission(_submission(course.course_id, "learner-2"), None)
        page = repository.submissions(course.course_id, "asg-1", 10, None)
        assert [s.learner_id for s in page.items] == ["learner-1", "learner-2"]
        assert page.items[0] == graded
        assert repository.submissions(course.course_id, "asg-2", 10, None).items == []
        with pytest.raises(NotFound):
            set_scan_status(course.course_id, "asg-9", "x", SubmissionStatus.ERROR)

    @pytest.mark.parametrize("cursor", ["garbage", "eyJ4IjogMX0", "e30"])
    def test_every_list_rejects_foreign_cursors(
        self, repository: LearningStore, cursor: str
    ) -> None:
        for call in (
            lambda: repository.enrolments("c", 5, cursor),
            lambda: repository.learner_enrolments("l", 5, cursor),
            lambda: repository.assignments("c", 5, cursor),
            lambda: repository.submissions("c", "a", 5, cursor),
            lambda: repository.list(5, cursor, CourseList.PUBLISHED),
        ):
            with pytest.raises(InvalidInput) as raised:
                call()
            assert [i.field for i in raised.value.issues] == ["cursor"]

    def test_a_course_takes_at_most_max_lessons(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        for n in range(MAX_LESSONS):
            repository.add_lesson(_lesson(course.course_id, n))
        with pytest.raises(Conflict):
            repository.add_lesson(_lesson(course.course_id, MAX_LESSONS))
        outline, lessons = repository.lessons(course.course_id)
        assert len(outline.lesson_ids) == len(lessons) == MAX_LESSONS
        assert repository.load(course.course_id, lesson_id=f"lesson-{MAX_LESSONS}").lesson is None
        assert outline.version == MAX_LESSONS  # the refused add did not bump the order either

    # -- where the fake once differed from the table (the DynamoDB adapter is the reference)

    def test_saving_a_course_that_does_not_exist_is_stale_and_writes_nothing(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)._replace(status=CourseStatus.PUBLISHED)
        with pytest.raises(StaleVersion):
            repository.save(course, expected_version=1)
        assert repository.get(course.course_id) is None
        for which in CourseList:
            assert repository.list(10, None, which, course.owner_id).items == []

    def test_saving_a_lesson_that_does_not_exist_is_stale_and_writes_nothing(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        with pytest.raises(StaleVersion):
            repository.save_lesson(_lesson(course.course_id, 1), expected_version=1)
        assert repository.load(course.course_id, lesson_id="lesson-1").lesson is None
        assert repository.lessons(course.course_id) == (Outline(course.course_id), [])

    def test_a_save_cannot_move_a_course_to_another_owner_or_creation_time(
        self, repository: LearningStore
    ) -> None:
        """The list entries are keyed by owner and creation time: a save that changed either
        would leave the old entries behind, so it is refused and changes nothing."""
        course = make_course(1)
        repository.add(course)
        moved = [
            course._replace(owner_id="teacher-2", version=2),
            course._replace(created_at="2026-05-01T00:00:00.000Z", version=2),
        ]
        for changed in moved:
            with pytest.raises(StaleVersion):
                repository.save(changed, expected_version=1)
        assert repository.get(course.course_id) == course
        assert repository.list(10, None, CourseList.ALL).items == [course]
        assert repository.list(10, None, CourseList.OWNED, "teacher-1").items == [course]
        assert repository.list(10, None, CourseList.OWNED, "teacher-2").items == []

    def test_load_gives_the_empty_outline_where_no_lesson_was_added(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        assert repository.load(course.course_id, outline=True).outline == Outline(course.course_id)
        assert repository.load("missing", outline=True) == Snapshot(
            course=None, outline=Outline("missing")
        )
        assert repository.load(course.course_id).outline is None  # not asked for

    def test_lessons_leave_out_ids_of_the_order_that_have_no_lesson(
        self, repository: LearningStore
    ) -> None:
        """The store does not check a new order (the service does): an id without a lesson
        stays in the outline but has no lesson to return."""
        course = make_course(1)
        repository.add(course)
        lesson = _lesson(course.course_id, 1)
        repository.add_lesson(lesson)
        order = ["ghost", lesson.lesson_id]
        assert repository.reorder(course.course_id, order, expected_version=1) == Outline(
            course.course_id, order, 2
        )
        assert repository.lessons(course.course_id) == (
            Outline(course.course_id, order, 2),
            [lesson],
        )

    def test_reorder_at_version_0_only_while_there_is_no_outline(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        with pytest.raises(StaleVersion):
            repository.reorder(course.course_id, [], expected_version=1)
        assert repository.reorder(course.course_id, [], expected_version=0) == Outline(
            course.course_id, [], 1
        )
        with pytest.raises(StaleVersion):
            repository.reorder(course.course_id, [], expected_version=0)
        repository.add_lesson(_lesson(course.course_id, 1))
        with pytest.raises(StaleVersion):
            repository.reorder(course.course_id, ["lesson-1"], expected_version=0)
        assert repository.lessons(course.course_id)[0] == Outline(course.course_id, ["lesson-1"], 2)

    def test_add_lesson_returns_the_new_lesson_only_not_the_outline(
        self, repository: LearningStore
    ) -> None:
        """A transaction returns no items, so the adapter cannot know the whole outline; the
        caller reads it (`lessons`, `load(outline=True)`)."""
        course = make_course(1)
        repository.add(course)
        repository.add_lesson(_lesson(course.course_id, 1))
        returned = repository.add_lesson(_lesson(course.course_id, 2))
        assert returned == Outline(course.course_id, ["lesson-2"])
        assert repository.lessons(course.course_id)[0] == Outline(
            course.course_id, ["lesson-1", "lesson-2"], 2
        )

    def test_complete_lesson_returns_the_given_enrolment_with_the_lesson(
        self, repository: LearningStore
    ) -> None:
        """The stored set is the union of every completion; the result is computed from the
        enrolment passed in (no read-back in the same round trip)."""
        course = make_course(1)
        repository.add(course)
        enrolment = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        repository.enrol(enrolment)
        repository.complete_lesson(enrolment, "lesson-1", "2026-04-02T00:00:00.000Z")
        stale = enrolment._replace(course_title="古い題")
        returned = repository.complete_lesson(stale, "lesson-2", "2026-04-03T00:00:00.000Z")
        assert returned == stale._replace(
            updated_at="2026-04-03T00:00:00.000Z", completed=frozenset({"lesson-2"})
        )
        stored = enrolment._replace(
            updated_at="2026-04-03T00:00:00.000Z", completed=frozenset({"lesson-1", "lesson-2"})
        )
        assert repository.load(course.course_id, learner_id="learner-1").enrolment == stored
        assert repository.learner_enrolments("learner-1", 10, None).items == [stored]

    def test_complete_lesson_without_an_enrolment_is_not_found_and_writes_nothing(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        enrolment = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        with pytest.raises(NotFound):
            repository.complete_lesson(enrolment, "lesson-1", STAMP)
        assert repository.load(course.course_id, learner_id="learner-1").enrolment is None
        assert repository.enrolments(course.course_id, 10, None).items == []
        assert repository.learner_enrolments("learner-1", 10, None).items == []

    def test_refused_re_adds_keep_what_was_stored(self, repository: LearningStore) -> None:
        course = make_course(1)
        repository.add(course)
        first = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        repository.enrol(first)
        with pytest.raises(Conflict):
            repository.enrol(first._replace(course_title="別", enrolled_at="later"))
        assert repository.load(course.course_id, learner_id="learner-1").enrolment == first
        assert repository.learner_enrolments("learner-1", 10, None).items == [first]
        assignment = _assignment(course.course_id, 1)
        repository.add_assignment(assignment)
        with pytest.raises(Conflict):
            repository.add_assignment(assignment._replace(title="別"))
        assert repository.assignments(course.course_id, 10, None).items == [assignment]
        submission = _submission(course.course_id, "learner-1")
        repository.save_submission(submission, None)
        with pytest.raises(StaleVersion):
            repository.save_submission(submission._replace(file_name="b.py"), None)
        loaded = repository.load(course.course_id, learner_id="learner-1", assignment_id="asg-1")
        assert loaded.submission == submission
        lesson = _lesson(course.course_id, 1)
        repository.add_lesson(lesson)
        with pytest.raises(Conflict):
            repository.add_lesson(lesson._replace(title="別"))
        assert repository.lessons(course.course_id) == (
            Outline(course.course_id, ["lesson-1"], 1),
            [lesson],
        )

    def test_lists_of_unknown_partitions_are_empty(self, repository: LearningStore) -> None:
        repository.add(make_course(1))
        empty: Page[object] = Page([], None)
        assert repository.enrolments("missing", 5, None) == empty
        assert repository.learner_enrolments("nobody", 5, None) == empty
        assert repository.assignments("missing", 5, None) == empty
        assert repository.submissions("missing", "asg-1", 5, None) == empty
        assert repository.submissions("course-001", "asg-1", 5, None) == empty
        assert repository.list(5, None, CourseList.PUBLISHED) == empty
        assert repository.list(5, None, CourseList.OWNED, "nobody") == empty

    def test_owned_list_without_an_owner_is_the_empty_owner_ids(
        self, repository: LearningStore
    ) -> None:
        """`owner_id` None lists the partition of the owner id "" (the route always names one)."""
        nobody, somebody = make_course(1, owner=""), make_course(2)
        repository.add(nobody)
        repository.add(somebody)
        assert repository.list(5, None, CourseList.OWNED).items == [nobody]
        assert repository.list(5, None, CourseList.OWNED, "").items == [nobody]

    def test_a_full_page_may_have_a_cursor_though_nothing_follows(
        self, repository: LearningStore
    ) -> None:
        """A Query stops at its Limit without looking further: the page that reaches the limit
        can carry a cursor even when it holds the last items, and the page after it is then
        empty and final. The table does so whenever the limit is reached; the emulator only
        where more items follow in the partition (after `ASSIGNMENT#…` the course item
        `COURSE` always does), so the course list below may end either way."""
        courses = [make_course(n) for n in range(2)]
        for course in courses:
            repository.add(course)
        for n in (1, 2):
            repository.add_assignment(_assignment("course-000", n))
        page = repository.assignments("course-000", 2, None)
        assert [a.assignment_id for a in page.items] == ["asg-1", "asg-2"]
        assert page.next_cursor is not None
        assert repository.assignments("course-000", 2, page.next_cursor) == Page([], None)
        assert repository.assignments("course-000", 3, None).next_cursor is None
        first = repository.list(2, None)
        assert first.items == list(reversed(courses))
        if first.next_cursor is not None:
            assert repository.list(2, first.next_cursor) == Page([], None)
        assert repository.list(3, None).next_cursor is None

    def test_a_cursor_is_good_only_for_the_list_it_came_from(
        self, repository: LearningStore
    ) -> None:
        for n in range(3):
            course = make_course(n)
            repository.add(course._replace(status=CourseStatus.PUBLISHED))
            repository.enrol(Enrolment(course.course_id, "learner-1", "題", STAMP, STAMP))
            repository.enrol(Enrolment(course.course_id, "learner-2", "題", STAMP, STAMP))
            repository.add_assignment(_assignment(course.course_id, n))
            repository.add_assignment(_assignment(course.course_id, n + 10))
        for learner in ("learner-1", "learner-2"):
            repository.save_submission(_submission("course-000", learner), None)
        cursors = {
            "all": repository.list(1, None).next_cursor,
            "published": repository.list(1, None, CourseList.PUBLISHED).next_cursor,
            "owned": repository.list(1, None, CourseList.OWNED, "teacher-1").next_cursor,
            "enrolments": repository.enrolments("course-000", 1, None).next_cursor,
            "mine": repository.learner_enrolments("learner-1", 1, None).next_cursor,
            "assignments": repository.assignments("course-000", 1, None).next_cursor,
            "submissions": repository.submissions("course-000", "asg-1", 1, None).next_cursor,
        }
        lists: dict[str, Callable[[str], object]] = {
            "all": lambda c: repository.list(1, c),
            "published": lambda c: repository.list(1, c, CourseList.PUBLISHED),
            "owned": lambda c: repository.list(1, c, CourseList.OWNED, "teacher-1"),
            "enrolments": lambda c: repository.enrolments("course-000", 1, c),
            "mine": lambda c: repository.learner_enrolments("learner-1", 1, c),
            "assignments": lambda c: repository.assignments("course-000", 1, c),
            "submissions": lambda c: repository.submissions("course-000", "asg-1", 1, c),
        }
        others: dict[str, Callable[[str], object]] = {
            "another owner": lambda c: repository.list(1, c, CourseList.OWNED, "teacher-2"),
            "another course": lambda c: repository.enrolments("course-001", 1, c),
            "another learner": lambda c: repository.learner_enrolments("learner-2", 1, c),
            "another assignment": lambda c: repository.submissions("course-000", "asg-2", 1, c),
        }
        for name, cursor in cursors.items():
            assert cursor is not None, name
            for other, call in {**lists, **others}.items():
                if other == name:
                    call(cursor)  # its own list goes on from it
                    continue
                with pytest.raises(InvalidInput) as raised:
                    call(cursor)
                assert [i.field for i in raised.value.issues] == ["cursor"], (name, other)

    def test_refusals_give_the_adapters_details(self, repository: LearningStore) -> None:
        """A refusal's detail reaches the client as the problem's `detail` (the 101st lesson's
        409, for one), so both stores word each refusal alike."""
        course = make_course(1)
        repository.add(course)
        lesson, assignment = _lesson(course.course_id, 1), _assignment(course.course_id, 1)
        enrolment = Enrolment(course.course_id, "learner-1", course.title, STAMP, STAMP)
        stranger = enrolment._replace(learner_id="learner-2")  # never enrolled
        submission = _submission(course.course_id, "learner-1")
        repository.add_lesson(lesson)
        repository.enrol(enrolment)
        repository.add_assignment(assignment)
        repository.save_submission(submission, None)
        refusals: list[tuple[Callable[[], object], type[Exception], str]] = [
            (lambda: repository.add(course), Conflict, "Course course-001 exists already."),
            (
                lambda: repository.save(course, 7),
                StaleVersion,
                "Course course-001 is not at version 7",
            ),
            (
                lambda: repository.add_lesson(lesson),
                Conflict,
                f"Lesson lesson-1 exists already, or the course has {MAX_LESSONS} lessons.",
            ),
            (
                lambda: repository.save_lesson(lesson, 5),
                StaleVersion,
                "Lesson lesson-1 is not at version 5.",
            ),
            (
                lambda: repository.reorder(course.course_id, [], 0),
                StaleVersion,
                "The order changed.",
            ),
            (
                lambda: repository.reorder(course.course_id, [], 5),
                StaleVersion,
                "The lesson order is not at version 5.",
            ),
            (
                lambda: repository.complete_lesson(stranger, "lesson-1", STAMP),
                NotFound,
                "Not enrolled.",
            ),
            (
                lambda: repository.add_assignment(assignment),
                Conflict,
                "Assignment asg-1 exists already.",
            ),
            (
                lambda: repository.save_submission(submission, None),
                StaleVersion,
                "The submission changed meanwhile.",
            ),
            (
                lambda: repository.save_submission(submission, 5),
                StaleVersion,
                "The submission changed meanwhile.",
            ),
            (lambda: repository.enrol(enrolment), Conflict, "Already enrolled."),
        ]
        for call, error, detail in refusals:
            with pytest.raises(error) as raised:
                call()
            assert str(raised.value) == detail


class LearningProductContract:
    """People, current course data, deletions and the grade export's read (APP-CRS-03,
    APP-CRS-04, APP-ASG-04): the same on the fake and on DynamoDB."""

    def test_app_crs_03_profiles_are_read_with_the_context_and_kept_by_enrol(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        first = Person("learner-1", "山田 花子", "hanako@example.com", STAMP)
        repository.enrol(Enrolment(course.course_id, "learner-1", "", STAMP, STAMP), first)
        # a later enrolment carries the token's (older) name: the stored profile is kept
        renamed = first._replace(name="山田 華子", updated_at="2026-05-01T00:00:00.000Z")
        repository.save_person(renamed)
        other = make_course(2)
        repository.add(other)
        repository.enrol(Enrolment(other.course_id, "learner-1", "", STAMP, STAMP), first)
        snapshot = repository.load(
            course.course_id, outline=True, people=("learner-1", "nobody", "learner-1")
        )
        assert snapshot.course == course
        assert snapshot.people == {"learner-1": renamed}
        assert snapshot.person("nobody") == Person("nobody", "", "")

    def test_app_crs_04_courses_are_read_as_stored_now_with_their_outlines(
        self, repository: LearningStore
    ) -> None:
        course, other = make_course(1), make_course(2)
        repository.add(course)
        repository.add(other)
        repository.add_lesson(_lesson(course.course_id, 1))
        renamed = course._replace(title="改題", version=2)
        repository.save(renamed, 1)
        found = repository.courses([course.course_id, "missing", other.course_id])
        assert set(found) == {course.course_id, other.course_id}
        assert found[course.course_id][0] == renamed
        assert found[course.course_id][1].lesson_ids == ["lesson-1"]
        assert found[other.course_id][1] == Outline(other.course_id)
        assert repository.courses([]) == {}

    def test_app_crs_01_delete_lesson_takes_it_out_of_the_order_at_its_version(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        for n in (1, 2, 3):
            repository.add_lesson(_lesson(course.course_id, n))
        outline, _ = repository.lessons(course.course_id)
        remaining = repository.delete_lesson(outline, "lesson-2")
        assert remaining == Outline(course.course_id, ["lesson-1", "lesson-3"], outline.version + 1)
        after, lessons = repository.lessons(course.course_id)
        assert after == remaining
        assert [lesson.lesson_id for lesson in lessons] == ["lesson-1", "lesson-3"]
        with pytest.raises(StaleVersion):  # the order read before the deletion
            repository.delete_lesson(outline, "lesson-3")
        with pytest.raises(StaleVersion):  # a lesson no longer there
            repository.delete_lesson(after, "lesson-2")
        assert repository.lessons(course.course_id)[0] == remaining

    def test_app_asg_01_assignments_are_saved_and_deleted_at_their_version(
        self, repository: LearningStore
    ) -> None:
        course = make_course(1)
        repository.add(course)
        assignment = _assignment(course.course_id, 1)
        repository.add_assignment(assignment)
        edited = assignment._replace(title="改題", version=2)
        repository.save_assignment(edited, 1)
        with pytest.raises(StaleVersion):
            repository.save_assignment(assignment, 1)
        with pytest.raises(StaleVersion):
            repository.delete_assignment(course.course_id, "asg-1", 1)
        loaded = repository.load(course.course_id, assignment_id="asg-1")
        assert loaded.assignment == edited
        repository.delete_assignment(course.course_id, "asg-1", 2)
        assert repository.load(course.course_id, assignment_id="asg-1").assignment is None
        with pytest.raises(StaleVersion):
            repository.delete_assignment(course.course_id, "asg-1", 2)

    def test_app_asg_04_records_read_a_course_whole(self, repository: LearningStore) -> None:
        course, other = make_course(1), make_course(2)
        repository.add(course)
        repository.add(other)
        repository.add_lesson(_lesson(course.course_id, 1))
        for c in (course, other):
            repository.add_assignment(_assignment(c.course_id, 1))
            repository.enrol(Enrolment(c.course_id, "learner-1", c.title, STAMP, STAMP))
            repository.save_submission(_submission(c.course_id, "learner-1"), None)
        records = repository.records(course.course_id)
        assert [a.course_id for a in records.assignments] == [course.course_id]
        assert [(e.course_id, e.learner_id) for e in records.enrolments] == [
            (course.course_id, "learner-1")
        ]
        assert records.submissions == [_submission(course.course_id, "learner-1")]

    def test_app_asg_02_load_reads_the_learners_own_submissions_of_the_assignments_asked(
        self, repository: LearningStore
    ) -> None:
        """listAssignments' mySubmission: the learner's submissions in the same transaction as
        the course and their enrolment; another learner's are not among them."""
        course = make_course(1)
        repository.add(course)
        for n in (1, 2):
            repository.add_assignment(_assignment(course.course_id, n))
        repository.save_submission(_submission(course.course_id, "learner-1"), None)
        repository.save_submission(_submission(course.course_id, "learner-2"), None)
        snapshot = repository.load(
            course.course_id, learner_id="learner-1", submissions_of=("asg-1", "asg-2", "asg-1")
        )
        assert snapshot.course == course
        assert snapshot.submissions == {"asg-1": _submission(course.course_id, "learner-1")}
        assert repository.load(course.course_id, submissions_of=("asg-1",)).submissions == {}
