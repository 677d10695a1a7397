"""The local "what happened" view (MP-MON-03): /_local/activity on the SPA origin.

It reads the files manabi_local.function_output writes (`logs/<service>.jsonl`,
`metrics/<service>.jsonl` of the state directory) at each request and shows, newest first:

- the API's recent requests: method, route template, status, duration (its request log line,
  manabi_api.api.request_log; the gateway's own answers such as 401 or 429 never reach the
  function, as in the cloud, and are not there);
- recent errors: ERROR and CRITICAL lines of every function, and API requests answered 5xx;
- recent scan verdicts (the scanner's `ScanVerdicts` metric, dimension `verdict`);
- the metrics summed by name and dimensions since the files began (the run's first start, or
  its last --fresh), as a dashboard's SUM over the whole period would show them.

A browser (Accept: text/html) gets a Japanese page that reloads itself every 5 s; anything else
the same content as JSON. Only the last TAIL_BYTES of each log file are read; metrics files are
read whole (one short line per event).
"""

from __future__ import annotations

import html
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from manabi_contract.app_metrics import SCAN_VERDICTS, VERDICT_DIMENSION
from manabi_contract.names import API_SERVICE
from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.function_output import LOGS, METRICS, SUFFIX, is_emf, log_file, service_of

ACTIVITY_PATH = "/_local/activity"
RECENT = 20
TAIL_BYTES = 1024 * 1024
REFRESH_SECONDS = 5
REQUEST_MESSAGE = "request"  # the message of the API's request log line
ERROR_LEVELS = {"ERROR", "CRITICAL"}


@dataclass(frozen=True)
class MetricTotal:
    name: str
    dimensions: tuple[tuple[str, str], ...]
    unit: str
    samples: int
    total: float


@dataclass(frozen=True)
class Activity:
    requests: list[dict[str, Any]] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, Any]] = field(default_factory=list)
    metrics: list[MetricTotal] = field(default_factory=list)

    def total(self, name: str, **dimensions: str) -> float:
        """The sum of metric `name` over every dimension set that has `dimensions`."""
        return sum(
            m.total
            for m in self.metrics
            if m.name == name and set(dimensions.items()) <= set(m.dimensions)
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "errors": self.errors,
            "verdicts": self.verdicts,
            "metrics": [{**asdict(m), "dimensions": dict(m.dimensions)} for m in self.metrics],
        }


def read_records(path: Path, tail_bytes: int | None = None) -> list[dict[str, Any]]:
    """The JSON objects of a .jsonl file, in order; a line that is not one is skipped (the
    first line of a tail, cut in the middle, or a line being written). Missing file: []."""
    try:
        with path.open("rb") as file:
            start = 0
            if tail_bytes is not None:
                start = max(0, file.seek(0, os.SEEK_END) - tail_bytes)
                file.seek(start)
            data = file.read()
    except FileNotFoundError:
        return []
    lines = data.split(b"\n")
    if start > 0:
        lines = lines[1:]
    records = []
    for line in lines:
        try:
            value = json.loads(line)
        except ValueError:
            continue
        if isinstance(value, dict):
            records.append(value)
    return records


def when(record: dict[str, Any]) -> float:
    """Seconds since the epoch of a log line (Powertools' `timestamp`) or an EMF line."""
    aws = record.get("_aws")
    if isinstance(aws, dict) and isinstance(aws.get("Timestamp"), int | float):
        return float(aws["Timestamp"]) / 1000
    stamp = record.get("timestamp")
    if isinstance(stamp, str):
        for layout in ("%Y-%m-%d %H:%M:%S,%f%z", "%Y-%m-%dT%H:%M:%S.%f%z"):
            try:
                return datetime.strptime(stamp, layout).timestamp()
            except ValueError:
                continue
    return 0.0


def _shown_time(seconds: float) -> str:
    if not seconds:
        return ""
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%d %H:%M:%S UTC")


def _files(directory: Path) -> list[Path]:
    return sorted(directory.glob(f"*{SUFFIX}")) if directory.is_dir() else []


def summarise_metrics(records: Iterable[dict[str, Any]]) -> list[MetricTotal]:
    """EMF lines summed by metric name and dimension values (each directive's first set)."""
    totals: dict[tuple[str, tuple[tuple[str, str], ...]], list[Any]] = {}
    for record in records:
        for name, dimensions, unit, values in _metric_values(record):
            entry = totals.setdefault((name, dimensions), [unit, 0, 0.0])
            entry[1] += len(values)
            entry[2] += sum(values)
    return [
        MetricTotal(name, dimensions, unit, samples, round(total, 3))
        for (name, dimensions), (unit, samples, total) in sorted(totals.items())
    ]


def _metric_values(
    record: dict[str, Any],
) -> Iterator[tuple[str, tuple[tuple[str, str], ...], str, list[float]]]:
    aws = record.get("_aws")
    directives = aws.get("CloudWatchMetrics") if isinstance(aws, dict) else None
    for directive in directives if isinstance(directives, list) else []:
        sets = directive.get("Dimensions") or [[]]
        dimensions = tuple((str(d), str(record.get(d, ""))) for d in sets[0])
        for metric in directive.get("Metrics") or []:
            name = str(metric.get("Name", ""))
            raw = record.get(name)
            values = raw if isinstance(raw, list) else [raw]
            numbers = [float(v) for v in values if isinstance(v, int | float)]
            if name and numbers:
                yield name, dimensions, str(metric.get("Unit", "None")), numbers


def read_activity(root: Path, recent: int = RECENT) -> Activity:
    """What happened, from the files under the state directory `root`."""
    logs = {path: read_records(path, TAIL_BYTES) for path in _files(root / LOGS)}
    metric_records: list[dict[str, Any]] = []
    for path in _files(root / METRICS):
        metric_records += [r for r in read_records(path) if is_emf(r)]
    requests = [
        _request(r)
        for r in logs.get(log_file(root, API_SERVICE), [])
        if r.get("message") == REQUEST_MESSAGE and "route" in r
    ]
    errors = [
        _error(r)
        for records in logs.values()
        for r in records
        if str(r.get("level", "")).upper() in ERROR_LEVELS
    ]
    errors += [_server_error(r) for r in requests if int(r.get("status") or 0) >= 500]
    verdicts = [
        {
            "time": _shown_time(when(r)),
            "at": when(r),
            "verdict": r.get(VERDICT_DIMENSION),
            "service": service_of(r),
        }
        for r in metric_records
        if SCAN_VERDICTS in r
    ]
    return Activity(
        requests=_newest(requests, recent),
        errors=_newest(errors, recent),
        verdicts=_newest(verdicts, recent),
        metrics=summarise_metrics(metric_records),
    )


def _newest(items: list[dict[str, Any]], count: int) -> list[dict[str, Any]]:
    return sorted(items, key=lambda item: item["at"], reverse=True)[:count]


def _request(record: dict[str, Any]) -> dict[str, Any]:
    # The request line carries no token, path, body or query (MP-LOG-01); neither does this.
    return {
        "time": _shown_time(when(record)),
        "at": when(record),
        "method": record.get("method"),
        "route": record.get("route"),
        "status": record.get("status"),
        "duration_ms": record.get("duration_ms"),
        "problem": record.get("problem"),
        "request_id": record.get("function_request_id"),
    }


def _error(record: dict[str, Any]) -> dict[str, Any]:
    return {
        "time": _shown_time(when(record)),
        "at": when(record),
        "service": service_of(record),
        "message": str(record.get("message", ""))[:500],
        "location": record.get("location"),
        "request_id": record.get("function_request_id"),
    }


def _server_error(request: dict[str, Any]) -> dict[str, Any]:
    message = f"{request['method']} {request['route']} → {request['status']}"
    return {
        "time": request["time"],
        "at": request["at"],
        "service": API_SERVICE,
        "message": message,
        "location": "request",
        "request_id": request["request_id"],
    }


class ActivityView:
    """GET /_local/activity: the page for a browser, JSON for anything else."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return HttpResponse(405, [("Allow", "GET, HEAD")])
        activity = read_activity(self.root)
        headers = [("Cache-Control", "no-store"), ("X-Content-Type-Options", "nosniff")]
        if "text/html" in (request.header("Accept") or ""):
            return HttpResponse(
                200,
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Security-Policy", "default-src 'none'"),
                    *headers,
                ],
                activity_page(activity, self.root).encode("utf-8"),
            )
        body = json.dumps(activity.as_json(), ensure_ascii=False)
        return HttpResponse(
            200,
            [("Content-Type", "application/json; charset=utf-8"), *headers],
            body.encode("utf-8"),
        )


def _table(headings: list[str], rows: list[list[Any]], empty: str) -> str:
    if not rows:
        return f"<p>{html.escape(empty)}</p>"
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headings)
    body = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape('' if c is None else str(c))}</td>" for c in row)
        + "</tr>"
        for row in rows
    )
    return f"<table border=1><tr>{head}</tr>{body}</table>"


def activity_page(activity: Activity, root: Path) -> str:
    requests = _table(
        ["時刻", "メソッド", "ルート", "ステータス", "処理時間 (ms)", "問題の種類"],
        [
            [r["time"], r["method"], r["route"], r["status"], r["duration_ms"], r["problem"]]
            for r in activity.requests
        ],
        "まだリクエストはありません。",
    )
    errors = _table(
        ["時刻", "サービス", "内容", "場所"],
        [[e["time"], e["service"], e["message"], e["location"]] for e in activity.errors],
        "エラーはありません。",
    )
    verdicts = _table(
        ["時刻", "判定"],
        [[v["time"], v["verdict"]] for v in activity.verdicts],
        "まだスキャンの判定はありません。",
    )
    metrics = _table(
        ["メトリクス", "ディメンション", "単位", "件数", "合計"],
        [
            [m.name, ", ".join(f"{k}={v}" for k, v in m.dimensions), m.unit, m.samples, m.total]
            for m in activity.metrics
        ],
        "まだメトリクスはありません。",
    )
    files = f"{root / LOGS}/<service>{SUFFIX}, {root / METRICS}/<service>{SUFFIX}"
    return (
        "<!doctype html><html lang=ja><meta charset=utf-8>"
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        "<title>ローカルの動作記録 | まなび+</title>"
        "<h1>ローカルの動作記録</h1>"
        f"<p>各関数のログとメトリクスの記録ファイル（{html.escape(files)}）から、最近の出来事を"
        f"表示します（新しい順、{REFRESH_SECONDS} 秒ごとに更新）。</p>"
        f"<h2>最近の API リクエスト</h2>{requests}"
        f"<h2>最近のエラー</h2>{errors}"
        f"<h2>ウイルススキャンの判定</h2>{verdicts}"
        f"<h2>メトリクスの集計</h2>{metrics}"
    )
