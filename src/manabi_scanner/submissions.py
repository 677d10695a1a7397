"""The submissions' side of a verdict: the scanner records it on the submission that owns the
object (MP-AV-01..03), with the one write the API's store shares (manabi_contract.table)."""

from __future__ import annotations

from typing import Any

from manabi_contract.storage import parse_submission_key
from manabi_contract.table import scan_status_update
from manabi_contract.verdicts import AvStatus


class DynamoDbSubmissionVerdicts:
    """The VerdictSink of the scanner and of the GuardDuty verdict function."""

    def __init__(self, client: Any, table_name: str) -> None:
        self._client = client  # a DynamoDB client
        self._table = table_name

    def record(self, key: str, status: AvStatus) -> bool:
        """Set the status of the submission whose file is `key`. False when the object is not
        (or not yet) a submission's current file, or the recorded verdict is INFECTED (final)."""
        ref = parse_submission_key(key)
        if ref is None:
            return False
        request = scan_status_update(
            self._table, ref.course_id, ref.assignment_id, ref.learner_id, status.value, key
        )
        try:
            self._client.update_item(**request)
        except self._client.exceptions.ConditionalCheckFailedException:
            return False
        return True
