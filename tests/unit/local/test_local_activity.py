"""MP-MON-03 locally: each function's JSON logs and EMF metrics in files of the state directory
(manabi_local.function_output), and the "what happened" view that reads them
(manabi_local.activity)."""

from __future__ import annotations

import io
import json
import multiprocessing
import os
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Logger

from manabi_contract.app_metrics import ENROLMENTS, PROBLEM_RESPONSES, SCAN_VERDICTS
from manabi_contract.names import API_SERVICE, SCANNER_SERVICE
from manabi_contract.observability import emit_metric, send_output
from manabi_local.activity import ActivityView, read_activity, read_records, summarise_metrics
from manabi_local.cli import banner, parse_args
from manabi_local.environments import ExecutionEnvironments
from manabi_local.events import FunctionError, HttpRequest, LambdaContext
from manabi_local.function_output import (
    FunctionOutput,
    capture_functions,
    log_file,
    metrics_file,
)
from manabi_local.provisioning import LocalResources
from manabi_local.seed import DEMO_ACCOUNTS
from manabi_local.state import LocalState

HANDLERS = "tests.unit.local.environment_handlers"


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _emf(name: str, value: float, when_ms: int, **dimensions: str) -> dict[str, Any]:
    return {
        "_aws": {
            "Timestamp": when_ms,
            "CloudWatchMetrics": [
                {
                    "Namespace": "ManabiPlus",
                    "Dimensions": [list(dimensions)],
                    "Metrics": [{"Name": name, "Unit": "Count"}],
                }
            ],
        },
        **dimensions,
        name: [value],
    }


def _write(path: Path, records: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        for record in records:
            file.write(json.dumps(record) + "\n")


def test_mp_mon_03_lines_are_sorted_into_the_services_log_and_metrics_files(
    tmp_path: Path,
) -> None:
    terminal = io.StringIO()
    output = FunctionOutput(tmp_path, fallback=terminal)
    output.write('{"level":"INFO","message":"hi","service":"manabi-api"}\n')
    output.write('{"_aws":{"Timestamp":1,"CloudWatchMetrics":[]},"service":"manabi-api"')
    output.write("}\nnot json\n")  # a print() writes its text and the newline separately
    output.write('{"level":"ERROR","message":"broken","service":"manabi-scanner"}\n')
    output.write('{"level":"INFO","message":"no service"}\n{"service":"../../etc"}\n')
    output.close()
    assert _lines(log_file(tmp_path, API_SERVICE))[0]["message"] == "hi"
    assert _lines(metrics_file(tmp_path, API_SERVICE))[0]["service"] == API_SERVICE
    assert _lines(log_file(tmp_path, SCANNER_SERVICE))[0]["message"] == "broken"
    assert len(_lines(tmp_path / "logs" / "unknown.jsonl")) == 2  # never outside logs/
    assert sorted(p.name for p in (tmp_path / "logs").iterdir()) == [
        "manabi-api.jsonl",
        "manabi-scanner.jsonl",
        "unknown.jsonl",
    ]
    # the terminal: what is not a JSON object, and each error in one short line
    assert terminal.getvalue() == "not json\nmanabi-scanner ERROR broken\n"


def test_mp_mon_03_send_output_puts_a_powertools_logger_and_emit_metric_in_the_files(
    tmp_path: Path,
) -> None:
    service = "manabi-unit-activity"
    logger = Logger(service=service)
    output = FunctionOutput(tmp_path)
    capture_functions(output, [logger])
    logger.info("enrolled", extra={"route": "/courses/{courseId}/enrolment"})
    emit_metric(service, ENROLMENTS)
    output.close()
    (line,) = _lines(log_file(tmp_path, service))
    assert (line["message"], line["service"], line["level"]) == ("enrolled", service, "INFO")
    (metric,) = _lines(metrics_file(tmp_path, service))
    assert metric[ENROLMENTS] == [1.0]
    assert metric["service"] == service
    send_output(logger, io.StringIO())  # leave the shared logger writing elsewhere


def _append_many(root: str, worker: int, count: int) -> None:
    output = FunctionOutput(Path(root))
    padding = "x" * 3000  # longer than a pipe's atomic write, shorter than a file's one write
    for index in range(count):
        output.write(
            json.dumps({"service": "manabi-api", "w": worker, "i": index, "p": padding}) + "\n"
        )
    output.close()


def test_mp_mon_03_concurrent_appenders_in_several_processes_never_interleave_lines(
    tmp_path: Path,
) -> None:
    context = multiprocessing.get_context("fork")
    workers = [context.Process(target=_append_many, args=(str(tmp_path), w, 300)) for w in range(4)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=30)
        assert process.exitcode == 0
    lines = _lines(log_file(tmp_path, API_SERVICE))  # every line parses as one object
    assert len(lines) == 1200
    for worker in range(4):
        assert [r["i"] for r in lines if r["w"] == worker] == list(range(300))


def test_mp_mon_03_an_execution_environment_writes_its_logs_and_metrics_itself(
    tmp_path: Path,
) -> None:
    pool = ExecutionEnvironments(f"{HANDLERS}.observed", 2, output_dir=tmp_path)
    pool.start()
    try:
        for n in range(3):
            pool({"n": n}, LambdaContext("local-test", 128, 3.0, f"request-{n}"))
        with pytest.raises(FunctionError):
            pool({"fail": True}, LambdaContext("local-test", 128, 3.0, "request-fail"))
    finally:
        pool.stop()
    logs = _lines(log_file(tmp_path, "manabi-observed"))
    handled = [r for r in logs if r["message"] == "handled"]
    assert [r.get("n") for r in handled] == [0, 1, 2, None]
    assert handled[0]["function_request_id"] == "request-0"  # inject_lambda_context's keys
    assert sum(r["message"] == "from a package logger" for r in logs) == 4
    (error,) = [r for r in logs if r["level"] == "ERROR"]  # what the runtime logs of a raise
    assert "the observed handler refused" in error["message"]
    assert "Traceback" in error["exception"]
    metrics = summarise_metrics(_lines(metrics_file(tmp_path, "manabi-observed")))
    by_name = {m.name: m for m in metrics}
    assert by_name["Observed"].samples == 4
    assert by_name["ColdStart"].total >= 1  # Powertools Metrics' stdout line, routed too


def test_mp_mon_03_the_reader_summarises_requests_errors_verdicts_and_metric_counts(
    tmp_path: Path,
) -> None:
    base = 1_800_000_000_000
    request = {"level": "INFO", "message": "request", "service": API_SERVICE, "method": "GET"}
    _write(
        log_file(tmp_path, API_SERVICE),
        [
            {
                **request,
                "route": "/health",
                "status": 200,
                "duration_ms": 1.5,
                "timestamp": "2027-01-15 08:00:01,000+0000",
            },
            {
                **request,
                "route": "/courses",
                "status": 500,
                "duration_ms": 9.0,
                "timestamp": "2027-01-15 08:00:02,000+0000",
            },
            {"level": "INFO", "message": "other", "service": API_SERVICE},
        ],
    )
    _write(
        log_file(tmp_path, SCANNER_SERVICE),
        [
            {
                "level": "ERROR",
                "message": "clamd <died>",
                "service": SCANNER_SERVICE,
                "timestamp": "2027-01-15 08:00:03,000+0000",
            }
        ],
    )
    _write(
        metrics_file(tmp_path, API_SERVICE),
        [
            _emf(ENROLMENTS, 1, base, service=API_SERVICE),
            _emf(ENROLMENTS, 1, base + 1, service=API_SERVICE),
            _emf(PROBLEM_RESPONSES, 1, base + 2, service=API_SERVICE, problem="not-found"),
        ],
    )
    _write(
        metrics_file(tmp_path, SCANNER_SERVICE),
        [
            _emf(SCAN_VERDICTS, 1, base, service=SCANNER_SERVICE, verdict="CLEAN"),
            _emf(SCAN_VERDICTS, 1, base + 5, service=SCANNER_SERVICE, verdict="INFECTED"),
        ],
    )
    with metrics_file(tmp_path, SCANNER_SERVICE).open("a") as file:
        file.write('{"_aws": {"Timest')  # a line being written
    activity = read_activity(tmp_path)
    assert [(r["route"], r["status"]) for r in activity.requests] == [
        ("/courses", 500),
        ("/health", 200),
    ]
    assert [e["message"] for e in activity.errors] == ["clamd <died>", "GET /courses → 500"]
    assert [v["verdict"] for v in activity.verdicts] == ["INFECTED", "CLEAN"]
    assert activity.total(ENROLMENTS) == 2
    assert activity.total(PROBLEM_RESPONSES, problem="not-found") == 1
    assert activity.total(SCAN_VERDICTS, verdict="CLEAN") == 1
    assert activity.total(SCAN_VERDICTS) == 2

    page = ActivityView(tmp_path)(HttpRequest("GET", "/_local/activity", [("Accept", "text/html")]))
    text = page.body.decode("utf-8")
    assert page.status == 200
    assert "最近の API リクエスト" in text
    assert "メトリクスの集計" in text
    assert "clamd &lt;died&gt;" in text
    assert "<died>" not in text
    answer = ActivityView(tmp_path)(HttpRequest("GET", "/_local/activity", []))
    assert json.loads(answer.body)["metrics"][0]["name"] == ENROLMENTS
    post = ActivityView(tmp_path)(HttpRequest("POST", "/_local/activity", []))
    assert post.status == 405


def test_mp_mon_03_a_tail_read_skips_the_line_it_cut(tmp_path: Path) -> None:
    path = tmp_path / "x.jsonl"
    _write(path, [{"i": i, "pad": "y" * 50} for i in range(100)])
    records = read_records(path, tail_bytes=500)
    assert records
    assert records[-1]["i"] == 99
    assert all("pad" in r for r in records)
    assert read_records(tmp_path / "missing.jsonl") == []


def test_mp_mon_03_fresh_deletes_the_function_output_and_keeps_the_emulator_log(
    tmp_path: Path,
) -> None:
    root = tmp_path / "state"
    state = LocalState.open(root)
    _write(log_file(root, API_SERVICE), [{"a": 1}])
    _write(metrics_file(root, API_SERVICE), [{"a": 1}])
    state.log_path.write_text("moto\n")
    state.release()
    LocalState.open(root, fresh=True).release()
    assert not log_file(root, API_SERVICE).exists()
    assert not metrics_file(root, API_SERVICE).exists()
    assert state.log_path.read_text() == "moto\n"
    assert os.path.isdir(root / "logs")


def test_mp_mon_03_the_banner_and_the_help_name_the_view_and_the_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    resources = LocalResources(
        endpoint="http://127.0.0.1:4566",
        region="ap-northeast-1",
        account_id="000000000000",
        table_name="table",
        user_pool_id="pool",
        user_pool_client_id="client",
        buckets={},
        physical_ids={},
        attributes={},
        clients_by_pool={},
        api_environment={},
    )
    state = LocalState(tmp_path / "state")
    text = banner(
        resources,
        DEMO_ACCOUNTS,
        web_url="http://127.0.0.1:8080",
        api_url="http://127.0.0.1:8081",
        seconds=1.0,
        spa_built=True,
        state=state,
    )
    assert "http://127.0.0.1:8080/_local/activity" in text
    assert f"{state.logs_dir}/<service>.jsonl" in text
    with pytest.raises(SystemExit):
        parse_args(["run", "--help"])
    shown = capsys.readouterr().out
    assert "/_local/activity" in shown
    assert "<state-dir>/metrics/<service>.jsonl" in shown
