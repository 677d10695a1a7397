"""The SPA origin: files, index.html fallback, content types, /config.json (manabi_local.web)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from manabi_local.events import HttpRequest
from manabi_local.provisioning import LocalResources
from manabi_local.web import BUILD_COMMAND, StaticSite, connect_sources, content_type, site_config

CONFIG = {"apiUrl": "http://127.0.0.1:8081", "environment": "local"}


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text("<!doctype html><title>まなび+</title>", encoding="utf-8")
    (tmp_path / "assets" / "index-abc123.js").write_text("console.log(1)")
    (tmp_path / "assets" / "index-abc123.css").write_text("body{}")
    (tmp_path / "favicon.svg").write_text("<svg/>")
    return tmp_path


def _get(site: StaticSite, target: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
    response = site(HttpRequest(method, target, []))
    return response.status, dict(response.headers), response.body


@pytest.mark.parametrize("path", ["/", "/courses", "/courses/abc/edit", "/login?next=/x"])
def test_spa_routes_fall_back_to_index_html(dist: Path, path: str) -> None:
    status, headers, body = _get(StaticSite(dist, CONFIG), path)
    assert status == 200
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["Cache-Control"] == "no-cache"
    assert "まなび+" in body.decode()


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/assets/index-abc123.js", "text/javascript; charset=utf-8"),
        ("/assets/index-abc123.css", "text/css; charset=utf-8"),
        ("/favicon.svg", "image/svg+xml"),
    ],
)
def test_files_with_their_content_type(dist: Path, path: str, expected: str) -> None:
    status, headers, _ = _get(StaticSite(dist, CONFIG), path)
    assert status == 200
    assert headers["Content-Type"] == expected


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [
        ("/assets/index-abc123.js", "public, max-age=31536000, immutable"),
        ("/assets/index-abc123.css", "public, max-age=31536000, immutable"),
        ("/favicon.svg", "no-cache"),
        ("/index.html", "no-cache"),
        ("/courses/1", "no-cache"),
        ("/config.json", "no-cache"),
    ],
)
def test_gl_dep_01_the_cloud_cache_headers(dist: Path, path: str, cache_control: str) -> None:
    """GL-DEP-01: the local origin sends the web bucket's Cache-Control (hashed assets for a
    year, the rest revalidated)."""
    status, headers, _ = _get(StaticSite(dist, CONFIG), path)
    assert status == 200
    assert headers["Cache-Control"] == cache_control


@pytest.mark.parametrize("path", ["/assets/missing.js", "/missing.png", "/../../etc/passwd.txt"])
def test_missing_files_with_an_extension_are_404(dist: Path, path: str) -> None:
    status, _, _ = _get(StaticSite(dist, CONFIG), path)
    assert status == 404


def test_paths_cannot_escape_the_dist_directory(dist: Path) -> None:
    (dist.parent / "secret").write_text("no")
    status, _, body = _get(StaticSite(dist, CONFIG), "/%2e%2e/secret")
    assert body != b"no"
    assert status == 200  # no extension: the SPA's index.html, never the file outside


def test_config_json_is_generated_and_revalidated(dist: Path) -> None:
    status, headers, body = _get(StaticSite(dist, CONFIG), "/config.json")
    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert headers["Cache-Control"] == "no-cache"  # as the cloud's (GL-DEP-01)
    assert json.loads(body) == CONFIG


def test_only_get_and_head(dist: Path) -> None:
    assert _get(StaticSite(dist, CONFIG), "/", "POST")[0] == 405


def test_missing_build_says_how_to_build(tmp_path: Path) -> None:
    site = StaticSite(tmp_path / "dist", CONFIG)
    assert not site.built
    status, _, body = _get(site, "/")
    assert status == 503
    assert BUILD_COMMAND in body.decode()
    assert _get(site, "/config.json")[0] == 200


def test_site_config_follows_the_contract() -> None:
    resources = LocalResources(
        endpoint="http://127.0.0.1:4566",
        region="ap-northeast-1",
        account_id="000000000000",
        table_name="t",
        user_pool_id="ap-northeast-1_p",
        user_pool_client_id="c",
        buckets={},
        physical_ids={},
        attributes={},
        clients_by_pool={},
        api_environment={},
    )
    assert site_config(resources, "http://127.0.0.1:8081") == {
        "apiUrl": "http://127.0.0.1:8081",
        "region": "ap-northeast-1",
        "userPoolId": "ap-northeast-1_p",
        "userPoolClientId": "c",
        "cognitoEndpoint": "http://127.0.0.1:4566",
        "environment": "local",
    }
    # With the local Cognito front running, the SPA talks to it instead of the emulator.
    front = "http://127.0.0.1:8080/_local/cognito/"
    assert site_config(resources, "http://x", cognito_endpoint=front)["cognitoEndpoint"] == front


def test_content_type_fallback() -> None:
    assert content_type("x.unknownext") == "application/octet-stream"
    assert content_type("app.webmanifest") == "application/manifest+json"


@pytest.mark.parametrize("path", ["/", "/assets/index-abc123.js", "/config.json", "/missing.png"])
def test_gl_dep_01_every_answer_carries_the_site_security_headers(dist: Path, path: str) -> None:
    """GL-DEP-01: the cloud site's response-headers policy, sent by the local origin too."""
    config = {"apiUrl": "http://127.0.0.1:8081/", "cognitoEndpoint": "http://127.0.0.1:8080/_x/"}
    site_ = StaticSite(dist, config, connect_src=connect_sources(config, "http://127.0.0.1:4566"))
    _, headers, _ = _get(site_, path)
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    csp = headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    # The API, the Cognito front and the emulator (presigned uploads), as origins, each once.
    assert (
        "connect-src 'self' http://127.0.0.1:8081 http://127.0.0.1:8080 http://127.0.0.1:4566;"
        in csp
    )
    raw = site_(HttpRequest("GET", path, [])).headers
    assert [name for name, _ in raw].count("X-Content-Type-Options") == 1
