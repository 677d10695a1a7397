"""Account administration (APP-ADM-01): list users, change a group, disable and enable."""

from __future__ import annotations

from manabi_api.api.access import ADMINS
from manabi_api.api.problems import CHANGING, PROBLEMS
from manabi_api.api.routing import QueryParam, Reply, Request, ResourceRouter, page_json
from manabi_api.domain.users import UserAdminService
from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser

router: ResourceRouter[UserAdminService] = ResourceRouter("admin")


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


@router.route(
    "GET",
    "/admin/users",
    "listUsers",
    "List user accounts",
    ADMINS,
    {200: "UserPage", **PROBLEMS},
    query=(
        QueryParam("limit", "Page size (1–60, default 20).", integer=True, maximum=60, default=20),
        QueryParam("cursor", "The `nextCursor` of the previous page."),
    ),
)
def list_users(request: Request, users: UserAdminService) -> Reply:
    page = users.list(*request.page)
    return Reply(200, page_json(page, user_json))


@router.route(
    "PUT",
    "/admin/users/{username}/group",
    "setUserGroup",
    "Make a group the user's only group",
    ADMINS,
    {200: "User", **CHANGING},
    body="UserGroup",
)
def set_group(request: Request, users: UserAdminService) -> Reply:
    user = users.set_group(request.caller, request.username, Group(request.body["group"]))
    return Reply(200, user_json(user))


for _action, _enabled in (("disable", False), ("enable", True)):

    def set_enabled(request: Request, users: UserAdminService, enabled: bool = _enabled) -> Reply:
        user = users.set_enabled(request.caller, request.username, enabled)
        return Reply(200, user_json(user))

    router.route(
        "POST",
        f"/admin/users/{{username}}/{_action}",
        f"{_action}User",
        f"{_action.capitalize()} an account",
        ADMINS,
        {200: "User", **CHANGING},
    )(set_enabled)
