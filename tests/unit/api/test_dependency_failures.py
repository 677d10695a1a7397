"""GL-REL-01: which botocore errors are a dependency's fault, and what each becomes."""

from __future__ import annotations

from typing import Any

import botocore.session
import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from botocore.stub import Stubber

from manabi_api.adapters.aws_clients import GuardedClient, dependency_failure
from manabi_api.adapters.dynamodb import DynamoDbLearningStore
from manabi_api.kernel.courses import Course, CourseStatus
from manabi_api.kernel.errors import Conflict, Throttled, Unavailable


def client_error(code: str, status: int = 400) -> ClientError:
    response: Any = {"Error": {"Code": code}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "Op")


@pytest.mark.parametrize(
    "code",
    [
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "TooManyRequestsException",
        "RequestThrottled",
        "SlowDown",
        "RequestLimitExceeded",
    ],
)
def test_gl_rel_01_throttling_codes_are_throttled(code: str) -> None:
    assert isinstance(dependency_failure(client_error(code), "svc"), Throttled)


@pytest.mark.parametrize(
    "error",
    [
        client_error("ServiceUnavailable", 503),
        client_error("InternalServerError", 500),
        client_error("InternalErrorException", 500),
        client_error("503", 503),
        EndpointConnectionError(endpoint_url="http://x"),
        ConnectTimeoutError(endpoint_url="http://x"),
        ReadTimeoutError(endpoint_url="http://x"),
    ],
)
def test_gl_rel_01_outages_and_timeouts_are_unavailable(error: Exception) -> None:
    assert isinstance(dependency_failure(error, "svc"), Unavailable)


@pytest.mark.parametrize(
    "error",
    [
        client_error("ConditionalCheckFailedException"),
        client_error("AccessDeniedException", 403),
        client_error("NoSuchKey", 404),
        ValueError("ours"),
    ],
)
def test_other_errors_are_the_adapters_own(error: Exception) -> None:
    assert dependency_failure(error, "svc") is None


def _dynamodb() -> Any:
    return botocore.session.get_session().create_client(
        "dynamodb", region_name="ap-northeast-1", aws_access_key_id="x", aws_secret_access_key="x"
    )


def _course() -> Course:
    stamp = "2026-04-01T09:00:00.000Z"
    return Course("c1", "T", "", CourseStatus.DRAFT, "t1", stamp, stamp, 1)


@pytest.mark.parametrize("reason", ["ThrottlingError", "TransactionConflict"])
def test_gl_rel_01_a_transaction_a_retry_may_pass_is_throttled_not_a_conflict(reason: str) -> None:
    """A cancelled TransactWriteItems is a conflict only when a condition failed."""
    client = _dynamodb()
    store = DynamoDbLearningStore(GuardedClient(client, "dynamodb"), "t")  # type: ignore[arg-type]
    with Stubber(client) as stub:
        stub.add_client_error(
            "transact_write_items",
            service_error_code="TransactionCanceledException",
            modeled_fields={"CancellationReasons": [{"Code": reason}, {"Code": "None"}]},
        )
        with pytest.raises(Throttled):
            store.add(_course())
        stub.add_client_error(
            "transact_write_items",
            service_error_code="TransactionCanceledException",
            modeled_fields={"CancellationReasons": [{"Code": "ConditionalCheckFailed"}]},
        )
        with pytest.raises(Conflict):
            store.add(_course())


def test_gl_rel_01_a_guarded_call_keeps_the_clients_own_errors() -> None:
    client = _dynamodb()
    guarded = GuardedClient(client, "dynamodb")
    with Stubber(client) as stub:
        stub.add_client_error("get_item", service_error_code="ResourceNotFoundException")
        with pytest.raises(client.exceptions.ResourceNotFoundException):
            guarded.get_item(TableName="t", Key={"PK": {"S": "a"}, "SK": {"S": "b"}})
        stub.add_client_error("get_item", service_error_code="ThrottlingException")
        with pytest.raises(Throttled):
            guarded.get_item(TableName="t", Key={"PK": {"S": "a"}, "SK": {"S": "b"}})
    assert guarded.exceptions is client.exceptions
