"""The user directory port (Cognito user pool admin operations; in-memory fake for tests)."""

from __future__ import annotations

from typing import NamedTuple, Protocol

from manabi_api.domain.principal import Group


class DirectoryUser(NamedTuple):
    username: str
    user_id: str  # the `sub`
    email: str
    enabled: bool
    status: str  # Cognito's UserStatus, e.g. CONFIRMED
    groups: frozenset[Group]
    created_at: str


class UserPage(NamedTuple):
    items: list[DirectoryUser]
    next_cursor: str | None


class UserDirectory(Protocol):
    def list_users(self, limit: int, cursor: str | None) -> UserPage:
        """A malformed cursor raises InvalidInput naming `cursor`."""

    def get_user(self, username: str) -> DirectoryUser | None: ...

    def set_group(self, username: str, group: Group) -> DirectoryUser:
        """Make `group` the user's only group of ours; NotFound for an unknown user."""

    def set_enabled(self, username: str, enabled: bool) -> DirectoryUser: ...
