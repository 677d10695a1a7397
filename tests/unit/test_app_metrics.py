"""MP-MON-03: the application metrics (manabi_contract.app_metrics) as the functions write them,
read back from the EMF lines on stdout: the API's submissions and grades, PostConfirmation's
sign-ups, the scanner's verdicts by `verdict` and its scan duration."""

from __future__ import annotations

import json
from typing import Any

import pytest

from manabi_api import post_confirmation
from manabi_api.adapters.cognito_users import CognitoUserDirectory
from manabi_api.kernel.assignments import SubmissionStatus
from manabi_api.kernel.principal import Group
from manabi_contract import app_metrics
from manabi_contract.names import (
    API_SERVICE,
    METRICS_NAMESPACE,
    POST_CONFIRMATION_SERVICE,
    SCANNER_SERVICE,
)
from manabi_contract.verdicts import AvStatus
from manabi_scanner.scan import Target
from manabi_scanner.wiring import build_scanner
from tests.support_events import LEARNER, TEACHER
from tests.unit.api.test_learning_api import Client, published_course
from tests.unit.scanner.test_wait_visibility import CountingEngine, Versioned


def emf(captured: str) -> list[tuple[str, float, str, dict[str, str]]]:
    """(metric, value, unit, dimensions) of every EMF line in `captured`, in order."""
    found = []
    for line in captured.splitlines():
        if not line.startswith("{"):
            continue
        blob = json.loads(line)
        if "_aws" not in blob:
            continue
        (directive,) = blob["_aws"]["CloudWatchMetrics"]
        assert directive["Namespace"] == METRICS_NAMESPACE
        (dimension_names,) = directive["Dimensions"]
        (metric,) = directive["Metrics"]
        value = blob[metric["Name"]]
        found.append(
            (
                metric["Name"],
                value[0] if isinstance(value, list) else value,
                metric["Unit"],
                {name: blob[name] for name in dimension_names},
            )
        )
    return found


def slug(problem: dict[str, Any]) -> str:
    return str(problem["type"]).rsplit("/", 1)[1]


def test_mp_mon_03_submissions_and_grades_are_counted_once_done(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MP-MON-03: each accepted submission counts one `Submissions`, a grade one `Grades`; a
    refused grade (409, not scanned yet) counts only its problem response."""
    client = Client()
    cid, _ = published_course(client)
    _, assignment = client(
        "POST",
        f"/courses/{cid}/assignments",
        body={"title": "課題1", "instructions": "関数を書く", "dueAt": "2999-01-01T09:00:00+09:00"},
        claims=TEACHER,
    )
    aid = assignment["assignmentId"]
    base = f"/courses/{cid}/assignments/{aid}"
    file = {"fileName": "answer.txt", "contentType": "text/plain", "sizeBytes": 120}
    client("POST", f"/courses/{cid}/enrolment", claims=LEARNER)
    upload = client.upload(base, file, LEARNER)
    capsys.readouterr()
    assert client("PUT", f"{base}/submission", body=upload, claims=LEARNER)[0] == 200
    grade = {"grade": 85, "feedback": "よくできました", "version": 1}
    grading = f"{base}/submissions/learner-1/grade"
    status, refused = client("PUT", grading, body=grade, claims=TEACHER)  # not scanned yet
    assert status == 409
    client.store.set_scan_status(cid, aid, "learner-1", SubmissionStatus.CLEAN)  # version 2
    grade["version"] = 2
    status, graded = client("PUT", grading, body=grade, claims=TEACHER)
    assert status == 200, graded
    api = {app_metrics.SERVICE_DIMENSION: API_SERVICE}
    assert emf(capsys.readouterr().out) == [
        (app_metrics.SUBMISSIONS, 1.0, "Count", api),
        (app_metrics.PROBLEM_RESPONSES, 1.0, "Count", {**api, "problem": slug(refused)}),
        (app_metrics.GRADES, 1.0, "Count", api),
    ]


def test_mp_mon_03_a_confirmed_sign_up_counts_once(capsys: pytest.CaptureFixture[str]) -> None:
    """MP-MON-03: PostConfirmation counts `SignUps` for a confirmed sign-up that joined its
    group, not for a confirmed password reset."""

    class FakeClient:
        def admin_add_user_to_group(self, **kwargs: str) -> None:
            pass

    def directory(pool: str) -> CognitoUserDirectory:
        return CognitoUserDirectory(FakeClient, pool)  # type: ignore[arg-type]

    event = {"triggerSource": "PostConfirmation_ConfirmSignUp", "userPoolId": "p", "userName": "u"}
    capsys.readouterr()
    post_confirmation.join_group(event, directory, Group.LEARNERS)
    reset = {**event, "triggerSource": "PostConfirmation_ConfirmForgotPassword"}
    post_confirmation.join_group(reset, directory, Group.LEARNERS)
    assert emf(capsys.readouterr().out) == [
        (
            app_metrics.SIGN_UPS,
            1.0,
            "Count",
            {app_metrics.SERVICE_DIMENSION: POST_CONFIRMATION_SERVICE},
        )
    ]


def test_mp_mon_03_each_written_verdict_counts_by_verdict_with_its_duration(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """MP-MON-03: every verdict the scanner writes counts one `ScanVerdicts` with dimension
    `verdict` and records `ScanDurationMs` (milliseconds, the scanner's service); a repeat
    delivery of a version already judged writes nothing and counts nothing."""
    s3, engine = Versioned(), CountingEngine()
    scanner = build_scanner(s3, engine, 1024)  # type: ignore[arg-type]
    target = Target("b", "submissions/c1/a1/learner-1/u1", "v1", 5)
    capsys.readouterr()
    assert scanner.scan(target).verdict.status is AvStatus.CLEAN  # type: ignore[union-attr]
    assert scanner.scan(target).verdict.status is AvStatus.CLEAN  # type: ignore[union-attr]
    broken = build_scanner(Versioned(), CountingEngine(broken=True), 1024)  # type: ignore[arg-type]
    assert broken.scan(target).verdict.status is AvStatus.ERROR  # type: ignore[union-attr]
    oversize = build_scanner(Versioned(), CountingEngine(), 4)  # type: ignore[arg-type]
    assert oversize.scan(target).verdict.status is AvStatus.ERROR  # type: ignore[union-attr]
    metrics = emf(capsys.readouterr().out)
    scanner_service = {app_metrics.SERVICE_DIMENSION: SCANNER_SERVICE}
    verdicts = [
        (name, value, unit, dims)
        for name, value, unit, dims in metrics
        if name == app_metrics.SCAN_VERDICTS
    ]
    assert verdicts == [
        (app_metrics.SCAN_VERDICTS, 1.0, "Count", {**scanner_service, "verdict": status})
        for status in ("CLEAN", "ERROR", "ERROR")
    ]
    durations = [m for m in metrics if m[0] == app_metrics.SCAN_DURATION_MS]
    assert [(unit, dims) for _, _, unit, dims in durations] == [
        ("Milliseconds", scanner_service)
    ] * 3
    assert all(0 <= value < 5000 for _, value, _, _ in durations)
    assert [m[0] for m in metrics] == [app_metrics.SCAN_VERDICTS, app_metrics.SCAN_DURATION_MS] * 3
    assert engine.scans == 1


def test_mp_mon_03_a_failing_metric_never_costs_a_verdict() -> None:
    """MP-MON-03, MP-AV-02: the verdict is written and returned when the metric cannot be."""
    from manabi_scanner.scan import Scanner

    def broken(status: AvStatus, milliseconds: float) -> None:
        raise OSError("stdout is gone")

    s3 = Versioned()
    scanner = Scanner(s3, CountingEngine(), 1024, lambda: "now", observe=broken)  # type: ignore[arg-type]
    outcome = scanner.scan(Target("b", "k", "v1", 5))
    assert outcome.verdict is not None
    assert outcome.verdict.status is AvStatus.CLEAN
    assert s3.tags["av-status"] == "CLEAN"
