"""In-memory user directory for unit tests (same behaviour as the Cognito adapter)."""

from __future__ import annotations

from manabi_api.adapters.cursor import decode_cursor, encode_cursor
from manabi_api.kernel.errors import NotFound
from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser, UserPage


class InMemoryUserDirectory:
    def __init__(self, users: list[DirectoryUser] | None = None) -> None:
        self._users = {u.username: u for u in users or []}

    def add(self, user: DirectoryUser) -> None:
        self._users[user.username] = user

    def list_users(self, limit: int, cursor: str | None) -> UserPage:
        ordered = sorted(self._users)
        if cursor is not None:
            after = decode_cursor(cursor, frozenset({"after"}))["after"]
            ordered = [u for u in ordered if u > after]
        page = ordered[:limit]
        next_cursor = encode_cursor({"after": page[-1]}) if len(ordered) > limit else None
        return UserPage([self._users[u] for u in page], next_cursor)

    def get_user(self, username: str) -> DirectoryUser | None:
        return self._users.get(username)

    def _existing(self, username: str) -> DirectoryUser:
        user = self._users.get(username)
        if user is None:
            raise NotFound(f"User {username} does not exist.")
        return user

    def set_group(self, username: str, group: Group) -> DirectoryUser:
        user = self._existing(username)._replace(groups=frozenset({group}))
        self._users[username] = user
        return user

    def set_enabled(self, username: str, enabled: bool) -> DirectoryUser:
        user = self._existing(username)._replace(enabled=enabled)
        self._users[username] = user
        return user

    def probe(self) -> None:
        """Always answers (tests that need a failing dependency replace it)."""
