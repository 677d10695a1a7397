"""Who is calling: built from the Cognito claims the API Gateway authorizer passes on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Group(StrEnum):
    LEARNERS = "learners"
    TEACHERS = "teachers"
    ADMINS = "admins"


@dataclass(frozen=True)
class Principal:
    user_id: str
    email: str
    groups: frozenset[Group]
    name: str = ""  # Cognito's `name` claim; "" for accounts made before it was asked for

    def in_any(self, groups: frozenset[Group]) -> bool:
        return not self.groups.isdisjoint(groups)


def parse_groups(raw: object) -> frozenset[Group]:
    """`cognito:groups`: a list in the JWT, a comma or space separated string in REST events."""
    if isinstance(raw, str):
        names = raw.strip("[]").replace(",", " ").split()
    elif isinstance(raw, list | tuple):
        names = [str(n) for n in raw]
    else:
        names = []
    known = {g.value for g in Group}
    return frozenset(Group(n) for n in names if n in known)


def principal_from_claims(claims: Mapping[str, object] | None) -> Principal | None:
    if not claims or not claims.get("sub"):
        return None
    return Principal(
        user_id=str(claims["sub"]),
        email=str(claims.get("email", "")),
        groups=parse_groups(claims.get("cognito:groups")),
        name=str(claims.get("name", "")),
    )
