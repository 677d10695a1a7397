"""In-memory Secrets Manager, WebACL rule and CloudFront distribution for the origin-secret
rotation (manabi_rotation.rotation). The distribution models propagation: each edge location
keeps sending the value it had until `propagate` moves it to the configured one."""

from __future__ import annotations

import itertools


class FakeSecrets:
    def __init__(self, initial: str) -> None:
        self.versions: dict[str, str] = {"v0": initial}
        self.stages: dict[str, str] = {"AWSCURRENT": "v0"}
        self._counter = itertools.count(1)

    def value(self, stage: str, token: str | None = None) -> str | None:
        version = self.stages.get(stage)
        if version is None or (token is not None and version != token):
            return None
        return self.versions[version]

    def put_pending(self, token: str, value: str) -> None:
        self.versions[token] = value
        self.stages["AWSPENDING"] = token

    def random_value(self) -> str:
        return f"secret-{next(self._counter)}"

    def version_of(self, stage: str) -> str | None:
        return self.stages.get(stage)

    def make_current(self, token: str) -> None:
        self.stages["AWSPREVIOUS"] = self.stages["AWSCURRENT"]
        self.stages["AWSCURRENT"] = token
        if self.stages.get("AWSPENDING") == token:
            del self.stages["AWSPENDING"]


class FakeGuard:
    def __init__(self, initial: str) -> None:
        self.values: tuple[str, ...] = (initial,)
        self.updates = 0

    def accepted(self) -> tuple[str, ...]:
        return self.values

    def accept(self, values: tuple[str, ...]) -> None:
        self.values = values
        self.updates += 1


class FakeDistribution:
    def __init__(self, initial: str, edges: int = 5) -> None:
        self.configured = initial
        self.edges = [initial] * edges

    def sent(self) -> str | None:
        return self.configured

    def send(self, value: str) -> None:
        self.configured = value

    def deployed(self) -> bool:
        return all(edge == self.configured for edge in self.edges)

    def propagate(self, count: int = 1) -> None:
        for index, edge in enumerate(self.edges):
            if count == 0:
                return
            if edge != self.configured:
                self.edges[index] = self.configured
                count -= 1
