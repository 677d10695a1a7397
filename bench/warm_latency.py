"""Warm per-request latency of the API Lambda handler, in-process, storage faked.

Calls `manabi_api.handler.lambda_handler` (Powertools logger, metrics and resolver included) with
API Gateway REST events; the DynamoDB adapter is swapped for the in-memory fake, so the numbers
are the handler's own overhead.

    uv run python bench/warm_latency.py [--calls 10000]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
import warnings
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support_events import TEACHER, rest_event  # noqa: E402

from lambda_environment import LAMBDA_ENVIRONMENT  # noqa: E402


@dataclass(frozen=True)
class FakeContext:
    function_name: str = "stag-manabiplus-api"
    memory_limit_in_mb: int = 128
    invoked_function_arn: str = "arn:aws:lambda:ap-northeast-1:000000000000:function:bench"
    aws_request_id: str = "bench-request"


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=1000, method="inclusive")[int(q * 1000) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    os.environ.update(LAMBDA_ENVIRONMENT)
    warnings.simplefilter("ignore")
    from tests.fakes.services import fake_services

    from manabi_api import handler
    from manabi_api.api.application import create_api

    handler.api = create_api(fake_services(), allowed_origin=None)  # in-memory storage
    context = FakeContext()
    created = handler.api.resolve(
        rest_event("POST", "/courses", body={"title": "ベンチマーク"}, claims=TEACHER), context
    )
    course_id = created["body"].split('"courseId": "')[1].split('"')[0]
    cases = {
        "GET /health": rest_event("GET", "/health"),
        "GET /courses/{id}": rest_event("GET", f"/courses/{course_id}", claims=TEACHER),
        "POST /courses (validated)": rest_event(
            "POST",
            "/courses",
            body={"title": "新しいコース", "description": "説明"},
            claims=TEACHER,
        ),
    }
    print(f"Warm latency in-process, {args.calls} calls each ({sys.version.split()[0]})")
    sink = io.StringIO()  # the logger's and metrics' stdout, as CloudWatch would receive it
    for name, event in cases.items():
        samples: list[float] = []
        with redirect_stdout(sink):
            for _ in range(args.calls):
                start = time.perf_counter_ns()
                response = handler.lambda_handler(event, context)
                samples.append((time.perf_counter_ns() - start) / 1000)
                sink.seek(0)
                sink.truncate()
        assert response["statusCode"] in (200, 201), response
        print(
            f"  {name:<26} p50 {percentile(samples, 0.50):7.1f} µs"
            f"   p99 {percentile(samples, 0.99):7.1f} µs"
        )
    print("  budget: p50 <= 100 µs (GET), <= 150 µs (validated POST)")


if __name__ == "__main__":
    main()
