"""The local mailbox: the messages the local system would have sent (`GET /_local/mailbox`).

Local mode sends no mail; the Cognito front (manabi_local.cognito_front) puts each verification
message here, and the SPA's mailbox panel and the tests read them back.
"""

from __future__ import annotations

import html
import json
import logging
import threading
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime

from manabi_local.events import HttpRequest, HttpResponse

# The Cognito front's logger: the mail lines belong to its sign-up and password flows.
logger = logging.getLogger("manabi_local.cognito")

MAILBOX_PATH = "/_local/mailbox"


@dataclass(frozen=True)
class MailMessage:
    """One message the system would have sent."""

    to: str
    subject: str
    body: str
    code: str
    kind: str  # "sign-up" | "forgot-password"
    username: str
    sent_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))


class Mailbox:
    """Messages "sent" by the local system, newest last (in memory, per run)."""

    def __init__(self) -> None:
        self._messages: list[MailMessage] = []
        self._lock = threading.Lock()

    def add(self, message: MailMessage) -> None:
        with self._lock:
            self._messages.append(message)
        logger.info("mail to %s: %s", message.to, message.body)

    def messages(self, to: str | None = None) -> list[MailMessage]:
        with self._lock:
            found = list(self._messages)
        if to:
            found = [m for m in found if m.to.lower() == to.lower()]
        return found

    def response(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return HttpResponse(405, [("Allow", "GET, HEAD")])
        to = urllib.parse.parse_qs(request.query).get("to", [""])[0] or None
        messages = self.messages(to)
        if "text/html" in (request.header("Accept") or ""):
            return HttpResponse(
                200,
                [("Content-Type", "text/html; charset=utf-8"), ("Cache-Control", "no-store")],
                _mailbox_page(messages).encode("utf-8"),
            )
        body = {"messages": [asdict(m) for m in messages]}
        return HttpResponse(
            200,
            [("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")],
            json.dumps(body, ensure_ascii=False).encode("utf-8"),
        )


def _mailbox_page(messages: list[MailMessage]) -> str:
    """The mailbox for a person in a browser tab (newest first); JSON for everything else."""
    items = "".join(
        f"<li><p>{html.escape(m.sent_at)} — 宛先: {html.escape(m.to)}</p>"
        f"<p>件名: {html.escape(m.subject)}</p><p><strong>{html.escape(m.body)}</strong></p></li>"
        for m in reversed(messages)
    )
    return (
        "<!doctype html><html lang=ja><meta charset=utf-8>"
        '<meta http-equiv="refresh" content="3">'
        "<title>ローカルのメールボックス | まなび+</title>"
        "<h1>ローカルのメールボックス</h1>"
        "<p>ローカルモードではメールを送信しません。システムが送るはずのメールをここに表示します"
        "（3 秒ごとに更新）。</p>"
        + (f"<ol>{items}</ol>" if items else "<p>まだメールはありません。</p>")
    )
