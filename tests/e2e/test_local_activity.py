"""MP-MON-03 locally: a flow in the browser leaves its functions' JSON logs and EMF metrics in
the local system's state directory, and the /_local/activity view shows them."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from manabi_contract.app_metrics import ENROLMENTS, SCAN_VERDICTS, SUBMISSIONS
from manabi_contract.names import API_SERVICE
from manabi_local.activity import ACTIVITY_PATH, read_activity
from manabi_local.demo_content import SECOND_LEARNER, WEB_COURSE, WEB_COURSE_ID
from manabi_local.function_output import log_file
from tests.e2e.conftest import LocalSystem
from tests.e2e.helpers import catalogue_link, sign_in, wait_for_scan_verdict

ENROLMENT_ROUTE = "/courses/{courseId}/enrolment"


def test_mp_mon_03_a_browser_flow_leaves_local_logs_and_metrics(
    page: Page, local_system: LocalSystem, allowed_console_errors: list[str], tmp_path: Path
) -> None:
    """The second demo learner enrols in the web course and submits a file: the API's request
    lines and its Enrolments and Submissions, the scanner's ScanVerdicts, are in the files of
    the run's state directory and in the view."""
    allowed_console_errors.append("status of 404")  # nothing submitted yet
    sign_in(page, SECOND_LEARNER)
    catalogue_link(page, WEB_COURSE.title).click()
    page.get_by_role("button", name="受講登録する").click()
    expect(page.get_by_role("progressbar")).to_be_visible()
    assignment = WEB_COURSE.assignments[0].title
    page.get_by_role("link", name=assignment).click()
    expect(page.get_by_role("heading", level=1, name=assignment)).to_be_visible()
    answer = tmp_path / "status-codes.txt"
    answer.write_text("200 成功\n404 見つからない\n", encoding="utf-8")
    page.get_by_label("提出ファイル").set_input_files(answer)
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)
    wait_for_scan_verdict(f"{WEB_COURSE_ID}/", "CLEAN")

    activity = read_activity(local_system.state_dir)
    assert activity.total(ENROLMENTS) >= 1
    assert activity.total(SUBMISSIONS) >= 1
    assert activity.total(SCAN_VERDICTS, verdict="CLEAN") >= 1
    text = log_file(local_system.state_dir, API_SERVICE).read_text(encoding="utf-8")
    assert f'"route":"{ENROLMENT_ROUTE}"' in text
    assert "Bearer" not in text
    assert "eyJ" not in text

    page.goto(ACTIVITY_PATH)
    expect(page.get_by_role("heading", level=1, name="ローカルの動作記録")).to_be_visible()
    expect(page.get_by_role("heading", name="メトリクスの集計")).to_be_visible()
    expect(page.get_by_text(ENROLMENT_ROUTE).first).to_be_visible()
