"""The learning product as teachers and learners use it, in Chromium (issue 17): a renamed course,
a deleted lesson, an edited and a deleted assignment, learners by name in the submissions table,
もっと見る past 60 items, the grades CSV and the account page.

Every test makes its own course (through the local API, as a teacher's earlier work) and its own
learners (self sign-up confirmed from the local mailbox); the browser does the step under test."""

from __future__ import annotations

import csv
import io
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
import requests
from botocore.exceptions import ClientError
from playwright.sync_api import Browser, Page, expect

from manabi_local.seed import DEMO_PASSWORD
from tests.e2e.conftest import LocalSystem
from tests.e2e.helpers import assert_accessible, shot, sign_in, wait_for_scan_verdict
from tests.support_sign_in import cognito_client, id_token, sign_in_tokens, sign_up_confirmed

PASSWORD = "Kokoro-2026"  # a fresh learner's, meets the pool's policy
NEW_PASSWORD = "Atarashii-2027!"
TEACHER = "teacher@example.com"
FAR_DUE = "2099-12-01T14:59:00Z"
CSV_HEADER = ["氏名", "メールアドレス", "課題", "状態", "点数", "フィードバック", "提出日時"]


@dataclass(frozen=True)
class Api:
    """The local API as one signed-in person calls it."""

    base: str
    token: str

    def __call__(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        headers = {"Authorization": self.token}
        if method == "POST":
            headers["Idempotency-Key"] = uuid.uuid4().hex
        response = requests.request(
            method, self.base + path, json=body, headers=headers, timeout=30
        )
        assert response.status_code < 300, (
            f"{method} {path}: {response.status_code} {response.text}"
        )
        if "json" in response.headers.get("Content-Type", ""):
            return response.json()
        return response.text


@dataclass(frozen=True)
class Learner:
    email: str
    name: str
    api: Api


class Local:
    """Sign-ups, sign-ins and course set-up against the running local system."""

    def __init__(self, system: LocalSystem) -> None:
        self.web = system.web_url
        self.config: dict[str, Any] = requests.get(f"{self.web}/config.json", timeout=10).json()

    def api(self, email: str, password: str = DEMO_PASSWORD) -> Api:
        token = id_token(
            self.config["cognitoEndpoint"], self.config["userPoolClientId"], email, password
        )
        return Api(self.config["apiUrl"].rstrip("/"), token)

    def new_learner(self, name: str) -> Learner:
        email = f"e2e-{uuid.uuid4().hex[:10]}@example.com"
        sign_up_confirmed(
            self.config["cognitoEndpoint"],
            self.config["userPoolClientId"],
            self.web,
            email,
            name,
            PASSWORD,
        )
        return Learner(email, name, self.api(email, PASSWORD))


@pytest.fixture(scope="module")
def local(local_system: LocalSystem) -> Local:
    return Local(local_system)


@pytest.fixture(scope="module")
def teacher(local: Local) -> Api:
    return local.api(TEACHER)


def stamp() -> str:
    return str(time.time_ns())[-9:]


def new_course(
    teacher: Api,
    title: str,
    lessons: tuple[str, ...] = (),
    assignments: tuple[tuple[str, str], ...] = (),
) -> dict[str, Any]:
    """A published course with lessons and (title, due) assignments; returns the course with
    `lessonIds` and `assignmentIds` in the order given."""
    course = teacher("POST", "/courses", {"title": title, "description": "e2e のコースです。"})
    base = f"/courses/{course['courseId']}"
    lesson_ids = [
        teacher("POST", f"{base}/lessons", {"title": t, "body": f"# {t}\n\n本文です。"})["lessonId"]
        for t in lessons
    ]
    assignment_ids = [
        teacher(
            "POST",
            f"{base}/assignments",
            {"title": t, "instructions": f"{t}の説明です。", "dueAt": due},
        )["assignmentId"]
        for t, due in assignments
    ]
    version = teacher("GET", base)["version"]
    published = teacher("POST", f"{base}/publish", {"version": version})
    return {**published, "lessonIds": lesson_ids, "assignmentIds": assignment_ids}


@contextmanager
def browser_page(browser: Browser, system: LocalSystem) -> Iterator[Page]:
    """A second person's browser (the `page` fixture is the first); no page errors allowed."""
    context = browser.new_context(base_url=system.web_url, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        yield page
    finally:
        context.close()
    assert not errors, errors


def submit_file(page: Page, course_id: str, assignment_id: str, file: Path) -> None:
    page.goto(f"/courses/{course_id}/assignments/{assignment_id}")
    page.get_by_label("提出ファイル").set_input_files(file)
    page.get_by_role("button", name="提出する").click()
    expect(page.get_by_text("提出しました。", exact=False)).to_be_visible(timeout=15_000)


def test_app_crs_04_a_renamed_course_shows_its_new_title_to_the_learner(
    page: Page, browser: Browser, local_system: LocalSystem, local: Local, teacher: Api
) -> None:
    """APP-CRS-04: the teacher renames a course in the editor; the learner's 受講中のコース, the
    catalogue and the course page show the new title, the old one nowhere."""
    old, new = f"改名前のコース {stamp()}", f"改名後のコース {stamp()}"
    course = new_course(teacher, old, lessons=("はじめに",))
    learner = local.new_learner(f"改名 確認{stamp()}")
    learner.api("POST", f"/courses/{course['courseId']}/enrolment")

    with browser_page(browser, local_system) as mine:
        sign_in(mine, learner.email, password=PASSWORD)
        expect(mine.get_by_test_id("my-courses").get_by_role("link", name=old)).to_be_visible()

        sign_in(page, TEACHER, next_path=f"/courses/{course['courseId']}")
        expect(page.get_by_role("heading", level=1, name=old)).to_be_visible()
        page.get_by_label("タイトル", exact=True).fill(new)
        page.get_by_role("button", name="保存", exact=True).click()
        expect(page.get_by_role("heading", level=1, name=new)).to_be_visible()

        mine.reload()
        home = mine.get_by_test_id("my-courses")
        expect(home.get_by_role("link", name=new)).to_be_visible()
        expect(
            mine.get_by_role("list", name="コース").get_by_role("link", name=new)
        ).to_be_visible()
        expect(mine.get_by_text(old)).to_have_count(0)
        home.get_by_role("link", name=new).click()
        expect(mine.get_by_role("heading", level=1, name=new)).to_be_visible()
        expect(mine.get_by_text(old)).to_have_count(0)


def test_app_crs_04_deleting_lessons_keeps_the_learner_progress_right(
    page: Page, browser: Browser, local_system: LocalSystem, local: Local, teacher: Api
) -> None:
    """APP-CRS-04 (and APP-CRS-02's progress): the teacher deletes lessons after a confirmation
    (cancelling keeps the lesson); the learner's percentage counts the remaining lessons only."""
    course = new_course(teacher, f"削除のコース {stamp()}", lessons=("第1回", "第2回", "第3回"))
    course_id, (first, second, _) = course["courseId"], course["lessonIds"]
    learner = local.new_learner(f"進捗 確認{stamp()}")
    learner.api("POST", f"/courses/{course_id}/enrolment")
    for lesson in (first, second):
        learner.api("PUT", f"/courses/{course_id}/lessons/{lesson}/completion")

    with browser_page(browser, local_system) as mine:
        sign_in(mine, learner.email, next_path=f"/courses/{course_id}", password=PASSWORD)
        expect(mine.get_by_text("2 / 3 レッスン完了（66%）")).to_be_visible()

        sign_in(page, TEACHER, next_path=f"/courses/{course_id}")
        lessons = page.locator(".lesson-item")
        expect(lessons).to_have_count(3)
        messages: list[str] = []

        def dismiss(dialog: Any) -> None:
            messages.append(dialog.message)
            dialog.dismiss()

        page.once("dialog", dismiss)
        page.get_by_role("button", name="レッスン「第2回」を削除").click()
        expect(lessons).to_have_count(3)
        assert len(messages) == 1, messages
        assert len(teacher("GET", f"/courses/{course_id}/lessons")["lessons"]) == 3
        assert messages[0].startswith("レッスン「第2回」を削除しますか？"), messages

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="レッスン「第2回」を削除").click()
        expect(lessons).to_have_count(2)
        expect(page.get_by_role("link", name="第2回")).to_have_count(0)

        mine.reload()
        expect(mine.get_by_text("1 / 2 レッスン完了（50%）")).to_be_visible()
        expect(mine.locator(".lesson-item")).to_have_count(2)

        page.once("dialog", lambda dialog: dialog.accept())
        page.get_by_role("button", name="レッスン「第3回」を削除").click()
        expect(lessons).to_have_count(1)
        mine.goto("/")
        item = mine.get_by_test_id("my-courses").locator(f"[data-course-id='{course_id}']")
        expect(item).to_contain_text("1 / 1 レッスン完了（100%）")
        expect(item).to_contain_text("すべてのレッスンを完了しました")


def test_app_asg_01_teacher_edits_an_assignment_and_deletes_another(
    page: Page, teacher: Api
) -> None:
    """APP-ASG-01: 課題を編集・削除 changes the title, instructions and due date (stored at the next
    version); another assignment is deleted after a confirmation and leaves the course page."""
    course = new_course(
        teacher,
        f"課題編集のコース {stamp()}",
        assignments=(("レポート（旧）", "2099-01-10T00:00:00Z"), ("削除する課題", FAR_DUE)),
    )
    course_id, (kept, removed) = course["courseId"], course["assignmentIds"]
    before = teacher("GET", f"/courses/{course_id}/assignments/{kept}")

    sign_in(page, TEACHER, next_path=f"/courses/{course_id}/assignments/{kept}")
    expect(page.get_by_role("heading", level=1, name="レポート（旧）")).to_be_visible()
    page.get_by_text("課題を編集・削除", exact=True).click()
    page.get_by_label("タイトル", exact=True).fill("レポート（改訂）")
    page.get_by_label("説明", exact=True).fill(
        "改訂した説明です。\n2ページ以内で提出してください。"
    )
    page.get_by_label("提出期限").fill("2099-03-15T17:30")
    page.get_by_role("button", name="課題を保存").click()
    expect(page.get_by_role("heading", level=1, name="レポート（改訂）")).to_be_visible()
    expect(page.get_by_text("2ページ以内で提出してください。", exact=False)).to_be_visible()
    expected_due = page.evaluate("() => new Date('2099-03-15T17:30').toISOString()")
    shown = page.locator("time").first.get_attribute("datetime")
    assert shown is not None
    assert _instant(shown) == _instant(expected_due), shown
    after = teacher("GET", f"/courses/{course_id}/assignments/{kept}")
    assert after["title"] == "レポート（改訂）"
    assert after["instructions"] == "改訂した説明です。\n2ページ以内で提出してください。"
    assert _instant(after["dueAt"]) == _instant(expected_due)
    assert after["version"] == before["version"] + 1
    assert_accessible(page)

    page.goto(f"/courses/{course_id}/assignments/{removed}")
    expect(page.get_by_role("heading", level=1, name="削除する課題")).to_be_visible()
    page.get_by_text("課題を編集・削除", exact=True).click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="課題を削除").click()
    expect(page).to_have_url(f"{page.url.split('/courses/')[0]}/courses/{course_id}")
    assignments = page.locator(".assignment-list li")
    expect(assignments).to_have_count(1)
    expect(assignments).to_contain_text("レポート（改訂）")
    listed = teacher("GET", f"/courses/{course_id}/assignments")["items"]
    assert [a["assignmentId"] for a in listed] == [kept]


def _instant(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_app_crs_03_the_submissions_table_shows_learners_by_name_and_email(
    page: Page,
    browser: Browser,
    local_system: LocalSystem,
    local: Local,
    teacher: Api,
    tmp_path: Path,
) -> None:
    """APP-CRS-03: the teacher's submissions table names each learner (氏名 and e-mail, not an
    id), and shows a learner's new name once they change it."""
    course = new_course(
        teacher, f"提出一覧のコース {stamp()}", assignments=(("名前の課題", FAR_DUE),)
    )
    course_id, (assignment_id,) = course["courseId"], course["assignmentIds"]
    learner = local.new_learner(f"提出 太郎{stamp()}")
    learner.api("POST", f"/courses/{course_id}/enrolment")
    answer = tmp_path / "answer.txt"
    answer.write_text("回答です。\n", encoding="utf-8")
    with browser_page(browser, local_system) as mine:
        sign_in(mine, learner.email, password=PASSWORD)
        submit_file(mine, course_id, assignment_id, answer)

    sign_in(page, TEACHER, next_path=f"/courses/{course_id}/assignments/{assignment_id}")
    rows = page.get_by_role("table").get_by_role("row")
    expect(rows).to_have_count(2)  # the header and the learner
    row = rows.filter(has_text="answer.txt")
    header = row.get_by_role("rowheader")
    expect(header).to_contain_text(learner.name)
    expect(header).to_contain_text(learner.email)
    learner_id = teacher("GET", f"/courses/{course_id}/assignments/{assignment_id}/submissions")[
        "items"
    ][0]["learnerId"]
    expect(page.get_by_text(learner_id)).to_have_count(0)
    assert_accessible(page)
    shot(page, "teacher-submissions-by-name")

    renamed = f"改名 太郎{stamp()}"
    learner.api("PUT", "/me/profile", {"name": renamed})
    page.reload()
    expect(page.get_by_role("row").filter(has_text="answer.txt")).to_contain_text(renamed)
    expect(page.get_by_text(learner.name)).to_have_count(0)


def test_app_crs_04_more_than_60_assignments_show_with_load_more(page: Page, teacher: Api) -> None:
    """APP-CRS-04: a course with 61 assignments (made through the API) lists 60 on its page;
    もっと見る brings the 61st and then goes away."""
    titles = [f"課題{n:03d}" for n in range(1, 62)]
    started = time.monotonic()
    course = new_course(
        teacher, f"61件のコース {stamp()}", assignments=tuple((t, FAR_DUE) for t in titles)
    )
    print(f"61 assignments through the API: {time.monotonic() - started:.1f} s")
    sign_in(page, TEACHER, next_path=f"/courses/{course['courseId']}")
    items = page.locator(".assignment-list li")
    expect(items).to_have_count(60)
    more = page.get_by_role("button", name="もっと見る")
    more.click()
    expect(items).to_have_count(61)
    expect(more).to_be_hidden()
    listed = items.locator("a").all_inner_texts()
    assert sorted(listed) == titles


def test_app_asg_04_the_teacher_downloads_the_grades_as_csv_excel_reads(
    page: Page,
    browser: Browser,
    local_system: LocalSystem,
    local: Local,
    teacher: Api,
    tmp_path: Path,
) -> None:
    """APP-ASG-04: 成績をCSVでダウンロード saves UTF-8 with a BOM, the Japanese header row and a
    row per learner and assignment: the graded one with its score and Japanese feedback."""
    course = new_course(teacher, f"成績のコース {stamp()}", assignments=(("成績の課題", FAR_DUE),))
    course_id, (assignment_id,) = course["courseId"], course["assignmentIds"]
    learner = local.new_learner(f"成績 花子{stamp()}")
    learner.api("POST", f"/courses/{course_id}/enrolment")
    answer = tmp_path / "grades.txt"
    answer.write_text("print('成績')\n", encoding="utf-8")
    with browser_page(browser, local_system) as mine:
        sign_in(mine, learner.email, password=PASSWORD)
        submit_file(mine, course_id, assignment_id, answer)
    wait_for_scan_verdict(f"{course_id}/{assignment_id}/", "CLEAN")
    base = f"/courses/{course_id}/assignments/{assignment_id}/submissions"
    submission = teacher("GET", base)["items"][0]
    assert submission["status"] == "CLEAN", submission
    feedback = "よくできました。「成績」、改行も\n残ります。"
    teacher(
        "PUT",
        f"{base}/{submission['learnerId']}/grade",
        {"grade": 85, "feedback": feedback, "version": submission["version"]},
    )

    sign_in(page, TEACHER, next_path=f"/courses/{course_id}/learners")
    expect(page.get_by_test_id("learners-table")).to_contain_text(learner.name)
    with page.expect_download() as download:
        page.get_by_role("button", name="成績をCSVでダウンロード").click()
    assert download.value.suggested_filename == f"grades-{course_id}.csv"
    saved = tmp_path / "grades.csv"
    download.value.save_as(saved)
    raw = saved.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), raw[:10]
    rows = list(csv.reader(io.StringIO(raw[3:].decode("utf-8"), newline="")))
    assert rows[0] == CSV_HEADER
    assert len(rows) == 2, rows
    name, email, title, state, score, comment, submitted = rows[1]
    assert (name, email, title, score, comment) == (
        learner.name,
        learner.email,
        "成績の課題",
        "85",
        feedback,
    )
    assert state == "採点済み", rows[1]
    assert _instant(submitted) == _instant(submission["submittedAt"]), rows[1]


def test_app_acc_01_the_account_page_changes_name_and_password_then_signs_in_again(
    page: Page, local: Local, teacher: Api, allowed_console_errors: list[str]
) -> None:
    """APP-ACC-01: アカウント設定 changes 氏名 (the teacher sees the new one), refuses a wrong
    current password in Japanese, changes the password, signs out; the new password signs in,
    the old one no longer does. axe-core clean."""
    allowed_console_errors.append("status of 400")  # Cognito's refusals of the wrong passwords
    course = new_course(teacher, f"設定のコース {stamp()}")
    learner = local.new_learner(f"設定 次郎{stamp()}")
    learner.api("POST", f"/courses/{course['courseId']}/enrolment")

    sign_in(page, learner.email, password=PASSWORD)
    page.get_by_role("link", name="アカウント設定").click()
    expect(page.get_by_role("heading", level=1, name="アカウント設定")).to_be_visible()
    expect(page.get_by_text(f"メールアドレス: {learner.email}", exact=True)).to_be_visible()
    name = page.get_by_role("textbox", name="氏名", exact=True)
    expect(name).to_have_value(learner.name)
    assert_accessible(page)
    shot(page, "account-settings")

    renamed = f"新しい 次郎{stamp()}"
    name.fill(renamed)
    page.get_by_role("button", name="氏名を保存").click()
    expect(page.get_by_text("氏名を保存しました。", exact=True)).to_be_visible()
    enrolled = teacher("GET", f"/courses/{course['courseId']}/enrolments")["items"]
    assert [(e["learnerName"], e["learnerEmail"]) for e in enrolled] == [(renamed, learner.email)]

    password_form = page.locator("section[aria-labelledby=settings-password]")
    password_form.get_by_label("現在のパスワード").fill("Wrong-Passw0rd!")
    password_form.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    password_form.get_by_role("button", name="パスワードを変更").click()
    refusal = password_form.get_by_role("alert")
    # the SPA's message for Cognito's NotAuthorizedException on ChangePassword
    expect(refusal).to_have_text(
        "現在のパスワードが正しくありません。確認して、もう一度入力してください。"
    )
    assert_accessible(page)

    password_form.get_by_label("現在のパスワード").fill(PASSWORD)
    password_form.get_by_label("新しいパスワード").fill(NEW_PASSWORD)
    password_form.get_by_role("button", name="パスワードを変更").click()
    expect(password_form.get_by_text("パスワードを変更しました。", exact=False)).to_be_visible()

    page.locator("section[aria-labelledby=settings-signout]").get_by_role(
        "button", name="ログアウト", exact=True
    ).click()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    page.get_by_label("メールアドレス").fill(learner.email)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("メールアドレスまたはパスワードが正しくありません。")).to_be_visible()
    sign_in(page, learner.email, password=NEW_PASSWORD)
    page.goto("/account")
    expect(page.get_by_role("textbox", name="氏名", exact=True)).to_have_value(renamed)


def test_app_acc_01_sign_out_everywhere_ends_the_other_sessions_too(
    page: Page, local: Local
) -> None:
    """APP-ACC-01: すべての端末からログアウト (Cognito GlobalSignOut) shows the sign-in page and
    ends another device's session: its refresh token and access token are refused from then on."""
    learner = local.new_learner(f"全端末 三郎{stamp()}")
    endpoint, client_id = local.config["cognitoEndpoint"], local.config["userPoolClientId"]
    other_device = sign_in_tokens(endpoint, client_id, learner.email, PASSWORD)
    cognito = cognito_client(endpoint)
    assert cognito.get_user(AccessToken=other_device["access"])["Username"]

    sign_in(page, learner.email, password=PASSWORD)
    page.goto("/account")
    page.get_by_role("button", name="すべての端末からログアウト").click()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    page.goto("/account")  # nothing of the session is kept in this browser either
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()

    with pytest.raises(ClientError) as refresh:
        cognito.initiate_auth(
            ClientId=client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": other_device["refresh"]},
        )
    assert refresh.value.response["Error"]["Code"] == "NotAuthorizedException"
    with pytest.raises(ClientError) as access:
        cognito.get_user(AccessToken=other_device["access"])
    assert access.value.response["Error"]["Code"] == "NotAuthorizedException"


def test_app_crs_01_the_teacher_archives_a_course_and_the_learner_sees_it_has_ended(
    page: Page, browser: Browser, local_system: LocalSystem, local: Local, teacher: Api
) -> None:
    """APP-CRS-01: アーカイブする in the editor archives a published course (after its
    announcement the badge says アーカイブ and the button is gone); an enrolled learner's
    受講中のコース marks it このコースは終了しました and the catalogue no longer offers it."""
    title = f"アーカイブするコース {stamp()}"
    course = new_course(teacher, title, lessons=("はじめに",))
    learner = local.new_learner(f"終了 確認{stamp()}")
    learner.api("POST", f"/courses/{course['courseId']}/enrolment")

    sign_in(page, TEACHER, next_path=f"/courses/{course['courseId']}")
    expect(page.get_by_role("heading", level=1, name=title)).to_be_visible()
    page.get_by_role("button", name="アーカイブする").click()
    expect(page.get_by_text("コースをアーカイブしました。")).to_be_visible()
    expect(page.get_by_text("アーカイブ", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="アーカイブする")).to_have_count(0)
    expect(page.get_by_role("button", name="公開する")).to_have_count(0)
    assert teacher("GET", f"/courses/{course['courseId']}")["status"] == "archived"

    with browser_page(browser, local_system) as mine:
        sign_in(mine, learner.email, password=PASSWORD)
        row = mine.get_by_test_id("my-courses").locator(f"[data-course-id='{course['courseId']}']")
        expect(row.get_by_role("link", name=title)).to_be_visible()
        expect(row).to_contain_text("このコースは終了しました")
        expect(
            mine.get_by_role("list", name="コース").get_by_role("link", name=title)
        ).to_have_count(0)
        assert_accessible(mine)
