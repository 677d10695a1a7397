"""Demo data of the local mode: the accounts (admin, teacher, two learners) and, through
manabi_local.demo_learning, two courses with the learners' progress and submissions.

Local mode only: the password is printed at start and lives in this file. Every function is
idempotent, so seeding an emulator that already has the data changes nothing: on data kept from
an earlier run (MP-LOC-01) a demo account keeps the password and groups it was given since, and
a published demo course is left as its teacher has it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from manabi_contract.names import GROUP_ADMINS, GROUP_LEARNERS, GROUP_TEACHERS
from manabi_local.demo_content import SAMPLE_COURSE_ID as SAMPLE_COURSE_ID  # the tests name it
from manabi_local.demo_learning import seed_learning
from manabi_local.provisioning import EmulatorClients, LocalResources

DEMO_PASSWORD = "Passw0rd!"  # noqa: S105 - public demo password of the local mode only


@dataclass(frozen=True)
class DemoAccount:
    email: str
    group: str
    label: str  # shown in the start banner
    name: str = ""  # 氏名 (Cognito's `name`), as the teacher's views show it


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", GROUP_ADMINS, "管理者 / admin", "管理 太郎"),
    DemoAccount("teacher@example.com", GROUP_TEACHERS, "講師 / teacher", "佐藤 先生"),
    DemoAccount("learner@example.com", GROUP_LEARNERS, "受講者 / learner", "山田 花子"),
    # A second learner, so that the teacher sees a class (and the infected upload is theirs).
    DemoAccount("learner2@example.com", GROUP_LEARNERS, "受講者 / learner", "鈴木 一郎"),
)


class SeedError(Exception):
    """The demo data cannot be created (for example, the password policy rejects it)."""


def sign_in_name(pool: dict[str, Any], email: str) -> str:
    """The Username to create so that USER_PASSWORD_AUTH accepts the e-mail address: the e-mail.

    - UsernameAttributes=[email]: Cognito and moto take the e-mail as Username and generate the
      internal user name; sign-in with the e-mail works.
    - AliasAttributes=[email]: real Cognito wants a non-e-mail username and resolves the alias at
      sign-in, but moto resolves no aliases, so locally the e-mail must be the username itself.
    - neither: the e-mail is simply the username.
    `pool` (describe_user_pool) is passed so that a future pool setting can change this choice.
    """
    del pool
    return email


def seed_accounts(
    resources: LocalResources, clients: EmulatorClients | None = None
) -> list[DemoAccount]:
    """Create the confirmed demo accounts with verified e-mails, each in its group."""
    cognito = (clients or EmulatorClients(resources.endpoint)).cognito
    pool_id = resources.user_pool_id
    pool = cognito.describe_user_pool(UserPoolId=pool_id)["UserPool"]
    existing_groups = {
        g["GroupName"]
        for page in cognito.get_paginator("list_groups").paginate(UserPoolId=pool_id)
        for g in page["Groups"]
    }
    for account in DEMO_ACCOUNTS:
        if account.group not in existing_groups:
            raise SeedError(
                f"the user pool has no group {account.group!r}; the template defines "
                f"{sorted(existing_groups)}"
            )
        username = sign_in_name(dict(pool), account.email)
        if _seeded(cognito, pool_id, username):
            continue
        try:
            cognito.admin_create_user(
                UserPoolId=pool_id,
                Username=username,
                UserAttributes=[
                    {"Name": "email", "Value": account.email},
                    {"Name": "email_verified", "Value": "true"},
                    {"Name": "name", "Value": account.name},
                ],
                MessageAction="SUPPRESS",
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "UsernameExistsException":
                raise
        cognito.admin_add_user_to_group(
            UserPoolId=pool_id, Username=username, GroupName=account.group
        )
        try:
            # A permanent password confirms the account (no FORCE_CHANGE_PASSWORD step); set
            # last, it marks the account's seeding as finished.
            cognito.admin_set_user_password(
                UserPoolId=pool_id, Username=username, Password=DEMO_PASSWORD, Permanent=True
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") == "InvalidPasswordException":
                raise SeedError(
                    f"the demo password {DEMO_PASSWORD!r} does not satisfy the user pool's "
                    "password policy of the template"
                ) from None
            raise
    return list(DEMO_ACCOUNTS)


def _seeded(cognito: Any, pool_id: str, username: str) -> bool:
    """Whether the account exists and its seeding finished (a permanent password was set)."""
    try:
        user = cognito.admin_get_user(UserPoolId=pool_id, Username=username)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") == "UserNotFoundException":
            return False
        raise
    return bool(user.get("UserStatus") != "FORCE_CHANGE_PASSWORD")


def seed(resources: LocalResources, clients: EmulatorClients | None = None) -> list[DemoAccount]:
    clients = clients or EmulatorClients(resources.endpoint)
    accounts = seed_accounts(resources, clients)
    seed_learning(resources, clients)
    return accounts
