"""The SPA origin: serves web/dist like the cloud distribution, plus a generated /config.json.

Routes of the SPA (paths without a file extension) are answered with index.html, as the
CloudFront function does in the cloud; a missing file with an extension is a 404, so a broken
asset link is not hidden behind an HTML page.
"""

from __future__ import annotations

import json
import mimetypes
import posixpath
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from manabi_contract import site
from manabi_local.activity import ACTIVITY_PATH
from manabi_local.cognito_front import COGNITO_PATH
from manabi_local.events import HttpRequest, HttpResponse
from manabi_local.mailbox import MAILBOX_PATH
from manabi_local.provisioning import LocalResources

DEFAULT_PORT = 8080
BUILD_COMMAND = "npm --prefix web ci && npm --prefix web run build"

_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".mjs": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".map": "application/json",
    ".svg": "image/svg+xml",
    ".ico": "image/x-icon",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".avif": "image/avif",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".wasm": "application/wasm",
    ".webmanifest": "application/manifest+json",
    ".txt": "text/plain; charset=utf-8",
}


def site_config(
    resources: LocalResources, api_url: str, cognito_endpoint: str | None = None
) -> dict[str, Any]:
    """/config.json of the SPA (docs/contracts.md), with the keys the cloud's has
    (manabi_contract.site).

    `cognito_endpoint`: the local Cognito front (manabi_local.cognito_front) when it runs, else
    the emulator itself.
    """
    return {
        site.KEY_API_URL: api_url,
        site.KEY_REGION: resources.region,
        site.KEY_USER_POOL_ID: resources.user_pool_id,
        site.KEY_USER_POOL_CLIENT_ID: resources.user_pool_client_id,
        site.KEY_COGNITO_ENDPOINT: cognito_endpoint or resources.endpoint,
        site.KEY_ENVIRONMENT: "local",
    }


def content_type(path: str) -> str:
    suffix = posixpath.splitext(path)[1].lower()
    if suffix in _TYPES:
        return _TYPES[suffix]
    guessed, _ = mimetypes.guess_type(path)
    return guessed or "application/octet-stream"


def _missing_build_page() -> bytes:
    return (
        "<!doctype html><meta charset=utf-8><title>まなび+ local</title>"
        "<h1>web/dist not found</h1>"
        f"<p>Build the SPA first: <code>{BUILD_COMMAND}</code>, then reload.</p>"
        "<p>SPA のビルドがありません。上のコマンドでビルドしてから再読み込みしてください。</p>"
    ).encode()


def connect_sources(config: Mapping[str, Any], *extra: str) -> list[str]:
    """What the SPA calls besides its own origin: the API and Cognito of its config.json, and
    `extra` (the emulator, where the presigned uploads go)."""
    found = [config.get(site.KEY_API_URL), config.get(site.KEY_COGNITO_ENDPOINT), *extra]
    origins = []
    for url in found:
        if url:
            parts = urllib.parse.urlsplit(str(url))
            origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


class StaticSite:
    """web/dist with the cloud's cache and security headers (manabi_contract.site)."""

    def __init__(
        self, dist: Path, config: Mapping[str, Any], connect_src: Sequence[str] | None = None
    ) -> None:
        self.dist = dist.resolve()
        self.config_body = json.dumps(config, ensure_ascii=False, indent=2).encode("utf-8")
        sources = connect_sources(config) if connect_src is None else connect_src
        self.security_headers = list(site.security_headers(sources).items())

    @property
    def built(self) -> bool:
        return (self.dist / "index.html").is_file()

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self._answer(request)
        present = {name.lower() for name, _ in response.headers}
        extra = [(k, v) for k, v in self.security_headers if k.lower() not in present]
        return HttpResponse(response.status, [*response.headers, *extra], response.body)

    def _answer(self, request: HttpRequest) -> HttpResponse:
        if request.method not in {"GET", "HEAD"}:
            return HttpResponse(405, [("Allow", "GET, HEAD")])
        path = posixpath.normpath(urllib.parse.unquote(request.path))
        if path == site.CONFIG_PATH:
            # Generated per run (ids of this emulator); revalidated like the cloud's.
            return HttpResponse(
                200,
                [
                    ("Content-Type", "application/json"),
                    ("Cache-Control", site.cache_control(path)),
                ],
                self.config_body,
            )
        relative = path.lstrip("/")
        candidate = (self.dist / relative).resolve() if relative else self.dist / "index.html"
        if candidate.is_dir():
            candidate = candidate / "index.html"
        inside = candidate.is_relative_to(self.dist)
        if inside and candidate.is_file():
            return self._file(candidate)
        if posixpath.splitext(path)[1] and not path.endswith("/"):
            return HttpResponse(404, [("Content-Type", "text/plain; charset=utf-8")], b"Not Found")
        return self._index()

    def _index(self) -> HttpResponse:
        index = self.dist / "index.html"
        if not index.is_file():
            return HttpResponse(
                503, [("Content-Type", "text/html; charset=utf-8")], _missing_build_page()
            )
        return self._file(index)

    def _file(self, file: Path) -> HttpResponse:
        # The cloud's cache headers (manabi_contract.site): hashed assets/ immutable for a year,
        # everything else (index.html names the current build's assets) revalidated.
        path = "/" + file.relative_to(self.dist).as_posix()
        headers = [
            ("Content-Type", content_type(file.name)),
            ("X-Content-Type-Options", "nosniff"),
            ("Cache-Control", site.cache_control(path)),
        ]
        return HttpResponse(200, headers, file.read_bytes())


App = Callable[[HttpRequest], HttpResponse]


class LocalWebOrigin:
    """The local SPA origin: the static site, plus the local Cognito front and the mailbox.

    The extras live under /_local/, a prefix the SPA never uses for its own routes; `activity`
    is the "what happened" view (manabi_local.activity), when the run has one.
    """

    def __init__(
        self, site: StaticSite, cognito: App, mailbox: App, activity: App | None = None
    ) -> None:
        self.site = site
        self.cognito = cognito
        self.mailbox = mailbox
        self.activity = activity

    @property
    def built(self) -> bool:
        return self.site.built

    def __call__(self, request: HttpRequest) -> HttpResponse:
        path = request.path
        if path in {COGNITO_PATH, COGNITO_PATH.rstrip("/")}:
            return self.cognito(request)
        if path == MAILBOX_PATH:
            return self.mailbox(request)
        if path == ACTIVITY_PATH and self.activity is not None:
            return self.activity(request)
        return self.site(request)
