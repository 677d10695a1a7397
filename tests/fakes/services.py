"""The API's domain services on in-memory fakes: what a unit test builds instead of wiring."""

from __future__ import annotations

from enum import StrEnum

from manabi_api.adapters.system import RandomIds, SystemClock
from manabi_api.domain.services import Services, build_services
from manabi_api.kernel.assignments import SubmissionStatus
from manabi_api.kernel.errors import NotFound
from manabi_api.ports.files import FileStore, ScanRequests
from manabi_api.ports.learning import LearningStore
from manabi_api.ports.runtime import Clock, IdGenerator
from manabi_api.ports.users import UserDirectory
from manabi_contract.storage import parse_submission_key
from tests.fakes.memory_files import InMemoryFileStore
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.memory_users import InMemoryUserDirectory


def fake_services(
    store: LearningStore | None = None,
    *,
    users: UserDirectory | None = None,
    files: FileStore | None = None,
    scans: ScanRequests | None = None,
    clock: Clock | None = None,
    ids: IdGenerator | None = None,
) -> Services:
    """Every port a fake (or the one given), the system clock and random ids by default."""
    return build_services(
        store if store is not None else InMemoryLearningStore(),
        users if users is not None else InMemoryUserDirectory(),
        files if files is not None else InMemoryFileStore(),
        scans,
        clock or SystemClock(),
        ids or RandomIds(),
    )


class MemorySubmissionVerdicts:
    """The scanner's verdict sink (manabi_scanner.submissions) on the in-memory store."""

    def __init__(self, store: InMemoryLearningStore) -> None:
        self._store = store

    def record(self, key: str, status: StrEnum) -> bool:
        ref = parse_submission_key(key)
        if ref is None:
            return False
        try:
            self._store.set_scan_status(
                ref.course_id,
                ref.assignment_id,
                ref.learner_id,
                SubmissionStatus(status.value),
                object_key=key,
            )
        except NotFound:
            return False
        return True
