"""GL-DEP-01: `make smoke` against the local system, as `make test` runs it: the SPA origin's
config.json and security headers, the local API's health, CORS and 401 (the local system has no
execute-api URL, which the run says)."""

from __future__ import annotations

import io
import signal
from pathlib import Path

import pytest

from manabi_ops.smoke import main
from tests.integration.local.local_system import start, stop

pytestmark = pytest.mark.integration
REPO_ROOT = Path(__file__).resolve().parents[3]


def test_gl_dep_01_the_smoke_test_passes_against_the_local_system(tmp_path: Path) -> None:
    built = REPO_ROOT / "web" / "dist"  # make test builds the SPA first
    assert (built / "index.html").exists(), "npm --prefix web run build"
    run = start(tmp_path / "state", f"--web-dist={built}")
    try:
        out = io.StringIO()
        code = main(["--site", run.web], out)
    finally:
        stop(run, signal.SIGINT)
    report = out.getvalue()
    assert code == 0, report
    for check in (
        "config.json",
        "API health",
        "CORS preflight",
        "anonymous call refused",
        "security headers",
    ):
        assert f"ok    {check}" in report, report
    assert "execute-api URL not checked" in report
