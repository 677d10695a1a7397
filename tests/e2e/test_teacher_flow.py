"""Teacher and admin flows in a real browser (APP-CRS-01, APP-CRS-03, APP-ASG-01, APP-ADM-01),
and safe Markdown (no script from a lesson body runs in the learner's browser)."""

from __future__ import annotations

import re
import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import LocalSystem
from tests.e2e.helpers import (
    assert_accessible,
    assert_fits_width,
    eicar,
    shot,
    sign_in,
    wait_for_scan_verdict,
)

XSS_BODY = (
    "# 安全な表示\n\n<script>window.__xss = 1</script>\n\n"
    '<img src="x" onerror="window.__xss = 2">\n\n'
    "[リンク](javascript:window.__xss=3)\n\n**太字** の本文です。\n"
)


def test_teacher_builds_a_course_and_a_learner_reads_it_safely(
    page: Page,
    browser: Browser,
    local_system: LocalSystem,
    allowed_console_errors: list[str],
    tmp_path: Path,
) -> None:
    """APP-CRS-01, APP-CRS-03, APP-ASG-01: editor (lessons, order, assignment, publish, stale
    version), safe Markdown for the learner, the learners' progress table, submissions list."""
    allowed_console_errors.append("status of 409")  # the stale-version save below
    sign_in(page, "teacher@example.com")
    title = f"データ分析入門 {int(time.time() * 1000)}"
    page.get_by_label("タイトル").fill(title)
    page.get_by_label("説明").fill("pandas で表を扱います。")
    page.get_by_role("button", name="コースを作成").click()
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    expect(page.get_by_text("下書き", exact=True)).to_be_visible()
    expect(page.get_by_text("レッスンはまだありません。")).to_be_visible()

    # lessons: create two, then move the second up
    for lesson_title, body in (
        ("表を読む", "CSV を `read_csv` で読みます。"),
        ("安全な表示", XSS_BODY),
    ):
        page.get_by_label("レッスンのタイトル").fill(lesson_title)
        page.get_by_label("本文（Markdown）").fill(body)
        page.get_by_role("button", name="レッスンを追加").click()
        expect(page.get_by_role("link", name=lesson_title)).to_be_visible()
    page.get_by_role("button", name="「安全な表示」を上へ").click()
    expect(page.locator(".lesson-item").first).to_contain_text("安全な表示")

    # an empty lesson title is refused in Japanese before sending
    page.get_by_role("button", name="レッスンを追加").click()
    expect(page.get_by_text("レッスンのタイトルを入力してください。")).to_be_visible()

    # assignment with due date
    page.get_by_label("課題のタイトル").fill("レポート1")
    page.get_by_label("課題の説明").fill("分析結果を PDF で提出してください。")
    page.get_by_label("締切日時").fill("2099-12-01T23:59")
    page.get_by_role("button", name="課題を作成").click()
    expect(page.get_by_role("link", name="レポート1")).to_be_visible()

    # publish
    page.get_by_role("button", name="公開する").click()
    expect(page.get_by_text("公開中", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="アーカイブする")).to_be_visible()
    assert_accessible(page)
    shot(page, "teacher-course-editor")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_fits_width(page)
    page.set_viewport_size({"width": 1280, "height": 720})

    # stale version: another tab saves first, this tab's save is refused in Japanese
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.get_by_role("heading", level=1, name=title)).to_be_visible()
    other.get_by_label("説明", exact=True).fill("更新された説明です。")
    other.get_by_role("button", name="保存").click()
    expect(other.get_by_text("更新された説明です。").first).to_be_visible()
    other.close()
    page.get_by_label("説明", exact=True).fill("古い版からの更新")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("他の人が先に変更しました", exact=False)).to_be_visible()

    # a learner enrols and reads the lesson with the XSS payload: nothing runs
    learner_context = browser.new_context(base_url=local_system.web_url, locale="ja-JP")
    learner = learner_context.new_page()
    learner_errors: list[str] = []
    learner.on("pageerror", lambda e: learner_errors.append(str(e)))
    sign_in(learner, "learner@example.com")
    learner.get_by_role("link", name=title).click()
    learner.get_by_role("button", name="受講登録する").click()
    learner.get_by_role("link", name="安全な表示").click()
    body = learner.get_by_test_id("lesson-body")
    expect(body.locator("strong")).to_have_text("太字")
    expect(body.locator("script")).to_have_count(0)
    assert body.locator("img").evaluate_all("els => els.every(e => !e.hasAttribute('onerror'))")
    assert body.locator("a").evaluate_all(
        "els => els.every(e => !(e.getAttribute('href') || '').startsWith('javascript:'))"
    )
    assert learner.evaluate("() => window.__xss") is None
    learner.get_by_role("button", name="完了にする").click()
    expect(learner.get_by_text("1 / 2 レッスン完了（50%）")).to_be_visible()
    learner.get_by_role("link", name="コースへ戻る").click()
    learner.get_by_role("link", name="レポート1").click()
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n% report\n")
    learner.get_by_label("提出ファイル").set_input_files(report)
    learner.get_by_role("button", name="提出する").click()
    expect(learner.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)
    learner_context.close()
    assert not learner_errors

    # the teacher sees the learner's progress
    page.goto(page.url + "/learners")
    expect(page.get_by_role("heading", level=1, name="受講者と進捗")).to_be_visible()
    table = page.get_by_test_id("learners-table")
    expect(table.get_by_role("row")).to_have_count(2)
    expect(table).to_contain_text("1 / 2")
    # APP-CRS-03: by name and e-mail (the demo learner's 氏名), never only an id
    expect(table).to_contain_text("山田 花子")
    expect(table).to_contain_text("learner@example.com")
    assert_accessible(page)
    shot(page, "teacher-learners")

    # the submission is listed with its scan status; only clean files can be graded or downloaded
    page.get_by_role("link", name="コースへ戻る").click()
    page.get_by_role("link", name="レポート1").click()
    row = page.get_by_role("row").filter(has_text="report.pdf")
    expect(row).to_have_count(1)
    status = row.locator("[data-scan-status]")
    expect(status).to_have_text(re.compile("^(検査中|安全|危険|エラー)$"))
    if status.get_attribute("data-scan-status") != "CLEAN":
        expect(row.get_by_text("安全と判定された提出物のみ採点できます。")).to_be_visible()
        expect(row.get_by_role("button", name=re.compile("ダウンロード"))).to_have_count(0)
    assert_accessible(page)
    shot(page, "teacher-submissions")


def test_admin_changes_a_group_and_disables_and_enables_an_account(page: Page) -> None:
    """APP-ADM-01: list users, change a group, disable and enable an account."""
    sign_in(page, "admin@example.com")
    page.get_by_role("link", name="ユーザー管理").click()
    expect(page.get_by_role("heading", level=1, name="ユーザー管理")).to_be_visible()
    table = page.get_by_test_id("users-table")
    row = table.get_by_role("row").filter(has_text="learner@example.com")
    expect(row).to_have_count(1)
    assert_accessible(page)
    shot(page, "admin-users")
    page.set_viewport_size({"width": 375, "height": 812})
    assert_fits_width(page)  # the table scrolls inside its own region
    page.set_viewport_size({"width": 1280, "height": 720})

    select = page.get_by_label("learner@example.com のグループ", exact=True)
    try:
        select.select_option("teachers")
        page.get_by_role("button", name="learner@example.com のグループを変更").click()
        expect(page.get_by_role("status").filter(has_text="グループを変更しました")).to_have_count(
            1
        )
        page.reload()
        expect(page.get_by_label("learner@example.com のグループ", exact=True)).to_have_value(
            "teachers"
        )

        page.get_by_role("button", name="learner@example.com を無効にする").click()
        expect(row.get_by_text("無効", exact=True)).to_be_visible()
        page.get_by_role("button", name="learner@example.com を有効にする").click()
        expect(row.get_by_text("有効", exact=True)).to_be_visible()
    finally:
        # From a freshly loaded list: a re-render still under way after the enable would put the
        # server's "teachers" back into the select before the click sends it.
        page.reload()
        select = page.get_by_label("learner@example.com のグループ", exact=True)
        select.select_option("learners")
        expect(select).to_have_value("learners")
        page.get_by_role("button", name="learner@example.com のグループを変更").click()
        expect(page.get_by_role("status").filter(has_text="グループを変更しました")).to_have_count(
            1
        )
    page.reload()
    expect(page.get_by_label("learner@example.com のグループ", exact=True)).to_have_value(
        "learners"
    )


def test_teacher_grades_a_clean_submission_and_the_learner_sees_it(
    page: Page, browser: Browser, local_system: LocalSystem, tmp_path: Path
) -> None:
    """APP-ASG-03: download and grade a clean file with feedback; the learner reads them. An
    infected file is shown as 危険 and cannot be graded."""
    learner_context = browser.new_context(base_url=local_system.web_url, locale="ja-JP")
    learner = learner_context.new_page()
    sign_in(learner, "learner@example.com")
    learner.goto("/courses/sample-python-basics")
    enrol = learner.get_by_role("button", name="受講登録する")
    expect(enrol.or_(learner.get_by_role("progressbar"))).to_be_visible()
    if enrol.is_visible():
        enrol.click()
    learner.goto("/courses/sample-python-basics/assignments/sample-assignment-1")
    answer = tmp_path / "answer.txt"
    answer.write_text("print('FizzBuzz')\n", encoding="utf-8")
    learner.get_by_label("提出ファイル").set_input_files(answer)
    learner.get_by_role("button", name="提出する").click()
    expect(learner.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)
    wait_for_scan_verdict("sample-python-basics/sample-assignment-1/", "CLEAN")
    expect(learner.get_by_test_id("my-submission").locator("[data-scan-status]")).to_have_text(
        "安全", timeout=10_000
    )

    sign_in(page, "teacher@example.com")
    page.goto("/courses/sample-python-basics/assignments/sample-assignment-1")
    row = page.get_by_role("row").filter(has_text="answer.txt")
    expect(row.locator("[data-scan-status]")).to_have_text("安全")
    with page.expect_download() as download:
        row.get_by_role("button", name=re.compile("ダウンロード")).click()
    saved = tmp_path / "downloaded.txt"
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8") == "print('FizzBuzz')\n"
    grade = row.get_by_label(re.compile("の評価（0〜100）"))
    grade.fill("101")
    row.get_by_role("button", name="評価を保存").click()
    expect(row.get_by_text("評価は0〜100の整数で入力してください。")).to_be_visible()
    grade.fill("90")
    row.get_by_label(re.compile("へのフィードバック")).fill("よくできました。")
    row.get_by_role("button", name="評価を保存").click()
    expect(
        page.get_by_role("row").filter(has_text="answer.txt").get_by_label(re.compile("の評価"))
    ).to_have_value("90")
    assert_accessible(page)
    shot(page, "teacher-grading")

    learner.reload()
    expect(learner.get_by_test_id("grade")).to_have_text("90 / 100")
    expect(learner.get_by_test_id("feedback")).to_have_text("よくできました。")
    shot(learner, "learner-grade")

    # resubmission of an infected file: 危険, with advice; the teacher cannot grade it
    bad = tmp_path / "virus.txt"
    bad.write_bytes(eicar())
    learner.get_by_label("提出ファイル").set_input_files(bad)
    learner.get_by_role("button", name="提出する").click()
    expect(learner.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)
    wait_for_scan_verdict("sample-python-basics/sample-assignment-1/", "INFECTED")
    mine = learner.get_by_test_id("my-submission")
    expect(mine.locator("[data-scan-status]")).to_have_text("危険", timeout=10_000)
    expect(mine.get_by_text("危険なファイルと判定されました", exact=False)).to_be_visible()
    learner_context.close()
    page.reload()
    row = page.get_by_role("row").filter(has_text="virus.txt")
    expect(row.locator("[data-scan-status]")).to_have_text("危険")
    expect(row.get_by_text("安全と判定された提出物のみ採点できます。")).to_be_visible()
    # MP-AV-02: the infected file offers no download (the API refuses one too)
    expect(row.get_by_role("button", name=re.compile("ダウンロード"))).to_have_count(0)
