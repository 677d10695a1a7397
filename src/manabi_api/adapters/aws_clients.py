"""The API's AWS clients, made with botocore directly.

boto3 adds its resource layer and s3transfer on top of botocore, neither of which the API uses;
importing it costs the init phase about 20 ms (bench/cold_start.py). botocore's clients are the
same objects boto3 returns (boto3.client is a botocore client), presigned POST and GET included.
One session serves every client: its loaders cache the service models and endpoint rules.
"""

from __future__ import annotations

from typing import Any

import botocore.session
from botocore.config import Config

_session: botocore.session.Session | None = None


def aws_client(service: str, config: Config | None = None) -> Any:
    """A client of `service`, configured from the environment like boto3's (region,
    credentials, AWS_ENDPOINT_URL)."""
    global _session
    if _session is None:
        _session = botocore.session.get_session()
    return _session.create_client(service, config=config)
