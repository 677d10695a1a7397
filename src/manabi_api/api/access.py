"""Who may call a route: anybody, any signed-in user, or the members of some groups.

A route names one of the rules below (`@router.get(path, operation_id, TEACHING, …)`);
`api.requests.authorise` enforces it before the route runs and `api.openapi` documents it.
Ownership (the course's own teacher, the learner's own submission) is a domain rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from manabi_api.kernel.principal import Group


class Access(Enum):
    PUBLIC = "public"
    SIGNED_IN = "signed-in"
    GROUPS = "groups"


@dataclass(frozen=True)
class Rule:
    """Who may call a route: anybody, any signed-in user, or members of some groups."""

    access: Access
    groups: frozenset[Group] = frozenset()

    @staticmethod
    def public() -> Rule:
        return Rule(Access.PUBLIC)

    @staticmethod
    def signed_in() -> Rule:
        return Rule(Access.SIGNED_IN)

    @staticmethod
    def members_of(*groups: Group) -> Rule:
        return Rule(Access.GROUPS, frozenset(groups))


PUBLIC = Rule.public()
SIGNED_IN = Rule.signed_in()
TEACHING = Rule.members_of(Group.TEACHERS, Group.ADMINS)
LEARNING = Rule.members_of(Group.LEARNERS)
ADMINS = Rule.members_of(Group.ADMINS)
