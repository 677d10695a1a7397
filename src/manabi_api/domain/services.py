"""The domain services of the API, built on the ports they use (the composition root passes the
real adapters; tests pass fakes)."""

from __future__ import annotations

from dataclasses import dataclass

from manabi_api.domain.assignments import AssignmentService
from manabi_api.domain.courses import CourseService
from manabi_api.domain.enrolment import EnrolmentService
from manabi_api.domain.grades import GradeService
from manabi_api.domain.health import HealthService, Probe
from manabi_api.domain.lessons import LessonService
from manabi_api.domain.submissions import SubmissionService
from manabi_api.domain.users import UserAdminService
from manabi_api.ports.files import FileStore, ScanRequests
from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock, IdGenerator
from manabi_api.ports.users import UserDirectory
from manabi_contract.storage import DEFAULT_UPLOADS_PER_HOUR


@dataclass(frozen=True)
class Services:
    courses: CourseService
    lessons: LessonService
    enrolment: EnrolmentService
    assignments: AssignmentService
    submissions: SubmissionService
    grades: GradeService
    users: UserAdminService
    health: HealthService


def build_services(
    store: LearningStore,
    users: UserDirectory,
    files: FileStore,
    scans: ScanRequests | None,
    clock: Clock,
    ids: IdGenerator,
    uploads_per_hour: int = DEFAULT_UPLOADS_PER_HOUR,
) -> Services:
    """`scans` is None with the GuardDuty backend (its scans cannot be asked for again)."""
    return Services(
        courses=CourseService(store, clock, ids),
        lessons=LessonService(store, clock, ids),
        enrolment=EnrolmentService(store, clock),
        assignments=AssignmentService(store, clock, ids),
        submissions=SubmissionService(store, clock, ids, files, scans, uploads_per_hour),
        grades=GradeService(store),
        users=UserAdminService(users),
        health=HealthService(_probes(store, files, users, scans)),
    )


def _probes(
    store: LearningStore, files: FileStore, users: UserDirectory, scans: ScanRequests | None
) -> dict[str, Probe]:
    """Every dependency the API's routes need, by the name `/health` reports."""
    probes = {"table": store.probe, "dataBucket": files.probe, "userPool": users.probe}
    if scans is not None:
        probes["scanQueue"] = scans.probe
    return probes
