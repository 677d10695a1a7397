"""The API's AWS clients, made with botocore directly, bounded in time, their faults translated.

boto3 adds its resource layer and s3transfer on top of botocore, neither of which the API uses;
importing it costs the init phase about 20 ms (bench/cold_start.py). botocore's clients are the
same objects boto3 returns (boto3.client is a botocore client), presigned POST and GET included.
One session serves every client: its loaders cache the service models and endpoint rules.

Every call is bounded so that a request never outlives the function's 3 s timeout (GL-REL-01,
docs/decisions/0028): 0.5 s to connect, 1.5 s to read, one attempt — the SDK does not retry
inside the request; the client retries after the Retry-After it is given. A throttled or
unavailable dependency becomes a kernel error (`Throttled` → 429, `Unavailable` → 503) in this one
place, so every adapter and route answers alike; every other error passes through unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as AwsConnectionError

from manabi_api.kernel.errors import Throttled, Unavailable

CONNECT_TIMEOUT_SECONDS = 0.5
READ_TIMEOUT_SECONDS = 1.5
BOUNDED = Config(
    connect_timeout=CONNECT_TIMEOUT_SECONDS,
    read_timeout=READ_TIMEOUT_SECONDS,
    retries={"mode": "standard", "total_max_attempts": 1},
)
# Error codes meaning "too many requests now" and "cannot serve now", across the services used.
THROTTLING_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "RequestLimitExceeded",
        "RequestThrottled",
        "ThrottlingException",
        "Throttling",
        "TooManyRequestsException",
        "SlowDown",
    }
)
UNAVAILABLE_CODES = frozenset(
    {
        "InternalServerError",
        "InternalFailure",
        "InternalErrorException",
        "ServiceUnavailable",
        "ServiceUnavailableException",
        "RequestTimeout",
        "RequestTimeoutException",
    }
)

_session: botocore.session.Session | None = None


def aws_client(service: str, config: Config | None = None) -> Any:
    """A client of `service`, configured from the environment like boto3's (region,
    credentials, AWS_ENDPOINT_URL), bounded in time, its throttling and outages translated."""
    global _session
    if _session is None:
        _session = botocore.session.get_session()
    bounded = BOUNDED if config is None else BOUNDED.merge(config)
    return GuardedClient(_session.create_client(service, config=bounded), service)


def dependency_failure(error: Exception, service: str) -> Throttled | Unavailable | None:
    """The kernel error a botocore error stands for; None for any other error."""
    if isinstance(error, ClientError):
        code = str(error.response.get("Error", {}).get("Code", ""))
        status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
        if code in THROTTLING_CODES or status == 429:
            return Throttled(f"{service} is throttling requests ({code or status}).")
        if code in UNAVAILABLE_CODES or status in (500, 502, 503, 504):
            return Unavailable(f"{service} cannot serve now ({code or status}).")
        return None
    if isinstance(error, AwsConnectionError | HTTPClientError):  # timeouts, refused, reset
        return Unavailable(f"{service} did not answer in time.")
    return None


class GuardedClient:
    """A botocore client whose calls raise `Throttled`/`Unavailable` for dependency faults;
    everything else (`exceptions`, `meta`, other errors) is the client's own."""

    def __init__(self, client: Any, service: str) -> None:
        self._client = client
        self._service = service

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if name.startswith("_") or not callable(attribute) or name in ("exceptions", "meta"):
            return attribute
        guarded = self._guard(attribute)
        setattr(self, name, guarded)  # found by normal lookup from now on
        return guarded

    def _guard(self, call: Callable[..., Any]) -> Callable[..., Any]:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            try:
                return call(*args, **kwargs)
            except Exception as error:
                failure = dependency_failure(error, self._service)
                if failure is None:
                    raise
                raise failure from error

        return guarded
