"""`python -m manabi_ops.smoke --site URL [--execute-api URL]`: is a deployed environment (or the
local system) answering as it should? (GL-DEP-01, docs/dr-runbook.md, `make smoke`)

Read-only and anonymous: it signs nobody in and writes nothing. The checks:
- the SPA's `/config.json`: every key the SPA reads, served `no-cache`;
- the API named there: `/health` answers 200;
- CORS: a preflight from the site's origin is allowed for that origin only;
- an anonymous call (`GET /courses`) is refused with 401;
- the site's security headers (HSTS, CSP with frame-ancestors 'none' and the API among its
  connect sources, nosniff, X-Frame-Options, Referrer-Policy);
- with `--execute-api` (the workload stack's `ApiUrl` output): API Gateway's own URL refuses a
  call that did not come through CloudFront (no origin header) with 403.

Exit 0 when every check passed, 1 when one failed (each failure says what to look at), 2 on bad
arguments.
"""

from __future__ import annotations

import argparse
import email.message
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TextIO
from urllib.parse import urlsplit

from manabi_contract import site

TIMEOUT_SECONDS = 10.0
HEALTH_PATH = "/health"
ANONYMOUS_PATH = "/courses"


@dataclass(frozen=True)
class Answer:
    status: int
    headers: Mapping[str, str]  # lower-case names
    body: bytes


class SmokeFailure(Exception):
    """One check did not hold; the message says what was seen and what to look at."""


def fetch(method: str, url: str, headers: Mapping[str, str] | None = None) -> Answer:
    """One HTTP request; an error status is an answer too (only the network can fail it)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise SmokeFailure(f"{url!r} is not an http(s) URL")
    request = urllib.request.Request(url, method=method, headers=dict(headers or {}))  # noqa: S310 - http(s) only, checked above
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            return Answer(response.status, _lower(response.headers), response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, _lower(error.headers), error.read())


def _lower(headers: email.message.Message) -> dict[str, str]:
    return {k.lower(): v for k, v in headers.items()}


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


Fetch = Callable[..., Answer]


class Smoke:
    def __init__(self, site_url: str, execute_api_url: str | None, http: Fetch = fetch) -> None:
        self.site = site_url.rstrip("/")
        self.origin = origin_of(self.site)
        self.execute_api = execute_api_url.rstrip("/") if execute_api_url else None
        self.http = http
        self.api = ""  # from config.json, by the first check

    def checks(self) -> list[tuple[str, Callable[[], str]]]:
        found = [
            ("config.json", self.config),
            ("API health", self.health),
            ("CORS preflight", self.cors),
            ("anonymous call refused", self.anonymous),
            ("security headers", self.security_headers),
        ]
        if self.execute_api:
            found.append(("execute-api URL refused", self.direct_call))
        return found

    def config(self) -> str:
        answer = self.http("GET", self.site + site.CONFIG_PATH)
        _expect(answer.status == 200, f"GET {site.CONFIG_PATH} answered {answer.status}")
        try:
            config = json.loads(answer.body)
        except ValueError as error:
            raise SmokeFailure(f"{site.CONFIG_PATH} is not JSON ({error})") from error
        missing = [k for k in site.CONFIG_KEYS if k not in config]
        _expect(not missing, f"{site.CONFIG_PATH} lacks {', '.join(missing)}: redeploy")
        cache = answer.headers.get("cache-control", "")
        _expect(
            cache == site.CACHE_REVALIDATE,
            f"{site.CONFIG_PATH} is served Cache-Control {cache!r}, not "
            f"{site.CACHE_REVALIDATE!r}: browsers would keep an old API address",
        )
        self.api = str(config[site.KEY_API_URL]).rstrip("/")
        return f"API {self.api}, environment {config[site.KEY_ENVIRONMENT]}"

    def health(self) -> str:
        answer = self.http("GET", self.api + HEALTH_PATH)
        _expect(
            answer.status == 200,
            f"GET {self.api}{HEALTH_PATH} answered {answer.status}: see the API alarms and the "
            "API function's log group",
        )
        return "200"

    def cors(self) -> str:
        headers = {
            "Origin": self.origin,
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "authorization",
        }
        answer = self.http("OPTIONS", self.api + ANONYMOUS_PATH, headers)
        allowed = answer.headers.get("access-control-allow-origin")
        _expect(
            answer.status in (200, 204) and allowed == self.origin,
            f"the preflight from {self.origin} answered {answer.status} with "
            f"Access-Control-Allow-Origin {allowed!r}: the API's allowed origin is not the site",
        )
        stranger = {**headers, "Origin": "https://elsewhere.example"}
        other = self.http("OPTIONS", self.api + ANONYMOUS_PATH, stranger)
        _expect(
            other.headers.get("access-control-allow-origin") in (None, self.origin),
            "the API allows a foreign origin's preflight",
        )
        return f"allowed for {self.origin} only"

    def anonymous(self) -> str:
        answer = self.http("GET", self.api + ANONYMOUS_PATH)
        _expect(
            answer.status == 401,
            f"GET {ANONYMOUS_PATH} without a token answered {answer.status}, not 401: "
            "check the API's Cognito authorizer",
        )
        return "401"

    def security_headers(self) -> str:
        answer = self.http("GET", self.site + "/")
        _expect(answer.status == 200, f"GET / answered {answer.status}")
        missing = [h for h in site.SECURITY_HEADERS if h.lower() not in answer.headers]
        _expect(not missing, f"the site sends no {', '.join(missing)}: check its headers policy")
        csp = answer.headers[site.HEADER_CSP.lower()]
        _expect("frame-ancestors 'none'" in csp, f"the CSP allows framing: {csp}")
        _expect(
            origin_of(self.api) in csp or origin_of(self.api) == self.origin,
            f"the CSP's connect-src does not name the API {origin_of(self.api)}: the SPA could "
            "not call it",
        )
        nosniff = answer.headers[site.HEADER_CONTENT_TYPE_OPTIONS.lower()]
        _expect(nosniff == site.CONTENT_TYPE_OPTIONS, f"X-Content-Type-Options is {nosniff!r}")
        return ", ".join(site.SECURITY_HEADERS)

    def direct_call(self) -> str:
        answer = self.http("GET", f"{self.execute_api}{HEALTH_PATH}")
        _expect(
            answer.status == 403,
            f"API Gateway's own URL answered {answer.status} without the origin header, not "
            "403: the origin-secret check (WAF rule on the stage) is not in force",
        )
        return "403"


def _expect(condition: bool, failure: str) -> None:
    if not condition:
        raise SmokeFailure(failure)


def run(smoke: Smoke, out: TextIO) -> int:
    """Every check in order, one line each; later checks need config.json's API URL."""
    failures = 0
    for name, check in smoke.checks():
        try:
            detail = check()
        except SmokeFailure as failure:
            failures += 1
            print(f"FAIL  {name}: {failure}", file=out)
            if not smoke.api:
                print("      (the other checks need config.json's API URL)", file=out)
                return 1
        except OSError as error:  # DNS, refused connection, TLS, timeout
            failures += 1
            print(f"FAIL  {name}: cannot reach it ({error})", file=out)
            if not smoke.api:
                return 1
        else:
            print(f"ok    {name}: {detail}", file=out)
    if not smoke.execute_api:
        print(
            "note  execute-api URL not checked: pass --execute-api <the stack's ApiUrl output> "
            "(make smoke … EXECUTE_API_URL=…); the local system has none",
            file=out,
        )
    print("smoke test passed" if not failures else f"smoke test failed: {failures}", file=out)
    return 0 if not failures else 1


def main(argv: Sequence[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="python -m manabi_ops.smoke", description=__doc__)
    parser.add_argument(
        "--site", required=True, help="the site, e.g. https://manabiplus.example.jp"
    )
    parser.add_argument("--execute-api", help="the workload stack's ApiUrl output")
    args = parser.parse_args(argv)
    if urlsplit(args.site).scheme not in ("http", "https"):
        parser.error(f"--site {args.site!r} is not a URL; pass e.g. https://manabiplus.example.jp")
    return run(Smoke(args.site, args.execute_api), out)


if __name__ == "__main__":
    sys.exit(main())
