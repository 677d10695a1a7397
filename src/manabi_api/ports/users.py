"""The user directory port (Cognito user pool admin operations; an in-memory fake in tests)."""

from __future__ import annotations

from typing import Protocol

from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser, UserPage


class UserDirectory(Protocol):
    def list_users(self, limit: int, cursor: str | None) -> UserPage:
        """A malformed cursor raises InvalidInput naming `cursor`."""

    def get_user(self, username: str) -> DirectoryUser | None: ...

    def set_group(self, username: str, group: Group) -> DirectoryUser:
        """Make `group` the user's only group of ours; NotFound for an unknown user."""

    def set_enabled(self, username: str, enabled: bool) -> DirectoryUser: ...

    def probe(self) -> None:
        """Raise Throttled or Unavailable when the user pool cannot serve (the health check)."""
