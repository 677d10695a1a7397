"""One structured line and the application metrics of every API request (MP-MON-03, MP-LOG-01).

`RestApi.resolve` is the one place every request passes; it opens a `RequestRecord`, the route
handler fills in the route template and the caller, and at the end `finish` writes one INFO
line through the module logger (JSON via the function's Powertools handler, with the Lambda
request id and the correlation id) and the EMF metrics: one `ProblemResponses` count per
problem response (dimension `problem`, the type's slug: a fixed, small set) and one count per
business action the domain carried out (`Reply.action`, set only after the domain call
returned).

Only the Cognito `sub` and the groups of the caller are logged: never the e-mail, the name,
the token, the raw path, the body or the query (personal data, MP-LOG-01).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass, field
from typing import Any

from manabi_api.kernel.principal import Principal
from manabi_contract.app_metrics import PROBLEM_DIMENSION, PROBLEM_RESPONSES
from manabi_contract.names import API_SERVICE
from manabi_contract.observability import emit_metric
from manabi_contract.problems import TYPE_BASE

_log = logging.getLogger(__name__)
UNMATCHED = "(no route)"  # the route of a request that matched no declared route


@dataclass
class RequestRecord:
    method: str
    started: float = field(default_factory=time.perf_counter)
    route: str = UNMATCHED  # the declared template, /courses/{courseId}
    principal: Principal | None = None
    action: str | None = None  # the business action's metric, once the domain call succeeded

    def finish(self, response: dict[str, Any]) -> None:
        status = int(response.get("statusCode", 0))
        problem = _problem_slug(response) if status >= 400 else None
        caller = self.principal
        _log.info(
            "request",
            extra={
                "route": self.route,
                "method": self.method,
                "status": status,
                "duration_ms": round((time.perf_counter() - self.started) * 1000, 1),
                "principal_id": caller.user_id if caller else None,
                "groups": sorted(g.value for g in caller.groups) if caller else [],
                "problem": problem,
            },
        )
        if problem is not None:
            emit_metric(API_SERVICE, PROBLEM_RESPONSES, dimensions={PROBLEM_DIMENSION: problem})
        elif self.action is not None and 200 <= status < 300:
            emit_metric(API_SERVICE, self.action)


def _problem_slug(response: dict[str, Any]) -> str:
    try:
        kind = str(json.loads(response.get("body") or "{}").get("type", ""))
    except (ValueError, AttributeError):
        return "unknown"
    return kind.removeprefix(TYPE_BASE) if kind.startswith(TYPE_BASE) else "unknown"
