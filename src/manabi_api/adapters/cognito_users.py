"""The user directory on the Cognito user pool (admin APIs of cognito-idp).

IAM actions the API Lambda needs on the pool: cognito-idp:ListUsers, AdminGetUser,
AdminListGroupsForUser, AdminAddUserToGroup, AdminRemoveUserFromGroup, AdminDisableUser,
AdminEnableUser. The client is created on first use, so the cold start of every other route does
not pay for loading the cognito-idp service model.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from manabi_api.adapters.cursor import decode_cursor, encode_cursor, invalid_cursor
from manabi_api.kernel.errors import NotFound
from manabi_api.kernel.principal import Group, parse_groups
from manabi_api.kernel.users import DirectoryUser, UserPage

if TYPE_CHECKING:
    from mypy_boto3_cognito_idp import CognitoIdentityProviderClient


def _attribute(attributes: list[Any], name: str) -> str:
    return next((str(a["Value"]) for a in attributes if a["Name"] == name), "")


class CognitoUserDirectory:
    def __init__(
        self, client_factory: Callable[[], CognitoIdentityProviderClient], user_pool_id: str
    ) -> None:
        self._factory = client_factory
        self._client: CognitoIdentityProviderClient | None = None
        self._pool = user_pool_id

    @property
    def client(self) -> CognitoIdentityProviderClient:
        if self._client is None:
            self._client = self._factory()
        return self._client

    def _groups(self, username: str) -> frozenset[Group]:
        response = self.client.admin_list_groups_for_user(
            UserPoolId=self._pool, Username=username, Limit=60
        )
        return parse_groups([g["GroupName"] for g in response.get("Groups", [])])

    def _user(self, username: str, attributes: list[Any], raw: Any) -> DirectoryUser:
        created = raw.get("UserCreateDate")
        return DirectoryUser(
            username=username,
            user_id=_attribute(attributes, "sub"),
            email=_attribute(attributes, "email"),
            enabled=bool(raw.get("Enabled", True)),
            status=str(raw.get("UserStatus", "UNKNOWN")),
            groups=self._groups(username),
            created_at=created.isoformat() if created is not None else "",
        )

    def list_users(self, limit: int, cursor: str | None) -> UserPage:
        request: dict[str, Any] = {"UserPoolId": self._pool, "Limit": min(limit, 60)}
        if cursor is not None:
            request["PaginationToken"] = decode_cursor(cursor, frozenset({"token"}))["token"]
        try:
            response = self.client.list_users(**request)
        except self.client.exceptions.InvalidParameterException as error:
            if cursor is None:
                raise
            raise invalid_cursor() from error  # a token Cognito no longer accepts
        users = [
            self._user(u["Username"], u.get("Attributes", []), u) for u in response.get("Users", [])
        ]
        token = response.get("PaginationToken")
        return UserPage(users, encode_cursor({"token": token}) if token else None)

    def get_user(self, username: str) -> DirectoryUser | None:
        try:
            raw = self.client.admin_get_user(UserPoolId=self._pool, Username=username)
        except (
            self.client.exceptions.UserNotFoundException,
            self.client.exceptions.InvalidParameterException,  # not a possible user name
        ):
            return None
        return self._user(raw["Username"], raw.get("UserAttributes", []), raw)

    def _existing(self, username: str) -> DirectoryUser:
        user = self.get_user(username)
        if user is None:
            raise NotFound(f"User {username} does not exist.")
        return user

    def add_to_group(self, username: str, group: Group) -> None:
        """One AdminAddUserToGroup (idempotent in Cognito): what the PostConfirmation trigger
        needs, without reading the user first."""
        self.client.admin_add_user_to_group(
            UserPoolId=self._pool, Username=username, GroupName=group.value
        )

    def set_group(self, username: str, group: Group) -> DirectoryUser:
        user = self._existing(username)
        if group not in user.groups:
            self.add_to_group(username, group)
        for old in user.groups - {group}:
            self.client.admin_remove_user_from_group(
                UserPoolId=self._pool, Username=username, GroupName=old.value
            )
        return self._existing(username)

    def set_enabled(self, username: str, enabled: bool) -> DirectoryUser:
        if enabled:
            self.client.admin_enable_user(UserPoolId=self._pool, Username=username)
        else:
            self.client.admin_disable_user(UserPoolId=self._pool, Username=username)
        return self._existing(username)

    def probe(self) -> None:
        self.client.list_users(UserPoolId=self._pool, Limit=1, AttributesToGet=["sub"])
