"""The in-memory user directory against the user directory contract (APP-ADM-01)."""

from __future__ import annotations

import pytest

from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser
from tests.contract.user_directory import MakeUser, UserDirectoryContract
from tests.fakes.memory_users import InMemoryUserDirectory


class TestInMemoryUserDirectory(UserDirectoryContract):
    @pytest.fixture
    def directory(self) -> InMemoryUserDirectory:
        return InMemoryUserDirectory()

    @pytest.fixture
    def make_user(self, directory: InMemoryUserDirectory) -> MakeUser:
        def make(username: str, group: Group) -> None:
            directory.add(
                DirectoryUser(
                    username,
                    f"sub-{username}",
                    username,
                    True,
                    "CONFIRMED",
                    frozenset({group}),
                    "2026-04-01T00:00:00+00:00",
                )
            )

        return make
