"""The demo data of the local mode (issue 17, MP-LOC-01): two courses with lessons and
assignments, a learner part-way through, three submissions the real scanner judged (clean and
graded, clean and waiting, infected), accounts with 氏名; a restart on the kept state changes
none of it and the scanner judges nothing again."""

from __future__ import annotations

import signal
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import requests

from manabi_local.demo_content import SAMPLE_COURSE_ID, WEB_COURSE_ID
from manabi_local.template import Template
from tests.integration.local.local_system import LocalRun, start, stop

pytestmark = pytest.mark.integration

TEACHER, LEARNER, SECOND = "teacher@example.com", "learner@example.com", "learner2@example.com"
TAX = f"/courses/{SAMPLE_COURSE_ID}/assignments/sample-assignment-2"
STATUS = f"/courses/{WEB_COURSE_ID}/assignments/web-assignment-1"


def _get(run: LocalRun, token: str, path: str) -> Any:
    response = requests.get(f"{run.api}{path}", headers={"Authorization": token}, timeout=15)
    assert response.status_code == 200, (path, response.status_code, response.text)
    return response.json()


def _observe(run: LocalRun) -> dict[str, Any]:
    """What the demo's learner and teacher see, and the data bucket's submission files."""
    learner, teacher = run.token(LEARNER), run.token(TEACHER)
    s3 = run.aws("s3")
    bucket = next(b["Name"] for b in s3.list_buckets()["Buckets"] if b["Name"].endswith("-data"))
    files = {}
    for version in s3.list_object_versions(Bucket=bucket, Prefix="submissions/").get(
        "Versions", []
    ):
        key, vid = version["Key"], version["VersionId"]
        tags = s3.get_object_tagging(Bucket=bucket, Key=key, VersionId=vid)["TagSet"]
        files[(key, vid)] = {t["Key"]: t["Value"] for t in tags}
    return {
        "catalogue": _get(run, learner, "/courses"),
        "mine": _get(run, learner, "/me/enrolments"),
        "assignments": {
            cid: _get(run, learner, f"/courses/{cid}/assignments")
            for cid in (SAMPLE_COURSE_ID, WEB_COURSE_ID)
        },
        "tax": _get(run, teacher, f"{TAX}/submissions"),
        "status": _get(run, teacher, f"{STATUS}/submissions"),
        "progress": _get(run, teacher, f"/courses/{SAMPLE_COURSE_ID}/enrolments"),
        "files": files,
    }


def _wait_for_verdicts(run: LocalRun) -> None:
    """The first start grades the clean file before it is ready; the infected verdict of the
    other learner's file may still be on its way (both scans run at the same time)."""
    teacher = run.token(TEACHER)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        rows = _get(run, teacher, f"{TAX}/submissions")["items"]
        if rows and all(r["status"] != "PENDING" for r in rows):
            return
        time.sleep(0.3)
    raise AssertionError(f"the demo files were not scanned: {rows}")


def _run_and_observe(state: Path, first: bool) -> dict[str, Any]:
    """Start on `state`, see what the demo shows, stop with Ctrl-C and check a clean exit."""
    run = start(state)
    try:
        if first:
            _wait_for_verdicts(run)
        else:
            assert "kept from the last run" in run.output
            time.sleep(2)  # two polls of the scan workers: nothing is judged again
        seen = _observe(run)
    finally:
        code, _, left = stop(run, signal.SIGINT)
    assert (code, left) == (0, []), run.output
    assert "Traceback" not in run.output, run.output
    return seen


def test_issue_17_demo_data_shows_courses_progress_submissions_scanning_and_grading(
    tmp_path: Path, workload_template: Template
) -> None:
    del workload_template  # synthesized (and cached) before the first start
    before = _run_and_observe(tmp_path / "state", first=True)

    titles = {c["courseId"]: c["title"] for c in before["catalogue"]["items"]}
    assert titles[SAMPLE_COURSE_ID] == "はじめてのPython"
    assert titles[WEB_COURSE_ID] == "Webのしくみ入門"
    # the learner part-way through both courses
    mine = {m["courseId"]: m for m in before["mine"]["items"]}
    assert mine[SAMPLE_COURSE_ID]["progress"]["percent"] == 50
    assert mine[SAMPLE_COURSE_ID]["nextLessonId"] == "sample-lesson-2"
    assert mine[WEB_COURSE_ID]["progress"]["completedLessons"] == 1
    assert mine[WEB_COURSE_ID]["progress"]["totalLessons"] == 3
    # one assignment due within days, one months or years away
    now = datetime.now(UTC)
    dues = {
        a["assignmentId"]: datetime.fromisoformat(a["dueAt"])
        for page in before["assignments"].values()
        for a in page["items"]
    }
    assert now < dues["sample-assignment-2"] < now + timedelta(days=4)
    assert dues["sample-assignment-1"] > now + timedelta(days=365)
    # the teacher: a graded clean file and an infected one, by the learners' names
    tax = {r["learnerEmail"]: r for r in before["tax"]["items"]}
    assert (tax[LEARNER]["learnerName"], tax[LEARNER]["status"], tax[LEARNER]["grade"]) == (
        "山田 花子",
        "CLEAN",
        90,
    )
    assert tax[LEARNER]["feedback"]
    assert (tax[SECOND]["learnerName"], tax[SECOND]["status"], tax[SECOND]["grade"]) == (
        "鈴木 一郎",
        "INFECTED",
        None,
    )
    [waiting] = before["status"]["items"]
    waiting_row = (waiting["learnerEmail"], waiting["status"], waiting["grade"])
    assert waiting_row == (LEARNER, "CLEAN", None)
    names = {r["learnerEmail"]: r["learnerName"] for r in before["progress"]["items"]}
    assert names == {LEARNER: "山田 花子", SECOND: "鈴木 一郎"}
    # the verdicts are the scanner's own: one tagged version per file
    verdicts = sorted(tags.get("av-status", "") for tags in before["files"].values())
    assert verdicts == ["CLEAN", "CLEAN", "INFECTED"]

    after = _run_and_observe(tmp_path / "state", first=False)
    assert after == before  # same records, versions, grades, files and verdict tags
