"""APP-ADM-01 through the API: admins list users, change a group, disable and enable accounts."""

from __future__ import annotations

import json
from typing import Any

from manabi_api.api.application import create_api
from manabi_api.kernel.principal import Group
from manabi_api.kernel.users import DirectoryUser
from tests.fakes.memory_learning_store import InMemoryLearningStore
from tests.fakes.memory_users import InMemoryUserDirectory
from tests.fakes.services import fake_services
from tests.support_events import ADMIN, rest_event


def _user(name: str, sub: str, group: Group) -> DirectoryUser:
    return DirectoryUser(name, sub, name, True, "CONFIRMED", frozenset({group}), "2026-04-01")


def _api() -> Any:
    directory = InMemoryUserDirectory(
        [
            _user("admin@example.com", ADMIN["sub"], Group.ADMINS),
            *[_user(f"u{n}@example.com", f"sub-{n}", Group.LEARNERS) for n in range(3)],
        ]
    )
    return create_api(fake_services(InMemoryLearningStore(), users=directory), None)


def _call(api: Any, method: str, path: str, **kwargs: Any) -> tuple[int, Any]:
    response = api.resolve(rest_event(method, path, claims=ADMIN, **kwargs), None)
    return response["statusCode"], json.loads(response["body"])


def test_app_adm_01_admin_manages_accounts() -> None:
    api = _api()
    status, page = _call(api, "GET", "/admin/users", query={"limit": "2"})
    assert status == 200
    assert [u["username"] for u in page["items"]] == ["admin@example.com", "u0@example.com"]
    status, rest = _call(api, "GET", "/admin/users", query={"cursor": page["nextCursor"]})
    assert [u["username"] for u in rest["items"]] == ["u1@example.com", "u2@example.com"]
    status, user = _call(
        api, "PUT", "/admin/users/u1@example.com/group", body={"group": "teachers"}
    )
    assert (status, user["groups"]) == (200, ["teachers"])
    status, user = _call(api, "POST", "/admin/users/u1@example.com/disable")
    assert (status, user["enabled"]) == (200, False)
    status, user = _call(api, "POST", "/admin/users/u1@example.com/enable")
    assert (status, user["enabled"]) == (200, True)


def test_app_adm_01_bad_requests_and_self_protection() -> None:
    api = _api()
    status, problem = _call(api, "PUT", "/admin/users/u1@example.com/group", body={"group": "x"})
    assert (status, problem["errors"][0]["field"]) == (400, "group")
    assert _call(api, "POST", "/admin/users/nobody@example.com/disable")[0] == 404
    # an admin cannot lock themselves out
    assert _call(api, "POST", "/admin/users/admin@example.com/disable")[0] == 409
    status, _ = _call(
        api, "PUT", "/admin/users/admin@example.com/group", body={"group": "learners"}
    )
    assert status == 409
    assert _call(api, "GET", "/admin/users", query={"cursor": "bad"})[0] == 400
