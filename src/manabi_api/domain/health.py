"""Whether the API can serve: each dependency asked, the answer kept a few seconds (GL-REL-01).

`/health` is public, so a burst of checks must not become a burst of calls on the table, the
bucket, the user pool and the queue: one execution environment asks them at most once per
`ttl_seconds` and answers from its memory meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from typing import NamedTuple

from manabi_api.kernel.errors import Throttled

_log = logging.getLogger(__name__)
Probe = Callable[[], None]  # raises when its dependency cannot serve
HEALTH_TTL_SECONDS = 5.0
OK, THROTTLED, UNAVAILABLE = "ok", "throttled", "unavailable"


class HealthReport(NamedTuple):
    dependencies: dict[str, str]  # name → ok | throttled | unavailable

    @property
    def healthy(self) -> bool:
        return all(state == OK for state in self.dependencies.values())


class HealthService:
    def __init__(
        self,
        probes: Mapping[str, Probe],
        ttl_seconds: float = HEALTH_TTL_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._probes = dict(probes)
        self._ttl = ttl_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._cached: tuple[float, HealthReport] | None = None

    def report(self) -> HealthReport:
        with self._lock:
            now = self._monotonic()
            if self._cached is not None and now - self._cached[0] < self._ttl:
                return self._cached[1]
            report = HealthReport({name: _state(name, p) for name, p in self._probes.items()})
            self._cached = (now, report)
            return report


def _state(name: str, probe: Probe) -> str:
    try:
        probe()
    except Throttled:
        return THROTTLED
    except Exception:  # whatever it is, this dependency cannot serve requests now
        _log.warning("health check: %s is unavailable", name, exc_info=True)
        return UNAVAILABLE
    return OK
