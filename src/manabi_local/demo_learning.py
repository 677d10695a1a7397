"""The demo courses and what the demo learners did in them, written through the API's own domain
services on the template-provisioned table, bucket and scan queue (manabi_local.demo_content).

Two phases, both idempotent on data kept from an earlier run (MP-LOC-01):
- `seed_learning`, before the scanner starts: each course is created, filled and published last,
  so a published course is seeded (or was changed by its teacher since) and is left alone; the
  learners enrol, complete their lessons and upload their files the way the SPA does (presigned
  POST to the data bucket, then the completion call). A submission that exists is never sent
  again, so a restart uploads nothing and the scanner has nothing to judge again.
- `grade_demo_submissions`, once the scanner runs: the real scanner's verdicts reach the
  submissions (clean, infected), and the teacher grades the clean ones the demo grades. A
  submission already graded, not clean or replaced by another file is left as it is.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import requests

from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.adapters.dynamodb import DynamoDbLearningStore
from manabi_api.adapters.s3_files import S3FileStore
from manabi_api.adapters.sqs_scans import SqsScanRequests
from manabi_api.adapters.system import SystemClock
from manabi_api.domain.services import Services, build_services
from manabi_api.kernel.assignments import FileMetadata, NewAssignment, SubmissionStatus
from manabi_api.kernel.courses import CourseStatus, NewCourse
from manabi_api.kernel.errors import Conflict, DomainError, StaleVersion
from manabi_api.kernel.principal import Group, Principal
from manabi_api.settings import ApiSettings
from manabi_api.wiring import S3_CONFIG
from manabi_contract.storage import submission_object_key
from manabi_local.demo_content import (
    DEMO_COURSES,
    DEMO_ENROLMENTS,
    DEMO_SUBMISSIONS,
    DemoAssignment,
    DemoCourse,
    DemoEnrolment,
    DemoSubmission,
)
from manabi_local.provisioning import EmulatorClients, LocalResources

_log = logging.getLogger("manabi_local.seed")
JST = timezone(timedelta(hours=9))
DEMO_CONTENT_TYPE = "text/plain"
TEACHER_EMAIL = "teacher@example.com"
# How long the first start waits for the scanner's verdicts before grading (a clamd scan of a
# small file takes well under a second; the workers poll every second).
GRADE_WAIT_SECONDS = 60.0


class _ChosenIds:
    """The IdGenerator of the seed: hands out the id set before each create, so that the demo's
    records keep the same ids on every start (and the README and tests can name them)."""

    def __init__(self) -> None:
        self.next_id = ""

    def new_id(self) -> str:
        return self.next_id


def due_date(assignment: DemoAssignment, now: datetime) -> str:
    """The assignment's due date: its fixed one, or 23:59 JST that many days from now."""
    if assignment.due_at:
        return assignment.due_at
    day = (now.astimezone(JST) + timedelta(days=assignment.due_in_days)).date()
    return datetime(day.year, day.month, day.day, 23, 59, tzinfo=JST).isoformat()


@dataclass
class DemoSeeder:
    services: Services
    ids: _ChosenIds
    store: DynamoDbLearningStore
    people: dict[str, Principal]  # e-mail → the demo account as its token would name it

    @classmethod
    def connect(cls, resources: LocalResources, clients: EmulatorClients) -> DemoSeeder:
        """The API's services on the local resources, as the API function builds them."""
        settings = ApiSettings.from_environment(resources.api_environment)
        store = DynamoDbLearningStore(clients.dynamodb, settings.table_name)
        s3 = clients.session.client("s3", endpoint_url=clients.endpoint, config=S3_CONFIG)
        files = S3FileStore(lambda: s3, settings.data_bucket)
        scans = None
        if settings.scan_queue_url:
            queue, bucket = settings.scan_queue_url, settings.data_bucket
            scans = SqsScanRequests(lambda: clients.sqs, queue, bucket)
        users = CognitoUserDirectory(lambda: clients.cognito, settings.user_pool_id)
        ids = _ChosenIds()
        services = build_services(store, users, files, scans, SystemClock(), ids)
        return cls(services, ids, store, _demo_people(clients.cognito, settings.user_pool_id))

    # --- phase 1 ---------------------------------------------------------------------------------

    def seed_course(self, demo: DemoCourse, now: datetime) -> None:
        teacher = self.people[TEACHER_EMAIL]
        course = self.store.get(demo.course_id)
        if course is not None and (
            course.status is not CourseStatus.DRAFT or course.owner_id != teacher.user_id
        ):
            return  # seeded (published last) or changed since: the teacher's now
        if course is None:
            self.ids.next_id = demo.course_id
            try:
                self.services.courses.create(teacher, NewCourse(demo.title, demo.description))
            except Conflict:  # created meanwhile
                return
        _, lessons = self.store.lessons(demo.course_id)
        present = {lesson.lesson_id for lesson in lessons}
        for lesson in demo.lessons:
            if lesson.lesson_id not in present:
                self.ids.next_id = lesson.lesson_id
                self.services.lessons.add(teacher, demo.course_id, lesson.title, lesson.body)
        for assignment in demo.assignments:
            if self.store.load(demo.course_id, assignment_id=assignment.assignment_id).assignment:
                continue
            self.ids.next_id = assignment.assignment_id
            due_at = due_date(assignment, now)
            new = NewAssignment(assignment.title, assignment.instructions, due_at)
            self.services.assignments.create(teacher, demo.course_id, new)
        draft = self.store.get(demo.course_id)
        if draft is not None:
            self.services.courses.transition(
                teacher, demo.course_id, CourseStatus.PUBLISHED, draft.version
            )

    def seed_enrolment(self, demo: DemoEnrolment) -> None:
        """Enrol and complete the lessons (enrolling again and completing again change nothing;
        a lesson its teacher deleted is skipped)."""
        learner = self.people[demo.learner_email]
        course = self.store.get(demo.course_id)
        if course is None or course.status is not CourseStatus.PUBLISHED:
            return
        enrolment, _ = self.services.enrolment.enrol(learner, demo.course_id)
        for lesson_id in demo.completed:
            if lesson_id in enrolment.completed:
                continue
            try:
                self.services.enrolment.complete(learner, demo.course_id, lesson_id)
            except DomainError as error:
                _log.info("demo progress on %s skipped: %s", lesson_id, error)

    def seed_submission(self, demo: DemoSubmission) -> None:
        """Upload the file as the SPA does and record it, unless the learner submitted already."""
        learner = self.people[demo.learner_email]
        snapshot = self.store.load(
            demo.course_id, learner_id=learner.user_id, assignment_id=demo.assignment_id
        )
        if snapshot.assignment is None or snapshot.enrolment is None or snapshot.submission:
            return
        file = FileMetadata(demo.file_name, DEMO_CONTENT_TYPE, len(demo.body))
        submissions = self.services.submissions
        try:
            self.ids.next_id = demo.upload_id
            ticket = submissions.start_upload(learner, demo.course_id, demo.assignment_id, file)
            posted = requests.post(
                ticket.url,
                data=ticket.fields,
                files={"file": (demo.file_name, demo.body, DEMO_CONTENT_TYPE)},
                timeout=30,
            )
            posted.raise_for_status()
            submissions.submit(learner, demo.course_id, demo.assignment_id, file, ticket.upload_id)
        except Conflict as error:  # e.g. kept data whose due date has passed
            _log.info("demo submission %s skipped: %s", demo.file_name, error)

    # --- phase 2 ---------------------------------------------------------------------------------

    def grade(self, demo: DemoSubmission) -> bool:
        """Grade the demo's file once it is clean; False while its verdict is still awaited."""
        teacher, learner = self.people[TEACHER_EMAIL], self.people[demo.learner_email]
        key = submission_object_key(
            demo.course_id, demo.assignment_id, learner.user_id, demo.upload_id
        )
        submission = self.store.load(
            demo.course_id, learner_id=learner.user_id, assignment_id=demo.assignment_id
        ).submission
        if submission is None or submission.object_key != key or submission.grade is not None:
            return True  # not the demo's file (any more), or graded already
        if submission.status is SubmissionStatus.PENDING:
            return False
        if submission.status is not SubmissionStatus.CLEAN or demo.grade is None:
            return True
        try:
            self.services.submissions.grade(
                teacher,
                demo.course_id,
                demo.assignment_id,
                learner.user_id,
                demo.grade,
                demo.feedback,
                submission.version,
            )
        except StaleVersion:  # the scanner recorded a verdict meanwhile: read it again
            return False
        return True


def _demo_people(cognito: Any, pool_id: str) -> dict[str, Principal]:
    """The seeded accounts by e-mail, with their sub, groups and 氏名 as a token carries them."""
    people = {}
    for group in Group:
        pages = cognito.get_paginator("list_users_in_group").paginate(
            UserPoolId=pool_id, GroupName=group.value
        )
        for page in pages:
            for user in page["Users"]:
                attributes = {a["Name"]: a["Value"] for a in user.get("Attributes", [])}
                email = attributes.get("email", "")
                if email.endswith("@example.com"):
                    people[email] = Principal(
                        attributes["sub"], email, frozenset({group}), attributes.get("name", "")
                    )
    return people


def seed_learning(resources: LocalResources, clients: EmulatorClients) -> None:
    """Phase 1: the courses, the learners' enrolments and progress, their uploads."""
    seeder = DemoSeeder.connect(resources, clients)
    now = datetime.now(UTC)
    for course in DEMO_COURSES:
        seeder.seed_course(course, now)
    for enrolment in DEMO_ENROLMENTS:
        seeder.seed_enrolment(enrolment)
    for submission in DEMO_SUBMISSIONS:
        seeder.seed_submission(submission)


def grade_demo_submissions(
    resources: LocalResources,
    clients: EmulatorClients,
    wait_seconds: float = GRADE_WAIT_SECONDS,
) -> bool:
    """Phase 2, with the scanner running: grade what the demo grades once the scanner found it
    clean. False if a verdict did not come within `wait_seconds` (the next start grades it)."""
    seeder = DemoSeeder.connect(resources, clients)
    waiting = [s for s in DEMO_SUBMISSIONS if s.grade is not None]
    deadline = time.monotonic() + wait_seconds
    while waiting:
        waiting = [s for s in waiting if not seeder.grade(s)]
        if not waiting:
            break
        if time.monotonic() > deadline:
            _log.warning(
                "no scan verdict yet on %s; the demo grades it on the next start",
                ", ".join(s.file_name for s in waiting),
            )
            return False
        time.sleep(0.25)
    return True
