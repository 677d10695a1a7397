"""The Cognito user directory on the emulator, against the same contract as the fake
(APP-ADM-01: cognito-idp admin APIs)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest

from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.kernel.principal import Group
from tests.contract.user_directory import MakeUser, UserDirectoryContract

pytestmark = pytest.mark.integration


@pytest.fixture
def cognito(emulator: str) -> Any:
    return boto3.client("cognito-idp", endpoint_url=emulator)


@pytest.fixture
def pool(cognito: Any) -> Iterator[str]:
    pool_id = cognito.create_user_pool(PoolName=f"directory-{uuid.uuid4().hex[:8]}")["UserPool"][
        "Id"
    ]
    for group in Group:
        cognito.create_group(UserPoolId=pool_id, GroupName=group.value)
    yield pool_id
    cognito.delete_user_pool(UserPoolId=pool_id)


class TestCognitoUserDirectory(UserDirectoryContract):
    @pytest.fixture
    def directory(self, cognito: Any, pool: str) -> CognitoUserDirectory:
        return CognitoUserDirectory(lambda: cognito, pool)

    @pytest.fixture
    def make_user(self, cognito: Any, pool: str) -> MakeUser:
        def make(username: str, group: Group) -> None:
            cognito.admin_create_user(
                UserPoolId=pool,
                Username=username,
                UserAttributes=[{"Name": "email", "Value": username}],
                MessageAction="SUPPRESS",
            )
            cognito.admin_add_user_to_group(
                UserPoolId=pool, Username=username, GroupName=group.value
            )

        return make

    def test_app_adm_01_admin_calls_reach_the_user_pool(
        self, directory: CognitoUserDirectory, make_user: MakeUser, cognito: Any, pool: str
    ) -> None:
        """APP-ADM-01: the adapter's group and enable changes are what Cognito stores."""
        make_user("cognito@example.com", Group.LEARNERS)
        directory.set_group("cognito@example.com", Group.ADMINS)
        directory.set_enabled("cognito@example.com", False)
        groups = cognito.admin_list_groups_for_user(UserPoolId=pool, Username="cognito@example.com")
        assert [g["GroupName"] for g in groups["Groups"]] == ["admins"]
        user = cognito.admin_get_user(UserPoolId=pool, Username="cognito@example.com")
        assert user["Enabled"] is False
