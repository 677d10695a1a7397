"""The user directory contract (APP-ADM-01): the in-memory fake and the Cognito adapter on the
emulator pass the same tests. Subclasses provide `directory` and `make_user` fixtures."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from manabi_api.kernel.errors import InvalidInput, NotFound
from manabi_api.kernel.principal import Group
from manabi_api.ports.users import UserDirectory

MakeUser = Callable[[str, Group], None]


class UserDirectoryContract:
    def test_lists_users_with_their_groups_page_by_page(
        self, directory: UserDirectory, make_user: MakeUser
    ) -> None:
        for n in range(5):
            make_user(f"user{n}@example.com", Group.LEARNERS if n % 2 else Group.TEACHERS)
        seen = []
        cursor = None
        for _ in range(5):
            page = directory.list_users(2, cursor)
            assert len(page.items) <= 2
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
        assert sorted(u.username for u in seen) == [f"user{n}@example.com" for n in range(5)]
        by_name = {u.username: u for u in seen}
        assert by_name["user1@example.com"].groups == {Group.LEARNERS}
        assert by_name["user0@example.com"].groups == {Group.TEACHERS}
        assert all(u.enabled and u.user_id and u.email == u.username for u in seen)

    def test_set_group_replaces_the_group(
        self, directory: UserDirectory, make_user: MakeUser
    ) -> None:
        make_user("promote@example.com", Group.LEARNERS)
        user = directory.set_group("promote@example.com", Group.TEACHERS)
        assert user.groups == {Group.TEACHERS}
        stored = directory.get_user("promote@example.com")
        assert stored is not None
        assert stored.groups == {Group.TEACHERS}

    def test_disable_and_enable(self, directory: UserDirectory, make_user: MakeUser) -> None:
        make_user("pause@example.com", Group.LEARNERS)
        assert directory.set_enabled("pause@example.com", False).enabled is False
        assert directory.set_enabled("pause@example.com", True).enabled is True

    def test_unknown_user(self, directory: UserDirectory) -> None:
        assert directory.get_user("nobody@example.com") is None
        with pytest.raises(NotFound):
            directory.set_group("nobody@example.com", Group.ADMINS)

    def test_bad_cursor_names_cursor(self, directory: UserDirectory) -> None:
        with pytest.raises(InvalidInput) as raised:
            directory.list_users(5, "garbage")
        assert [i.field for i in raised.value.issues] == ["cursor"]
