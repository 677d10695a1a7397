"""The local mailbox: the messages the local system would have sent (`GET /_local/mailbox`).

Local mode sends no mail; the Cognito front (manabi_local.cognito_front) puts each verification
message here, and the SPA's mailbox panel and the tests read them back. The mailbox also keeps the
code each user was last sent, which the front checks. With a `path` (in the state directory) both
survive a restart (MP-LOC-01): a sign-up acknowledged before it can be confirmed after it.
"""

from __future__ import annotations

import html
import json
import logging
import os
import threading
import urllib.parse
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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
    """Messages "sent" by the local system, newest last, and the codes they carried."""

    def __init__(self, path: Path | None = None) -> None:
        self._path = path  # None: in memory, for one run
        self._messages: list[MailMessage] = []
        self._codes: dict[str, str] = {}  # "kind/username" -> the code last sent, until used
        self._lock = threading.Lock()
        if path is not None and path.exists():
            saved: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
            self._messages = [MailMessage(**m) for m in saved.get("messages", [])]
            self._codes = dict(saved.get("codes", {}))

    def add(self, message: MailMessage) -> None:
        with self._lock:
            self._messages.append(message)
            self._save()
        logger.info("mail to %s: %s", message.to, message.body)

    def remember_code(self, kind: str, username: str, code: str) -> None:
        with self._lock:
            self._codes[f"{kind}/{username}"] = code
            self._save()

    def code(self, kind: str, username: str) -> str | None:
        with self._lock:
            return self._codes.get(f"{kind}/{username}")

    def forget_code(self, kind: str, username: str) -> None:
        with self._lock:
            if self._codes.pop(f"{kind}/{username}", None) is not None:
                self._save()

    def _save(self) -> None:
        """Written whole and renamed into place (call it holding the lock)."""
        if self._path is None:
            return
        data = {"messages": [asdict(m) for m in self._messages], "codes": self._codes}
        temporary = self._path.with_name(f".{self._path.name}.tmp")
        temporary.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
        os.replace(temporary, self._path)

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
