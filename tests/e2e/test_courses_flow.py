"""The walking system in a real browser: sign in, create a course, see it listed."""

from __future__ import annotations

import time

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS
from tests.e2e.helpers import sign_in


def test_teacher_signs_in_creates_a_course_and_sees_it_listed(page: Page) -> None:
    """MP-COG-08, APP-CRS-01: the seeded teacher creates a course through the local API."""
    sign_in(page, "teacher@example.com")
    expect(page.get_by_text("コース一覧")).to_be_visible()
    title = f"はじめてのPython {int(time.time())}"
    page.get_by_label("タイトル").fill(title)
    page.get_by_label("説明").fill("変数と関数の基本を学びます。")
    page.get_by_role("button", name="コースを作成").click()
    expect(page.get_by_text(title)).to_be_visible()
    page.screenshot(path=str(ARTIFACTS / "teacher-courses.png"), full_page=True)

    page.reload()  # still signed in, and the course is stored, not just drawn
    expect(page.get_by_text(title)).to_be_visible()
    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()


def test_learner_sees_courses_but_no_create_form(page: Page) -> None:
    """APP-SEC-01: the learner's page has no course editor."""
    sign_in(page, "learner@example.com")
    expect(page.get_by_text("コース一覧")).to_be_visible()
    expect(page.get_by_role("button", name="コースを作成")).to_have_count(0)


def test_wrong_password_is_refused_in_japanese(
    page: Page, allowed_console_errors: list[str]
) -> None:
    allowed_console_errors.append("status of 400")  # Cognito's NotAuthorizedException
    page.goto("/")
    page.get_by_label("メールアドレス").fill("learner@example.com")
    page.get_by_label("パスワード").fill("wrong-Passw0rd!")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("メールアドレスまたはパスワードが正しくありません。")).to_be_visible()
