"""User accounts as the directory (the Cognito user pool) holds them (APP-ADM-01)."""

from __future__ import annotations

from typing import NamedTuple

from manabi_api.kernel.paging import Page
from manabi_api.kernel.principal import Group


class DirectoryUser(NamedTuple):
    username: str
    user_id: str  # the `sub`
    email: str
    enabled: bool
    status: str  # Cognito's UserStatus, e.g. CONFIRMED
    groups: frozenset[Group]
    created_at: str


# A page of accounts: the same `Page` as every other list of the API.
UserPage = Page[DirectoryUser]
