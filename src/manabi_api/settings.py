"""The API function's settings, read and validated once from its environment at init."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from manabi_contract import environment as env
from manabi_contract.storage import DEFAULT_UPLOADS_PER_HOUR


@dataclass(frozen=True)
class ApiSettings:
    table_name: str
    data_bucket: str
    user_pool_id: str
    scan_queue_url: str | None  # None with the GuardDuty backend: its scans cannot be re-asked
    allowed_origin: str | None  # None: no CORS headers (tests, documentation)
    uploads_per_hour: int  # upload tickets per learner per clock hour (GL-SEC-04)
    local: bool  # the one-machine mode accepts tokens signed with the emulator's public key

    @staticmethod
    def from_environment(environ: Mapping[str, str] = os.environ) -> ApiSettings:
        """ConfigurationError naming the variable when one the API needs is missing."""
        return ApiSettings(
            table_name=env.required(environ, env.TABLE_NAME),
            data_bucket=env.required(environ, env.DATA_BUCKET),
            user_pool_id=env.required(environ, env.USER_POOL_ID),
            scan_queue_url=env.optional(environ, env.SCAN_QUEUE_URL),
            allowed_origin=env.optional(environ, env.ALLOWED_ORIGIN),
            uploads_per_hour=env.integer(
                environ, env.UPLOADS_PER_HOUR, DEFAULT_UPLOADS_PER_HOUR, minimum=1
            ),
            local=env.optional(environ, env.STAGE) == env.LOCAL_STAGE,
        )
