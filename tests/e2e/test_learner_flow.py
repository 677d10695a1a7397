"""Learner flows in a real browser (APP-CRS-02, APP-ASG-02 status, APP-ASG-03 learner side)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.helpers import (
    SAMPLE_COURSE,
    assert_accessible,
    assert_fits_width,
    catalogue_link,
    shot,
    sign_in,
)


def test_learner_enrols_reads_a_lesson_marks_it_complete_and_sees_progress(page: Page) -> None:
    """APP-CRS-02: catalogue, enrolment, lesson reader, 完了にする, progress bar; axe-core clean."""
    sign_in(page, "learner@example.com")
    expect(page.get_by_role("heading", name="コース一覧")).to_be_visible()
    assert_accessible(page)
    shot(page, "learner-catalogue")

    catalogue_link(page, SAMPLE_COURSE).click()
    expect(page.get_by_role("heading", level=1, name=SAMPLE_COURSE)).to_be_visible()
    enrol = page.get_by_role("button", name="受講登録する")
    expect(enrol.or_(page.get_by_role("progressbar"))).to_be_visible()
    if enrol.is_visible():
        enrol.click()
    bar = page.get_by_role("progressbar")
    expect(bar).to_be_visible()
    expect(page.get_by_text(re.compile(r"\d / 2 レッスン完了"))).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name="変数と型").click()
    expect(page.get_by_role("heading", level=1, name="変数と型")).to_be_visible()
    body = page.get_by_test_id("lesson-body")
    expect(body.locator("code").first).to_have_text('name = "まなび"')
    expect(body.get_by_role("listitem").first).to_contain_text("数値")
    complete = page.get_by_role("button", name="完了にする")
    if complete.is_visible():
        complete.click()
    expect(page.get_by_text("このレッスンは完了済みです。", exact=False)).to_be_visible()
    expect(page.get_by_role("progressbar")).to_have_attribute(
        "aria-valuenow", re.compile(r"^(50|100)$")
    )
    assert_accessible(page)
    shot(page, "learner-lesson")

    page.get_by_role("link", name=re.compile("次のレッスン")).click()
    expect(page.get_by_role("heading", level=1, name="条件分岐と繰り返し")).to_be_visible()
    expect(page.get_by_test_id("lesson-body").locator("pre code")).to_contain_text(
        "for n in range(3):"
    )

    page.get_by_role("link", name="コースへ戻る").click()
    item = page.locator("[data-lesson-id=sample-lesson-1]")
    expect(item.get_by_text("完了", exact=True)).to_be_visible()
    shot(page, "learner-course")

    # APP-CRS-04: the home lists the course under 受講中のコース with its progress
    page.goto("/courses")
    mine = page.get_by_test_id("my-courses")
    expect(mine.get_by_role("link", name=SAMPLE_COURSE)).to_be_visible()
    expect(mine).to_contain_text("レッスン完了")
    assert_accessible(page)


def test_learner_sees_assignment_instructions_due_date_and_submission_status(
    page: Page, allowed_console_errors: list[str]
) -> None:
    """APP-ASG-01, APP-ASG-02: instructions, due date and the submission status for the learner."""
    # "Nothing submitted yet" is the API's 404 for the caller's submission.
    allowed_console_errors.append("status of 404")
    sign_in(page, "learner@example.com")
    catalogue_link(page, SAMPLE_COURSE).click()
    enrol = page.get_by_role("button", name="受講登録する")
    expect(enrol.or_(page.get_by_role("progressbar"))).to_be_visible()
    if enrol.is_visible():
        enrol.click()
    page.get_by_role("link", name="課題1: FizzBuzz").click()
    expect(page.get_by_role("heading", level=1, name="課題1: FizzBuzz")).to_be_visible()
    expect(page.get_by_text("FizzBuzz を出力するプログラム")).to_be_visible()
    expect(page.locator("time").first).to_contain_text("2099")  # the due date
    expect(page.get_by_role("heading", name="提出状況")).to_be_visible()
    # Nothing submitted yet, unless a test that ran earlier in the session submitted for this
    # demo learner: then that submission with its status.
    expect(page.get_by_test_id("my-submission")).to_contain_text(
        re.compile("まだ提出していません。|検査中|安全|危険|エラー")
    )
    assert_accessible(page)
    shot(page, "learner-assignment")


def test_learner_pages_fit_a_375px_phone(page: Page) -> None:
    """APP-CRS-02: the learner pages need no horizontal scrolling at 375 px."""
    page.set_viewport_size({"width": 375, "height": 812})
    sign_in(page, "learner@example.com")
    assert_fits_width(page)
    catalogue_link(page, SAMPLE_COURSE).click()
    expect(page.get_by_role("heading", level=1, name=SAMPLE_COURSE)).to_be_visible()
    expect(page.get_by_role("heading", name="レッスン")).to_be_visible()
    assert_fits_width(page)
    shot(page, "learner-course-375")


def test_learner_opening_teacher_and_admin_pages_is_told_no_permission(page: Page) -> None:
    """APP-SEC-01: a learner on a teacher or admin page gets 権限がありません."""
    sign_in(page, "learner@example.com")
    for path in ("/admin/users", "/courses/sample-python-basics/learners"):
        page.goto(path)
        expect(page.get_by_role("heading", level=1, name="権限がありません")).to_be_visible()
        expect(page.get_by_role("alert")).to_contain_text("このページを表示する権限がありません")
    assert_accessible(page)
    shot(page, "learner-forbidden")


def _open_sample_assignment(page: Page) -> None:
    catalogue_link(page, SAMPLE_COURSE).click()
    enrol = page.get_by_role("button", name="受講登録する")
    expect(enrol.or_(page.get_by_role("progressbar"))).to_be_visible()
    if enrol.is_visible():
        enrol.click()
    page.get_by_role("link", name="課題1: FizzBuzz").click()
    expect(page.get_by_role("heading", level=1, name="課題1: FizzBuzz")).to_be_visible()


def test_learner_uploads_a_file_and_sees_the_scan_status(
    page: Page, allowed_console_errors: list[str], tmp_path: Path
) -> None:
    """APP-ASG-02: presigned POST straight to the data bucket, then 検査中 until the scan ends."""
    allowed_console_errors.append("status of 404")  # nothing submitted yet
    sign_in(page, "learner@example.com")
    _open_sample_assignment(page)

    # refused in the browser, in Japanese: no file, a type the API does not take, over 100 MB
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出するファイルを選んでください。")).to_be_visible()
    program = tmp_path / "tool.exe"
    program.write_bytes(b"MZ")
    page.get_by_label("提出ファイル").set_input_files(program)
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("この形式のファイルは提出できません", exact=False)).to_be_visible()
    big = tmp_path / "big.pdf"
    with big.open("wb") as f:
        f.truncate(100 * 1024 * 1024 + 1)  # sparse: no 100 MB written
    page.get_by_label("提出ファイル").set_input_files(big)
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("ファイルが大きすぎます", exact=False)).to_be_visible()

    answer = tmp_path / "fizzbuzz.txt"
    answer.write_text("for i in range(1, 31):\n    print(i)\n", encoding="utf-8")
    page.get_by_label("提出ファイル").set_input_files(answer)
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)
    mine = page.get_by_test_id("my-submission")
    expect(mine).to_contain_text("fizzbuzz.txt")
    expect(mine.locator("[data-scan-status]")).to_have_text(re.compile("^(検査中|安全)$"))
    assert_accessible(page)
    shot(page, "learner-upload")
