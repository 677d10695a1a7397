"""The health check: every dependency the API needs, and 503 while one cannot serve."""

from __future__ import annotations

from manabi_api.api.access import PUBLIC
from manabi_api.api.routing import Reply, Request, ResourceRouter
from manabi_api.domain.health import HealthService

router: ResourceRouter[HealthService] = ResourceRouter("system")
RETRY_AFTER_SECONDS = 5  # the health answer is kept about as long


@router.get("/health", "getHealth", PUBLIC, {200: "Health", 503: "Health"})
def health(_: Request, service: HealthService) -> Reply:
    """Health check: the table, the data bucket, the user pool and the scan queue answer"""
    report = service.report()
    body = {
        "status": "ok" if report.healthy else "unavailable",
        "dependencies": report.dependencies,
    }
    if report.healthy:
        return Reply(200, body)
    return Reply(503, body, {"Retry-After": str(RETRY_AFTER_SECONDS)})
