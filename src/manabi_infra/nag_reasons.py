"""Reasons of accepted cdk-nag findings that constructs and manabi_infra.nag both give."""

from __future__ import annotations

# Lambda's active tracing: X-Ray's write actions take no resource (MP-APIGW-03, MP-MON-03).
XRAY_WRITES = "Resource::* is X-Ray's PutTraceSegments/PutTelemetryRecords, which take no resource"
