"""Domain errors. The API maps each class to one HTTP status in one place (api/problems.py)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FieldIssue:
    field: str
    message: str
    rule: str = "invalid"


class DomainError(Exception):
    """Base class of every error the domain raises on purpose."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail)
        self.detail = detail


@dataclass
class InvalidInput(DomainError):
    """The request is malformed or a field breaks a rule; names the offending fields."""

    detail: str
    issues: list[FieldIssue] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.detail)


class NotFound(DomainError):
    pass


class Forbidden(DomainError):
    pass


class Unauthenticated(DomainError):
    pass


class Conflict(DomainError):
    """The target's state does not allow the operation (state rule, existing item)."""


class StaleVersion(Conflict):
    """The `version` the client sent is not the stored one: someone else changed it first."""


class IdempotencyMismatch(DomainError):
    """An Idempotency-Key already used for a create with other content: the first result is not
    an answer to this request."""


class UploadLimitReached(DomainError):
    """The learner asked for as many uploads as one clock hour allows (GL-SEC-04); nothing was
    written. The next hour starts in `retry_after_seconds`."""

    def __init__(self, detail: str, retry_after_seconds: int) -> None:
        super().__init__(detail)
        self.retry_after_seconds = retry_after_seconds


class UnsupportedMediaType(DomainError):
    """The request body is not of a media type the route takes (JSON)."""


class DependencyFailure(DomainError):
    """A service the API depends on failed the request; the same request may succeed later.
    Nothing was written by it (GL-REL-01): the caller may retry after `retry_after_seconds`."""

    retry_after_seconds = 1

    def __init__(self, detail: str, retry_after_seconds: int | None = None) -> None:
        super().__init__(detail)
        if retry_after_seconds is not None:
            self.retry_after_seconds = retry_after_seconds


class Throttled(DependencyFailure):
    """The dependency refused the request for its rate (e.g. DynamoDB throughput)."""


class Unavailable(DependencyFailure):
    """The dependency did not answer in time, or answered that it cannot serve now."""

    retry_after_seconds = 3
