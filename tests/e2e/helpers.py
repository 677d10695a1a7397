"""Shared steps of the browser tests: sign-in, axe-core checks, screenshots."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from manabi_local.seed import DEMO_PASSWORD
from tests.e2e.conftest import ARTIFACTS, ROOT

AXE = ROOT / "web" / "node_modules" / "axe-core" / "axe.min.js"
SAMPLE_COURSE = "はじめてのPython"


def sign_in(
    page: Page, email: str, next_path: str | None = None, password: str = DEMO_PASSWORD
) -> None:
    page.goto(f"/login?next={next_path}" if next_path else "/")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(password)
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("button", name="ログアウト")).to_be_visible()


def catalogue_link(page: Page, name: str) -> Locator:
    """A course's link in the catalogue (a learner's 受講中のコース above it links it too)."""
    return page.get_by_role("list", name="コース").get_by_role("link", name=name)


def shot(page: Page, name: str) -> Path:
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def assert_accessible(page: Page) -> None:
    """axe-core on the current page: no serious or critical violations."""
    assert AXE.exists(), "npm ci in web/ installs axe-core"
    # Evaluated through the DevTools protocol: the site's CSP (GL-DEP-01) rightly refuses an
    # injected <script> tag, and the page's own scripts stay under that CSP.
    page.evaluate(AXE.read_text(encoding="utf-8") + "\n;undefined")
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, { resultTypes: ['violations'] });
            return r.violations
              .filter(v => v.impact === 'serious' || v.impact === 'critical')
              .map(v => `${v.id} (${v.impact}): ` +
                   v.nodes.map(n => n.target.join(' ')).join(', '));
        }"""
    )
    assert result == [], result


def assert_fits_width(page: Page) -> None:
    """No horizontal scrolling of the page (375 px phones)."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"page is {overflow}px wider than the viewport"


def wait_for_scan_verdict(prefix: str, expected: str, wait_seconds: float = 60.0) -> None:
    """Waits for the local scanner (clamd + scan worker of `make run`) to tag the newest
    submission file under `submissions/{prefix}`, and checks its `av-status` verdict."""
    from manabi_contract.storage import SUBMISSIONS_PREFIX as SUBMISSION_PREFIX
    from manabi_local.provisioning import EmulatorClients
    from tests.e2e.conftest import EMULATOR_PORT

    clients = EmulatorClients(f"http://127.0.0.1:{EMULATOR_PORT}")
    objects = []
    for bucket in clients.s3.list_buckets()["Buckets"]:
        listing = clients.s3.list_objects_v2(
            Bucket=bucket["Name"], Prefix=SUBMISSION_PREFIX + prefix
        )
        objects += [(bucket["Name"], o) for o in listing.get("Contents", [])]
    assert objects, f"no submission file under {prefix}"
    bucket_name, newest = max(objects, key=lambda o: o[1]["LastModified"])
    deadline = time.monotonic() + wait_seconds
    while time.monotonic() < deadline:
        tags = clients.s3.get_object_tagging(Bucket=bucket_name, Key=newest["Key"])["TagSet"]
        status = next((t["Value"] for t in tags if t["Key"] == "av-status"), None)
        if status is not None:
            assert status == expected, f"{newest['Key']}: scanner said {status}, not {expected}"
            time.sleep(1)  # the scanner records the verdict right after tagging
            return
        time.sleep(0.5)
    raise AssertionError(f"no scan verdict on {newest['Key']} within {wait_seconds:.0f}s")


def eicar() -> bytes:
    """The standard antivirus test file, assembled here so the repository holds no copy."""
    return b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$" + b"EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"
