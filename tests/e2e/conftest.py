"""End-to-end: the whole local system (`python -m manabi_local run`) in headless Debian Chromium."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from manabi_local.tcp_ports import free_port

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("MANABI_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-results" / "e2e"
# Free ports, not the defaults: a developer's `make run` or another test run may be using them.
WEB_PORT, API_PORT, EMULATOR_PORT = free_port(), free_port(), free_port()
STARTUP_SECONDS = 180


@dataclass(frozen=True)
class LocalSystem:
    web_url: str
    api_url: str
    log: Path
    state_dir: Path  # its functions' logs and metrics are under logs/ and metrics/ (MP-MON-03)


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the local system exited early:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback URL
                return
        except OSError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not answer in {STARTUP_SECONDS}s:\n{log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def local_system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalSystem]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = ARTIFACTS / "local-system.log"
    state_dir = tmp_path_factory.mktemp("e2e") / "state"
    command = [
        sys.executable,
        "-m",
        "manabi_local",
        "run",
        f"--web-port={WEB_PORT}",
        f"--api-port={API_PORT}",
        f"--emulator-port={EMULATOR_PORT}",
        # Every session starts empty, and never touches the data a developer keeps in .local.
        f"--state-dir={state_dir}",
    ]
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    system = LocalSystem(
        f"http://127.0.0.1:{WEB_PORT}", f"http://127.0.0.1:{API_PORT}", log, state_dir
    )
    try:
        _wait_for(f"{system.api_url}/health", process, log)
        _wait_for(f"{system.web_url}/config.json", process, log)
        yield system
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def allowed_console_errors() -> list[str]:
    """Substrings of console errors a test expects (e.g. a refused sign-in's HTTP 400)."""
    return []


@pytest.fixture
def page(
    browser: Browser, local_system: LocalSystem, allowed_console_errors: list[str]
) -> Iterator[Page]:
    context = browser.new_context(base_url=local_system.web_url, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    unexpected = [e for e in errors if not any(a in e for a in allowed_console_errors)]
    assert not unexpected, f"browser console errors: {unexpected}"
