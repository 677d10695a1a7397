"""Account administration (APP-ADM-01): list users, change a group, disable and enable."""

from __future__ import annotations

from manabi_api.api.access import ADMINS
from manabi_api.api.problems import CHANGING, PROBLEMS
from manabi_api.api.routing import QueryParam, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.users import UserAdminService
from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser

router: ResourceRouter[UserAdminService] = ResourceRouter("admin")
USER = "/admin/users/{username}"
# Cognito lists at most 60 accounts a call.
USER_PAGE_QUERY = (
    QueryParam("limit", "Page size (1–60, default 20).", integer=True, maximum=60, default=20),
    QueryParam("cursor", "The `nextCursor` of the previous page."),
)


def user_json(u: DirectoryUser) -> dict[str, object]:
    return {
        "username": u.username,
        "userId": u.user_id,
        "email": u.email,
        "enabled": u.enabled,
        "status": u.status,
        "groups": sorted(g.value for g in u.groups),
        "createdAt": u.created_at,
    }


@router.get(
    "/admin/users", "listUsers", ADMINS, {200: "UserPage", **PROBLEMS}, query=USER_PAGE_QUERY
)
def list_users(request: Request, users: UserAdminService) -> Reply:
    """List user accounts"""
    return Reply(200, page_json(users.list(*request.page), user_json))


@router.put(f"{USER}/group", "setUserGroup", ADMINS, {200: "User", **CHANGING}, body="UserGroup")
def set_group(request: Request, users: UserAdminService) -> Reply:
    """Make a group the user's only group"""
    group = Group(request.body["group"])
    return Reply(200, user_json(users.set_group(request.caller, request.username, group)))


@router.post(f"{USER}/disable", "disableUser", ADMINS, {200: "User", **CHANGING})
def disable_user(request: Request, users: UserAdminService) -> Reply:
    """Disable an account"""
    return Reply(200, user_json(users.set_enabled(request.caller, request.username, False)))


@router.post(f"{USER}/enable", "enableUser", ADMINS, {200: "User", **CHANGING})
def enable_user(request: Request, users: UserAdminService) -> Reply:
    """Enable an account"""
    return Reply(200, user_json(users.set_enabled(request.caller, request.username, True)))
