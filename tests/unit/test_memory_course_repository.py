"""The in-memory fake against the course storage contract."""

from __future__ import annotations

import pytest

from manabi_api.adapters.memory_courses import InMemoryCourseRepository
from tests.contract.course_repository import (
    CourseRepositoryContract,
    LearningStoreContract,
)


class TestInMemoryCourseRepository(CourseRepositoryContract, LearningStoreContract):
    @pytest.fixture
    def repository(self) -> InMemoryCourseRepository:
        return InMemoryCourseRepository()
