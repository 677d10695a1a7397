"""GL-DEP-01: `make smoke` names what is wrong with a deployed site. The site and API here are a
table of answers (the real HTTP path is proven on the local system by
tests/integration/local/test_local_smoke.py)."""

from __future__ import annotations

import io
import json
from collections.abc import Mapping

import pytest

from manabi_contract import site
from manabi_ops.smoke import Answer, Smoke, main, run

SITE = "https://manabiplus.example.jp"
API = "https://api.manabiplus.example.jp/v1"
EXECUTE_API = "https://abc123.execute-api.ap-northeast-1.amazonaws.com/prod"
CONFIG = dict.fromkeys(site.CONFIG_KEYS, "x") | {site.KEY_API_URL: API}
CSP = site.content_security_policy(["https://api.manabiplus.example.jp"])
SECURE = {
    "strict-transport-security": site.STRICT_TRANSPORT_SECURITY,
    "content-security-policy": CSP,
    "x-content-type-options": site.CONTENT_TYPE_OPTIONS,
    "x-frame-options": site.FRAME_OPTIONS,
    "referrer-policy": site.REFERRER_POLICY,
}


class Deployed:
    """A healthy environment's answers; a test changes one of them."""

    def __init__(self) -> None:
        self.answers: dict[tuple[str, str], Answer] = {
            ("GET", SITE + "/config.json"): Answer(
                200, {"cache-control": "no-cache"}, json.dumps(CONFIG).encode()
            ),
            ("GET", API + "/health"): Answer(200, {}, b"{}"),
            ("GET", API + "/courses"): Answer(401, {}, b"{}"),
            ("GET", SITE + "/"): Answer(200, SECURE, b"<html>"),
            ("GET", EXECUTE_API + "/health"): Answer(403, {}, b"{}"),
        }

    def __call__(self, method: str, url: str, headers: Mapping[str, str] | None = None) -> Answer:
        if method == "OPTIONS":
            origin = (headers or {})["Origin"]
            allowed = {"access-control-allow-origin": origin} if origin == SITE else {}
            return self.answers.get((method, url), Answer(204, allowed, b""))
        return self.answers[(method, url)]


def _run(http: Deployed, execute_api: str | None = EXECUTE_API) -> tuple[int, str]:
    out = io.StringIO()
    return run(Smoke(SITE, execute_api, http), out), out.getvalue()


def test_gl_dep_01_a_healthy_environment_passes_every_check() -> None:
    code, out = _run(Deployed())
    assert code == 0, out
    assert out.count("ok    ") == 6
    assert out.rstrip().endswith("smoke test passed")


def test_gl_dep_01_a_missing_security_header_is_named() -> None:
    http = Deployed()
    headers = {k: v for k, v in SECURE.items() if k != "strict-transport-security"}
    http.answers[("GET", SITE + "/")] = Answer(200, headers, b"<html>")
    code, out = _run(http)
    assert code == 1
    assert "FAIL  security headers: the site sends no Strict-Transport-Security" in out


@pytest.mark.parametrize(
    ("key", "answer", "seen"),
    [
        (("GET", API + "/courses"), Answer(200, {}, b"[]"), "answered 200, not 401"),
        (("GET", API + "/health"), Answer(503, {}, b""), "answered 503"),
        (("GET", EXECUTE_API + "/health"), Answer(200, {}, b"{}"), "origin-secret check"),
        (("OPTIONS", API + "/courses"), Answer(403, {}, b""), "allowed origin is not the site"),
    ],
)
def test_gl_dep_01_each_broken_answer_fails_its_check(
    key: tuple[str, str], answer: Answer, seen: str
) -> None:
    http = Deployed()
    http.answers[key] = answer
    code, out = _run(http)
    assert code == 1
    assert seen in out
    assert out.count("FAIL") == 1  # the other checks still ran


def test_gl_dep_01_config_json_cached_or_incomplete_stops_the_run() -> None:
    http = Deployed()
    http.answers[("GET", SITE + "/config.json")] = Answer(
        200, {"cache-control": "max-age=600"}, json.dumps(CONFIG).encode()
    )
    code, out = _run(http)
    assert (code, out.count("FAIL")) == (1, 1)
    assert "old API address" in out
    assert "the other checks need config.json's API URL" in out


def test_gl_dep_01_without_execute_api_the_run_says_what_it_did_not_check() -> None:
    code, out = _run(Deployed(), execute_api=None)
    assert code == 0
    assert "execute-api URL not checked: pass --execute-api" in out


def test_gl_dep_01_an_unreachable_site_says_so() -> None:
    out = io.StringIO()
    assert main(["--site", "http://127.0.0.1:9"], out) == 1
    assert "FAIL  config.json: cannot reach it" in out.getvalue()


def test_gl_dep_01_a_site_that_is_not_a_url_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--site", "manabiplus.example.jp"])
    assert stopped.value.code == 2
    assert "is not a URL" in capsys.readouterr().err
