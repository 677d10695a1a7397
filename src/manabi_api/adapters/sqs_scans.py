"""Scan requests through the scan queue (SQS), in the shape of the S3 notification the scanner
reads (URL-encoded key, exact version), so the scanner needs no second kind of message."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from urllib.parse import quote_plus

EVENT_SOURCE = "manabi:api"
EVENT_NAME = "ObjectCreated:SubmissionCompleted"


class SqsScanRequests:
    def __init__(self, client: Callable[[], Any], queue_url: str, bucket: str) -> None:
        self._make_client = client
        self._client: Any = None
        self._queue_url = queue_url
        self._bucket = bucket

    @property
    def client(self) -> Any:
        if self._client is None:  # created on first use: the API's cold start stays small
            self._client = self._make_client()
        return self._client

    def probe(self) -> None:
        self.client.get_queue_attributes(QueueUrl=self._queue_url, AttributeNames=["QueueArn"])

    def rescan(self, key: str, version_id: str | None) -> None:
        record = {
            "eventSource": EVENT_SOURCE,
            "eventName": EVENT_NAME,
            "s3": {
                "bucket": {"name": self._bucket},
                "object": {"key": quote_plus(key), "versionId": version_id},
            },
        }
        self.client.send_message(
            QueueUrl=self._queue_url, MessageBody=json.dumps({"Records": [record]})
        )
