"""The local Cognito front's pieces that need no emulator: mailbox, routing, the trigger source."""

from __future__ import annotations

import json
from pathlib import Path

from manabi_local.cognito_front import COGNITO_PATH
from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.mailbox import MAILBOX_PATH, Mailbox, MailMessage
from manabi_local.post_confirmation import load_post_confirmation
from manabi_local.web import LocalWebOrigin, StaticSite


def _request(target: str, method: str = "GET") -> HttpRequest:
    return HttpRequest(method=method, target=target, headers=[])


def _message(to: str, code: str) -> MailMessage:
    return MailMessage(
        to=to,
        subject="検証コード",
        body=f"検証コードは {code} です。",
        code=code,
        kind="sign-up",
        username="u",
    )


def test_mailbox_lists_messages_for_one_address_case_insensitively() -> None:
    mailbox = Mailbox()
    mailbox.add(_message("Hana@example.com", "123456"))
    mailbox.add(_message("taro@example.com", "654321"))
    response = mailbox.response(_request(f"{MAILBOX_PATH}?to=hana%40EXAMPLE.com"))
    assert response.status == 200
    assert ("Cache-Control", "no-store") in response.headers
    [message] = json.loads(response.body)["messages"]
    assert message["code"] == "123456"
    assert message["body"] == "検証コードは 123456 です。"
    assert len(json.loads(mailbox.response(_request(MAILBOX_PATH)).body)["messages"]) == 2
    assert mailbox.response(_request(MAILBOX_PATH, "POST")).status == 405


def test_mailbox_page_for_a_browser_escapes_text() -> None:
    mailbox = Mailbox()
    mailbox.add(_message("<b>@example.com", "123456"))
    request = HttpRequest(method="GET", target=MAILBOX_PATH, headers=[("Accept", "text/html")])
    response = mailbox.response(request)
    assert response.headers[0] == ("Content-Type", "text/html; charset=utf-8")
    page = response.body.decode()
    assert "検証コードは 123456 です。" in page
    assert "&lt;b&gt;@example.com" in page
    assert "<b>@" not in page


def test_local_origin_routes_cognito_mailbox_and_site(tmp_path: Path) -> None:
    seen: list[str] = []

    def app(name: str):  # type: ignore[no-untyped-def]
        def handle(request: HttpRequest) -> HttpResponse:
            seen.append(name)
            return HttpResponse(200)

        return handle

    origin = LocalWebOrigin(StaticSite(tmp_path, {}), app("cognito"), app("mailbox"))
    origin(_request(COGNITO_PATH, "POST"))
    origin(_request(COGNITO_PATH.rstrip("/"), "POST"))
    origin(_request(MAILBOX_PATH))
    assert seen == ["cognito", "cognito", "mailbox"]
    assert origin(_request("/config.json")).status == 200
    assert not origin.built


def test_trigger_is_the_one_the_cloud_runs() -> None:
    """The local front runs the deployed handler's own work (manabi_api.post_confirmation)."""
    calls: list[tuple[str, str, str]] = []

    class Cognito:
        def admin_add_user_to_group(self, **call: str) -> None:
            calls.append((call["UserPoolId"], call["Username"], call["GroupName"]))

    trigger = load_post_confirmation(Cognito())  # type: ignore[arg-type]
    confirmed = {"triggerSource": "PostConfirmation_ConfirmSignUp", "userPoolId": "p"}
    assert trigger({**confirmed, "userName": "u1"}, None)["userName"] == "u1"
    reset = {**confirmed, "triggerSource": "PostConfirmation_ConfirmForgotPassword"}
    trigger({**reset, "userName": "u2"}, None)
    assert calls == [("p", "u1", "learners")]
