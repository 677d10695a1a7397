"""Account administration (APP-ADM-01): list users, change group, disable and enable."""

from __future__ import annotations

from manabi_api.kernel.errors import Conflict, NotFound
from manabi_api.kernel.principal import Group, Principal
from manabi_api.kernel.users import DirectoryUser, UserPage
from manabi_api.ports.users import UserDirectory


class UserAdminService:
    def __init__(self, directory: UserDirectory) -> None:
        self._directory = directory

    def list(self, limit: int, cursor: str | None) -> UserPage:
        return self._directory.list_users(limit, cursor)

    def _target(self, admin: Principal, username: str) -> DirectoryUser:
        user = self._directory.get_user(username)
        if user is None:
            raise NotFound(f"User {username} does not exist.")
        if user.user_id == admin.user_id:
            raise Conflict("Administrators cannot change or disable their own account.")
        return user

    def set_group(self, admin: Principal, username: str, group: Group) -> DirectoryUser:
        self._target(admin, username)
        return self._directory.set_group(username, group)

    def set_enabled(self, admin: Principal, username: str, enabled: bool) -> DirectoryUser:
        self._target(admin, username)
        return self._directory.set_enabled(username, enabled)
