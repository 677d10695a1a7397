"""Accounts in a real browser (APP-AUTH-01): sign up, confirm with the code from the local
mailbox, sign in, stay signed in across a reload, sign out; forgot-password round trip."""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from tests.e2e.conftest import ARTIFACTS

PASSWORD = "Kokoro-2026"  # a test password that meets the pool's policy
NEW_PASSWORD = "Atarashii-2026"


def _code_from_mailbox(page: Page, nth_message: int) -> str:
    """The code in the newest message of the local mailbox panel (it polls every second)."""
    messages = page.get_by_test_id("local-mailbox").locator(".mailbox-message")
    expect(messages).to_have_count(nth_message, timeout=10_000)
    body = messages.first.locator(".mailbox-body").inner_text()
    match = re.fullmatch(r"検証コードは (\d{6}) です。", body)
    assert match, body
    return match.group(1)


def _sign_up_and_confirm(page: Page, email: str) -> None:
    page.goto("/")
    page.get_by_role("link", name="アカウントを作成").click()
    expect(page.get_by_role("heading", name="アカウントを作成")).to_be_visible()
    page.get_by_label("氏名", exact=True).fill("新規 花子")  # APP-ACC-01: asked at sign-up
    page.get_by_label("メールアドレス", exact=True).fill(email)
    password = page.get_by_label("パスワード", exact=True)
    password.fill("kokoro")
    expect(page.locator('[data-rule="upper"]')).to_have_attribute("data-met", "false")
    password.fill(PASSWORD)
    for rule in ("length", "upper", "lower", "number", "symbol"):
        expect(page.locator(f'[data-rule="{rule}"]')).to_have_attribute("data-met", "true")
    page.get_by_role("button", name="アカウントを作成").click()

    expect(page.get_by_role("heading", name="メールアドレスの確認")).to_be_visible()
    expect(page.get_by_text(f"{email} に届いた検証コード")).to_be_visible()
    code = _code_from_mailbox(page, 1)
    page.screenshot(path=str(ARTIFACTS / "confirm-with-mailbox.png"), full_page=True)
    page.get_by_label("検証コード").fill(code)
    page.get_by_role("button", name="確認する").click()
    expect(page.get_by_text("メールアドレスを確認しました。ログインしてください。")).to_be_visible()


def _sign_in(page: Page, email: str, password: str) -> None:
    page.get_by_label("メールアドレス", exact=True).fill(email)
    page.get_by_label("パスワード", exact=True).fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def test_sign_up_confirm_sign_in_reload_sign_out(page: Page) -> None:
    """APP-AUTH-01, MP-COG-08: a new account confirms with the mailed code and is a learner."""
    email = f"hana-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up_and_confirm(page, email)
    # The sign-in form comes back with the e-mail filled in.
    expect(page.get_by_label("メールアドレス", exact=True)).to_have_value(email)
    _sign_in(page, email, PASSWORD)
    expect(page.get_by_text("コース一覧")).to_be_visible()
    expect(page.get_by_text("就学者")).to_be_visible()  # joined learners on confirmation
    expect(page.get_by_role("button", name="コースを作成")).to_have_count(0)

    page.reload()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()
    expect(page.get_by_text("コース一覧")).to_be_visible()

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
    page.reload()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()


def test_forgot_password_round_trip(page: Page, allowed_console_errors: list[str]) -> None:
    allowed_console_errors.append("status of 400")  # the old password is refused at the end
    email = f"taro-{uuid.uuid4().hex[:8]}@example.com"
    _sign_up_and_confirm(page, email)

    page.get_by_role("link", name="パスワードをお忘れの方").click()
    expect(page.get_by_role("heading", name="パスワードの再設定")).to_be_visible()
    page.get_by_label("メールアドレス", exact=True).fill(email)
    page.get_by_role("button", name="検証コードを送信").click()
    code = _code_from_mailbox(page, 2)  # the sign-up code, then this one (newest first)
    page.get_by_label("検証コード").fill(code)
    page.get_by_label("新しいパスワード", exact=True).fill(NEW_PASSWORD)
    page.get_by_role("button", name="パスワードを再設定").click()
    expect(page.get_by_text("パスワードを再設定しました。")).to_be_visible()

    page.get_by_label("パスワード", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_text("メールアドレスまたはパスワードが正しくありません。")).to_be_visible()
    _sign_in(page, email, NEW_PASSWORD)


def test_forged_token_ends_the_session_with_a_japanese_notice(
    page: Page, allowed_console_errors: list[str]
) -> None:
    """A token the API refuses (bad signature), then a refused refresh: back to ログイン."""
    allowed_console_errors.extend(["status of 401", "status of 400"])
    page.goto("/")
    _sign_in(page, "learner@example.com", "Passw0rd!")
    expect(page.get_by_text("コース一覧")).to_be_visible()
    page.evaluate(
        """() => {
            const key = "manabi-plus.session.v1";
            const session = JSON.parse(localStorage.getItem(key));
            const [header, payload] = session.idToken.split(".");
            session.idToken = `${header}.${payload}.Zm9yZ2Vk`;
            session.refreshToken = "garbled-refresh-token";
            localStorage.setItem(key, JSON.stringify(session));
        }"""
    )
    page.reload()
    expect(
        page.get_by_text("セッションの有効期限が切れました。もう一度ログインしてください。")
    ).to_be_visible()
    expect(page.get_by_role("button", name="ログイン")).to_be_visible()
