"""The virus-scan verdict on an exact object version (MP-AV-01..04).

The scanner (or the GuardDuty verdict function) writes these tags; the bucket policy lets only
`av-status=CLEAN` versions be read, denies tagging to everyone but the scanner and any upload
that carries an `av-*` tag; the API signs downloads only when the tag says CLEAN.
"""

from __future__ import annotations

from enum import StrEnum

TAG_PREFIX = "av-"
TAG_STATUS = "av-status"
TAG_SIGNATURE = "av-signature"
TAG_DB_VERSION = "av-db-version"
TAG_SCANNED_AT = "av-scanned-at"
VERDICT_TAGS = (TAG_STATUS, TAG_SIGNATURE, TAG_DB_VERSION, TAG_SCANNED_AT)
# The av-db-version of GuardDuty's verdicts (its engine publishes no database version).
GUARDDUTY_VERDICT_SOURCE = "guardduty"
# The EventBridge events of GuardDuty Malware Protection for S3 that carry a scan result: the
# rule's pattern and the verdict function's filter.
GUARDDUTY_EVENT_SOURCE = "aws.guardduty"
GUARDDUTY_RESULT_DETAIL_TYPE = "GuardDuty Malware Protection Object Scan Result"


class AvStatus(StrEnum):
    """`av-status` values; a submission's status is one of these once scanned (else PENDING)."""

    CLEAN = "CLEAN"
    INFECTED = "INFECTED"
    ERROR = "ERROR"
