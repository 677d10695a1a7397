"""The demo data as a newcomer first sees it in a real browser (issue 17): the learner's home with
期限が近い課題 and the state of each submission, the teacher's submissions of 課題2 by name with
the scanner's verdicts and the grade; axe-core clean on both pages."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from manabi_local.demo_content import DEMO_SUBMISSIONS
from tests.e2e.helpers import assert_accessible, shot, sign_in

TAX = "/courses/sample-python-basics/assignments/sample-assignment-2"


def test_app_crs_04_the_demo_learner_home_lists_assignments_due_soon_with_their_state(
    page: Page,
) -> None:
    sign_in(page, "learner@example.com")
    due = page.get_by_test_id("due-soon")
    expect(page.get_by_role("heading", name="期限が近い課題")).to_be_visible()
    graded = due.locator("[data-assignment-id=sample-assignment-2]")
    expect(graded).to_contain_text("はじめてのPython")
    expect(graded.locator("[data-submission-state]")).to_have_text("評価済み（90点）")
    waiting = due.locator("[data-assignment-id=web-assignment-1]")
    expect(waiting.locator("[data-submission-state]")).to_have_text("提出済み（評価待ち）")
    mine = page.get_by_test_id("my-courses")
    expect(mine.get_by_role("link", name="Webのしくみ入門")).to_be_visible()
    assert_accessible(page)
    shot(page, "demo-learner-home")

    graded.get_by_role("link").click()
    expect(page.get_by_role("heading", level=1, name=re.compile("課題2"))).to_be_visible()
    expect(page.get_by_test_id("grade")).to_have_text("90 / 100")


def test_app_asg_03_the_demo_teacher_sees_a_graded_clean_file_and_an_infected_one_by_name(
    page: Page,
) -> None:
    """APP-ASG-03: the demo teacher's submissions of 課題2: 山田 花子's clean file graded 90 and
    downloadable (the bytes she uploaded), 鈴木 一郎's infected one without a download button."""
    sign_in(page, "teacher@example.com")
    page.goto(TAX)
    hanako = page.get_by_role("row").filter(has_text="山田 花子")
    expect(hanako.locator("[data-scan-status]")).to_have_text("安全")
    expect(hanako.get_by_label(re.compile("の評価（0〜100）"))).to_have_value("90")
    ichiro = page.get_by_role("row").filter(has_text="鈴木 一郎")
    expect(ichiro.locator("[data-scan-status]")).to_have_text("危険")
    expect(ichiro.get_by_role("button", name=re.compile("ダウンロード"))).to_have_count(0)
    assert_accessible(page)
    shot(page, "demo-teacher-submissions")

    # the clean file downloads under the learner's own file name, exactly as uploaded
    with page.expect_download() as download:
        hanako.get_by_role("button", name=re.compile("ダウンロード")).click()
    assert download.value.suggested_filename == "with_tax.txt"
    saved = download.value.path()
    assert saved.read_bytes() == next(
        s.body for s in DEMO_SUBMISSIONS if s.upload_id == "demo-upload-tax"
    )
