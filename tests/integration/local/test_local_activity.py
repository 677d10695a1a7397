"""MP-MON-03 locally: `python -m manabi_local run` writes each function's JSON logs and EMF
metrics to files of its state directory, and shows them at /_local/activity (the URL its banner
prints)."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests

from manabi_contract.app_metrics import ENROLMENTS, PROBLEM_RESPONSES, SCAN_VERDICTS, SUBMISSIONS
from manabi_contract.names import API_SERVICE, SCANNER_SERVICE
from manabi_local.activity import ACTIVITY_PATH
from manabi_local.function_output import log_file, metrics_file
from manabi_local.template import Template
from tests.integration.local.local_system import start, stop

pytestmark = pytest.mark.integration
TEACHER, LEARNER = "teacher@example.com", "learner@example.com"
SCAN_SECONDS = 60


def _records(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def _our_verdict(state: Path, course: str) -> bool:
    path = log_file(state, SCANNER_SERVICE)
    lines = _records(path) if path.exists() else []
    return any(
        str(r.get("message", "")).startswith(f"verdict submissions/{course}/")
        and " CLEAN" in r["message"]
        for r in lines
    )


def test_mp_mon_03_the_local_run_writes_logs_and_metrics_of_the_flows_and_shows_them(
    tmp_path: Path, workload_template: Template
) -> None:
    """A health check, a course set up, an enrolment, a submission with its scan and a 404: the
    API's request lines (route, status, duration; no token) and its Enrolments, Submissions and
    ProblemResponses metrics, the scanner's ScanVerdicts, in the files and in the view."""
    del workload_template  # synthesized (and cached) before the start
    run = start(tmp_path / "state")
    try:
        assert f"{run.web}{ACTIVITY_PATH}" in run.output  # the banner names the view
        api = run.api
        teacher_token, learner_token = run.token(TEACHER), run.token(LEARNER)
        teacher = {"Authorization": teacher_token}
        learner = {"Authorization": learner_token}
        health = requests.get(f"{api}/health", timeout=30)
        assert health.status_code == 200
        course = requests.post(
            f"{api}/courses",
            json={"title": f"記録 {uuid.uuid4().hex[:6]}"},
            headers=teacher,
            timeout=30,
        ).json()["courseId"]
        assignment = requests.post(
            f"{api}/courses/{course}/assignments",
            json={"title": "課題", "instructions": "", "dueAt": "2999-01-01T00:00:00Z"},
            headers=teacher,
            timeout=30,
        ).json()["assignmentId"]
        published = requests.post(
            f"{api}/courses/{course}/publish", json={"version": 1}, headers=teacher, timeout=30
        )
        assert published.status_code == 200, published.text
        enrolled = requests.post(f"{api}/courses/{course}/enrolment", headers=learner, timeout=30)
        assert enrolled.status_code in (200, 201), enrolled.text
        base = f"{api}/courses/{course}/assignments/{assignment}/submission"
        file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 12}
        ticket = requests.post(f"{base}/uploads", json=file, headers=learner, timeout=30).json()
        posted = requests.post(
            ticket["url"],
            data=ticket["fields"],
            files={"file": ("answer.txt", b"my answer\n".ljust(12))},
            timeout=30,
        )
        assert posted.status_code == 204
        submitted = requests.put(
            base, json={**file, "uploadId": ticket["uploadId"]}, headers=learner, timeout=30
        )
        assert submitted.status_code == 200, submitted.text
        missing = requests.get(f"{api}/courses/no-such-course", headers=learner, timeout=30)
        assert missing.status_code == 404

        deadline = time.monotonic() + SCAN_SECONDS
        while not _our_verdict(run.state_dir, course):  # the scanner's line for our upload
            assert time.monotonic() < deadline, run.output
            time.sleep(0.5)
        view = requests.get(f"{run.web}{ACTIVITY_PATH}", timeout=30)
        page = requests.get(
            f"{run.web}{ACTIVITY_PATH}", headers={"Accept": "text/html"}, timeout=30
        )
    finally:
        code, _, left = stop(run)
    assert (code, left) == (0, []), run.output

    state = run.state_dir
    api_logs = _records(log_file(state, API_SERVICE))
    lines = {r["function_request_id"]: r for r in api_logs if r.get("message") == "request"}
    line = lines[health.headers["x-amzn-RequestId"]]  # the gateway's request id, as in Lambda
    assert (line["route"], line["status"], line["method"]) == ("/health", 200, "GET")
    assert line["duration_ms"] >= 0
    enrolment = lines[enrolled.headers["x-amzn-RequestId"]]
    assert enrolment["route"] == "/courses/{courseId}/enrolment"
    assert lines[missing.headers["x-amzn-RequestId"]]["problem"] == "not-found"

    api_metrics = _records(metrics_file(state, API_SERVICE))
    names = {name for r in api_metrics for name in r if not name.startswith("_")}
    assert {ENROLMENTS, SUBMISSIONS, PROBLEM_RESPONSES, "ColdStart"} <= names
    assert metrics_file(state, SCANNER_SERVICE).exists()

    # Nothing of a token or a password in any file (MP-LOG-01).
    for path in [*(state / "logs").glob("*.jsonl"), *(state / "metrics").glob("*.jsonl")]:
        text = path.read_text(encoding="utf-8")
        for secret in (teacher_token, learner_token, teacher_token.split(".")[2], "Bearer"):
            assert secret not in text, path

    summary = view.json()
    totals = {(m["name"], m["dimensions"].get("verdict")): m["total"] for m in summary["metrics"]}
    assert totals[(ENROLMENTS, None)] >= 1
    assert totals[(SUBMISSIONS, None)] >= 1
    assert totals[(SCAN_VERDICTS, "CLEAN")] >= 1
    assert any(r["route"] == "/courses/{courseId}/enrolment" for r in summary["requests"])
    assert summary["verdicts"][0]["verdict"] == "CLEAN"
    assert page.status_code == 200
    assert "ローカルの動作記録" in page.text
    assert "/courses/{courseId}/enrolment" in page.text
