"""Virus-scan benchmarks (MP-AV-01): warm clamd latency and a burst of uploads on the local system.

1. Warm scan latency p50/p95 of new 1 KB, 1 MB and 10 MB files streamed to clamd (INSTREAM), on the
   database generated at start (its size is reported: the cloud's full set is ~8.7 M signatures
   and scans slower).
2. A burst of uploads (default 1,000) into the emulator's data bucket under `submissions/`:
   S3 → SQS → the local worker → the scanner handler. Reports lost objects (no verdict), the
   time to the last verdict and the RSS of clamd and of this process (the scanner).

    uv run python bench/scan_latency.py [--runs 30] [--burst 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from manabi_scanner.engine import ClamdEngine, start_clamd, write_test_database  # noqa: E402

SIZES = {"1 KB": 1024, "1 MB": 1024 * 1024, "10 MB": 10 * 1024 * 1024}


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def latency(engine: ClamdEngine, runs: int) -> dict[str, dict[str, float]]:
    """Every run scans new bytes: clamd remembers the hashes of clean files and answers a repeat
    from that cache, which is reported apart (`cached_p50_ms`)."""
    results = {}
    for label, size in SIZES.items():
        engine.scan([os.urandom(size)])  # warm
        times = []
        for _ in range(runs):
            data = os.urandom(size)
            start = time.perf_counter()
            result = engine.scan([data])
            times.append((time.perf_counter() - start) * 1000)
            assert not result.found
        repeats = []
        for _ in range(runs):
            start = time.perf_counter()
            engine.scan([data])
            repeats.append((time.perf_counter() - start) * 1000)
        results[label] = {
            "p50_ms": round(statistics.median(times), 2),
            "p95_ms": round(_percentile(times, 0.95), 2),
            "cached_p50_ms": round(statistics.median(repeats), 2),
        }
    return results


def burst(engine: ClamdEngine, count: int) -> dict[str, Any]:
    import boto3

    from manabi_infra import names
    from manabi_infra.config import STAGING
    from manabi_infra.synth import load_template
    from manabi_local.emulator import CLEARED_VARIABLES, Emulator, client_environment
    from manabi_local.provisioning import provision
    from manabi_local.scanning import ScanWorker, scan_queue_url
    from manabi_local.tcp_ports import free_port
    from manabi_local.template import Template
    from manabi_scanner.scan import handle_batch
    from manabi_scanner.wiring import build_scanner

    class Ack:
        def record(self, key: str, status: Any) -> bool:
            return True

    with (
        tempfile.TemporaryDirectory() as log_dir,
        Emulator(port=free_port(), log_path=Path(log_dir) / "moto.log") as server,
    ):
        for name in CLEARED_VARIABLES:
            os.environ.pop(name, None)
        os.environ.update(client_environment(server.endpoint))
        template = Template(load_template(names.workload_stack_id(STAGING)))
        resources = provision(template, server.endpoint, web_origin="http://127.0.0.1:8080")
        s3 = boto3.client("s3")
        bucket = resources.api_environment["DATA_BUCKET"]
        scanner = build_scanner(s3, engine, 100 * 1024 * 1024)
        workers = [
            ScanWorker(
                boto3.client("sqs"),
                scan_queue_url(template, resources),
                lambda event, _: handle_batch(event, scanner, Ack()),
                wait_seconds=1,
            )
            for _ in range(4)
        ]
        keys = [f"submissions/bench/a/learner/{n:05d}" for n in range(count)]
        started = time.monotonic()
        with ThreadPoolExecutor(16) as pool:
            list(pool.map(lambda k: s3.put_object(Bucket=bucket, Key=k, Body=k.encode()), keys))
        uploaded = time.monotonic() - started
        for worker in workers:
            worker.start()
        pending = set(keys)
        deadline = time.monotonic() + 600
        peak = _rss_mb(os.getpid())
        while pending and time.monotonic() < deadline:
            time.sleep(1)
            peak = max(peak, _rss_mb(os.getpid()))

            def verdict(key: str) -> bool:
                tags = s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]
                return any(t["Key"] == "av-status" for t in tags)

            snapshot = list(pending)
            with ThreadPoolExecutor(16) as pool:
                found = list(pool.map(verdict, snapshot))
            pending -= {k for k, ok in zip(snapshot, found, strict=True) if ok}
        last_verdict = time.monotonic() - started
        for worker in workers:
            worker.stop()
    return {
        "uploads": count,
        "lost": len(pending),
        "upload_seconds": round(uploaded, 1),
        "seconds_to_last_verdict": round(last_verdict, 1),
        "scanner_process_peak_rss_mb": round(peak, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--burst", type=int, default=1000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        db = Path(work) / "db"
        version = write_test_database(db)
        db_bytes = sum(p.stat().st_size for p in db.iterdir())
        clamd = start_clamd(Path(work) / "clamd", db, version, 100 * 1024 * 1024)
        try:
            engine = ClamdEngine(clamd.client, version)
            report: dict[str, Any] = {
                "database": {"version": version, "files": 2, "bytes": db_bytes, "signatures": 3},
                "latency": latency(engine, args.runs),
            }
            if args.burst:
                report["burst"] = burst(engine, args.burst)
            report["clamd_rss_mb"] = round(_rss_mb(clamd.process.pid), 1)
        finally:
            clamd.stop()
    print(json.dumps(report, indent=2))
    return 0 if report.get("burst", {}).get("lost", 0) == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
