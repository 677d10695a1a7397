"""The liveness check."""

from __future__ import annotations

from manabi_api.api.access import PUBLIC
from manabi_api.api.routing import Reply, Request, ResourceRouter

router: ResourceRouter[None] = ResourceRouter("system")


@router.get("/health", "getHealth", PUBLIC, {200: "Health"})
def health(_: Request, __: None) -> Reply:
    """Liveness check"""
    return Reply(200, {"status": "ok"})
