"""The in-memory fake against the course storage contract."""

from __future__ import annotations

import pytest

from tests.contract.course_repository import (
    CourseRepositoryContract,
    LearningProductContract,
    LearningStoreContract,
    SetScanStatus,
)
from tests.fakes.memory_learning_store import InMemoryLearningStore


class TestInMemoryLearningStore(
    CourseRepositoryContract, LearningStoreContract, LearningProductContract
):
    @pytest.fixture
    def repository(self) -> InMemoryLearningStore:
        return InMemoryLearningStore()

    @pytest.fixture
    def set_scan_status(self, repository: InMemoryLearningStore) -> SetScanStatus:
        return repository.set_scan_status
