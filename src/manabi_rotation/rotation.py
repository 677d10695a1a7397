"""The four steps of a Secrets Manager rotation of the origin secret (GL-SEC-05), against ports
so that the overlap can be tested without AWS (tests/fakes/origin_secret.py).

Secrets Manager calls the function once per step with the version's token; each step is
idempotent, because Secrets Manager retries a step that failed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol

from manabi_rotation.overlap import accepted_values

CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"


class RotationNotReady(RuntimeError):
    """The distribution has not deployed the new value yet: the step fails, Secrets Manager
    retries the rotation, the WebACL accepts both values meanwhile."""


class SecretStore(Protocol):
    def value(self, stage: str, token: str | None = None) -> str | None: ...
    def put_pending(self, token: str, value: str) -> None: ...
    def random_value(self) -> str: ...
    def make_current(self, token: str) -> None: ...
    def version_of(self, stage: str) -> str | None: ...


class OriginGuard(Protocol):
    """The regional WebACL's rule that checks the header."""

    def accepted(self) -> tuple[str, ...]: ...
    def accept(self, values: tuple[str, ...]) -> None: ...


class OriginHeader(Protocol):
    """The API distribution's origin header."""

    def sent(self) -> str | None: ...
    def send(self, value: str) -> None: ...
    def deployed(self) -> bool: ...


class Rotation:
    def __init__(
        self,
        secrets: SecretStore,
        guard: OriginGuard,
        header: OriginHeader,
        *,
        wait_seconds: float = 600.0,
        poll_seconds: float = 15.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.secrets, self.guard, self.header = secrets, guard, header
        self.wait_seconds, self.poll_seconds, self.sleep = wait_seconds, poll_seconds, sleep

    def run(self, step: str, token: str) -> None:
        steps = {
            "createSecret": self.create,
            "setSecret": self.set,
            "testSecret": self.test,
            "finishSecret": self.finish,
        }
        if step not in steps:
            raise ValueError(f"unknown rotation step {step!r}")
        steps[step](token)

    def create(self, token: str) -> None:
        if self.secrets.value(PENDING, token) is None:
            self.secrets.put_pending(token, self.secrets.random_value())

    def set(self, token: str) -> None:
        current = self._required(CURRENT)
        pending = self._pending(token)
        # Widen first: from here on both values pass, whatever an edge sends.
        # Narrow only once every edge sends what the distribution is configured with.
        in_flight = () if self.header.deployed() else self.guard.accepted()
        wanted = accepted_values(
            sent=self.header.sent(), current=current, pending=pending, in_flight=in_flight
        )
        if set(self.guard.accepted()) != set(wanted):
            self.guard.accept(wanted)
        if self.header.sent() != pending:
            self.header.send(pending)

    def test(self, token: str) -> None:
        pending = self._pending(token)
        if pending not in self.guard.accepted() or self.header.sent() != pending:
            raise RotationNotReady("setSecret has not switched the header yet")
        waited = 0.0
        while not self.header.deployed():
            if waited >= self.wait_seconds:
                raise RotationNotReady("the distribution is still deploying the new header")
            self.sleep(self.poll_seconds)
            waited += self.poll_seconds

    def finish(self, token: str) -> None:
        if self.secrets.version_of(CURRENT) != token:
            self.secrets.make_current(token)

    def _pending(self, token: str) -> str:
        value = self.secrets.value(PENDING, token)
        if value is None:
            raise RotationNotReady(f"version {token} has no pending value; createSecret first")
        return value

    def _required(self, stage: str) -> str:
        value = self.secrets.value(stage)
        if value is None:
            raise RotationNotReady(f"the secret has no {stage} value")
        return value
