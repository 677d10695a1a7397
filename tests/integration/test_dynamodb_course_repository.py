"""The DynamoDB course adapter on the emulator, against the same contract as the in-memory fake."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import boto3
import pytest

from manabi_api.adapters.dynamodb import DynamoDbLearningStore
from manabi_api.kernel.assignments import SubmissionStatus
from manabi_api.kernel.errors import NotFound
from manabi_api.kernel.people import MAX_NAMED_PAGE
from manabi_contract.table import scan_status_update
from manabi_local.provisioning import LocalResources
from tests.contract.course_repository import (
    CourseRepositoryContract,
    LearningProductContract,
    LearningStoreContract,
    SetScanStatus,
    make_course,
)

pytestmark = pytest.mark.integration


@pytest.fixture
def table(local_resources: LocalResources) -> Iterator[str]:
    """A fresh table with the template's key schema and billing, for each test."""
    client = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)
    template_table = client.describe_table(TableName=local_resources.table_name)["Table"]
    name = f"contract-{uuid.uuid4().hex[:12]}"
    client.create_table(
        TableName=name,
        KeySchema=template_table["KeySchema"],
        AttributeDefinitions=template_table["AttributeDefinitions"],
        BillingMode="PAY_PER_REQUEST",
    )
    yield name
    client.delete_table(TableName=name)


class TestDynamoDbLearningStore(
    CourseRepositoryContract, LearningStoreContract, LearningProductContract
):
    @pytest.fixture
    def repository(self, table: str, local_resources: LocalResources) -> DynamoDbLearningStore:
        client = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)
        return DynamoDbLearningStore(client, table)

    @pytest.fixture
    def set_scan_status(self, table: str, local_resources: LocalResources) -> SetScanStatus:
        """The verdict write of the scanner (manabi_contract.table), on this table."""
        client = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)

        def write(
            course_id: str,
            assignment_id: str,
            learner_id: str,
            status: SubmissionStatus,
            object_key: str | None = None,
        ) -> None:
            request = scan_status_update(
                table, course_id, assignment_id, learner_id, status.value, object_key
            )
            try:
                client.update_item(**request)
            except client.exceptions.ConditionalCheckFailedException as failed:
                raise NotFound("No such submission (or its verdict is final).") from failed

        return write

    def test_mp_ddb_01_course_and_catalogue_entry_written_together(
        self, repository: DynamoDbLearningStore, table: str, local_resources: LocalResources
    ) -> None:
        """MP-DDB-01: one transaction writes the course and its catalogue entry (data-model.md)."""
        course = make_course(3)
        repository.add(course)
        client = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)
        items = client.scan(TableName=table)["Items"]  # test-only inspection of the whole table
        keys = sorted((i["PK"]["S"], i["SK"]["S"]) for i in items)
        assert keys == [
            ("COURSE#course-003", "COURSE"),
            ("COURSES", f"{course.created_at}#course-003"),
            ("COURSES#OWNER#teacher-1", f"{course.created_at}#course-003"),
        ]


def test_app_crs_03_a_full_page_of_names_is_read_in_one_transaction(
    table: str, local_resources: LocalResources
) -> None:
    """APP-CRS-03: a teacher's page of learners reads their names in one TransactGetItems of up
    to 100 keys (DynamoDB's limit); the emulator takes as many as AWS, not moto's old 25."""
    client = boto3.client("dynamodb", endpoint_url=local_resources.endpoint)
    store = DynamoDbLearningStore(client, table)
    store.add(make_course(1))
    learners = tuple(f"learner-{n:03d}" for n in range(MAX_NAMED_PAGE))
    snapshot = store.load("course-001", outline=True, people=learners)
    assert snapshot.course is not None
    assert snapshot.course.course_id == "course-001"
    assert snapshot.people == {}  # nobody has a profile yet: read, and found absent
