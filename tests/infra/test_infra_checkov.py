"""checkov over the synthesized templates: every failure is in the reasoned baseline
(MP-IAC-01, MP-ENC-01).

checkov has many dependencies, so it runs in an isolated uv tool environment under .tools/
(pinned version, installed on first use). Its result is cached next to the templates, keyed by
their hash, so a session on unchanged templates does not run it again.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS
from manabi_infra.synth import ALL_STACK_IDS, REPO_ROOT

pytestmark = pytest.mark.infra

CHECKOV = "checkov==3.3.30"
BASELINE = Path(__file__).with_name("checkov_baseline.yaml")
CACHE = ".checkov-failures.json"


def _uv() -> str:
    local = REPO_ROOT / ".tools" / "bin" / "uv"
    found = str(local) if local.is_file() else shutil.which("uv")
    if found is None:
        pytest.fail("uv is needed to run checkov (make test installs it into .tools/)")
    return found


# Asset object keys change with every change of the API code, which checkov does not look at.
_ASSET_KEY = re.compile(rb'"[0-9a-f]{64}\.zip"')


def _templates_hash(cloud_assembly: Path, stack_ids: tuple[str, ...]) -> str:
    digest = hashlib.sha256(CHECKOV.encode())
    for stack_id in stack_ids:
        template = (cloud_assembly / f"{stack_id}.template.json").read_bytes()
        digest.update(_ASSET_KEY.sub(b'"asset.zip"', template))
    return digest.hexdigest()


def _run_checkov(
    cloud_assembly: Path, snapshot: Path, stack_ids: tuple[str, ...]
) -> list[dict[str, str]]:
    # A snapshot: another test session may synthesize into cdk.out while checkov reads.
    files = []
    for stack_id in stack_ids:
        copy = snapshot / f"{stack_id}.template.json"
        shutil.copyfile(cloud_assembly / f"{stack_id}.template.json", copy)
        files.append(str(copy))
    env = {
        **os.environ,
        "UV_TOOL_DIR": str(REPO_ROOT / ".tools" / "uv-tools"),
        "UV_PYTHON_DOWNLOADS": "never",
    }
    result = subprocess.run(
        [_uv(), "tool", "run", "--from", CHECKOV, "checkov", "--framework", "cloudformation"]
        + ["--skip-download", "--compact", "-o", "json"]
        + [arg for f in files for arg in ("-f", f)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=600,
    )
    if result.returncode not in (0, 1):  # 1: some checks failed
        pytest.fail(f"checkov did not run ({result.returncode}):\n{result.stderr[-3000:]}")
    reports: Any = json.loads(result.stdout)
    reports = reports if isinstance(reports, list) else [reports]
    scanned = {
        Path(c["file_path"]).name.removesuffix(".template.json")
        for report in reports
        for kind in ("passed_checks", "failed_checks")
        for c in report["results"][kind]
    }
    assert scanned == set(stack_ids), f"checkov scanned only {sorted(scanned)}"
    return [
        {
            "check": f["check_id"],
            "stack": Path(f["file_path"]).name.removesuffix(".template.json"),
            "resource": f["resource"].split(".", 1)[1],
        }
        for report in reports
        for f in report["results"]["failed_checks"]
    ]


def _failures(
    cloud_assembly: Path, stack_ids: tuple[str, ...], tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, str]]:
    cache = cloud_assembly / CACHE
    digest = _templates_hash(cloud_assembly, stack_ids)
    if cache.is_file():
        cached = json.loads(cache.read_text())
        if cached["hash"] == digest:
            failures: list[dict[str, str]] = cached["failures"]
            return failures
    failures = _run_checkov(cloud_assembly, tmp_path_factory.mktemp("checkov"), stack_ids)
    cache.write_text(json.dumps({"hash": digest, "failures": failures}))
    return failures


# The GuardDuty backend changes only the workload stacks.
GUARDDUTY_STACK_IDS = tuple(names.workload_stack_id(c) for c in ENVIRONMENTS.values())


@pytest.fixture(scope="session")
def checkov_failures(
    cloud_assembly: Path, guardduty_assembly: Path, tmp_path_factory: pytest.TempPathFactory
) -> list[dict[str, str]]:
    """The failures of both scan backends' templates (MP-AV-01: the baseline covers both)."""
    return _failures(cloud_assembly, ALL_STACK_IDS, tmp_path_factory) + _failures(
        guardduty_assembly, GUARDDUTY_STACK_IDS, tmp_path_factory
    )


def _baseline() -> dict[str, dict[str, Any]]:
    baseline: dict[str, dict[str, Any]] = yaml.safe_load(BASELINE.read_text())
    return baseline


def test_mp_iac_01_checkov_failures_are_all_in_the_reasoned_baseline(
    checkov_failures: list[dict[str, str]],
) -> None:
    baseline = _baseline()
    unexpected = [
        f
        for f in checkov_failures
        if f"{f['stack'].split('-')[-1]}/{f['resource']}"
        not in baseline.get(f["check"], {}).get("resources", [])
    ]
    assert not unexpected, f"checkov findings not in {BASELINE.name}: {unexpected}"


def test_mp_iac_01_checkov_baseline_has_no_stale_entry_and_every_reason_is_tied(
    checkov_failures: list[dict[str, str]],
) -> None:
    failing = {
        (f["check"], f"{f['stack'].split('-')[-1]}/{f['resource']}") for f in checkov_failures
    }
    for check, entry in _baseline().items():
        assert "MP-" in entry["reason"] or "GL-" in entry["reason"], check
        for resource in entry["resources"]:
            assert (check, resource) in failing, f"{check} {resource} passes now: remove it"
