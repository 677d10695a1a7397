"""cdk-nag: the AwsSolutions and NIST 800-53 rev 5 packs over every stack (MP-IAC-01, MP-ENC-01,
MP-IAM-02).

The packs run as CDK validation plugins inside the app: an unacknowledged finding fails the
synth. These tests read the cloud assembly to prove the packs ran, found nothing left, and that
every acknowledgment names its resource and a reason tied to a requirement or decision.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from manabi_infra import names
from manabi_infra.app import ACKNOWLEDGE_ENV, SCAN_BACKEND_CONTEXT
from manabi_infra.config import ENVIRONMENTS, ScanBackend
from manabi_infra.nag import accepted_for
from manabi_infra.nag_baseline import accepted_for_baseline
from manabi_infra.synth import ALL_STACK_IDS, REPO_ROOT

pytestmark = pytest.mark.infra

PACKS = {"AwsSolutions", "NIST.800.53.R5"}
# A reason must point at the spec: a requirement ID, a decision record (docs/decisions/) or the
# design's section.
REASON = re.compile(r"\b(MP|GL|APP)-[A-Z0-9]+-\d\d|decision|design \d", re.IGNORECASE)


def _acknowledgments(cloud_assembly: Path, stack_id: str) -> list[tuple[str, str, str]]:
    metadata: dict[str, list[dict[str, Any]]] = json.loads(
        (cloud_assembly / f"{stack_id}.metadata.json").read_text()
    )
    return [
        (path, rule, reason)
        for path, entries in metadata.items()
        for entry in entries
        if entry["type"] == "aws:cdk:acknowledged-rules"
        for rule, reason in entry["data"].items()
    ]


def test_mp_iac_01_rule_packs_ran_and_left_no_finding(cloud_assembly: Path) -> None:
    report = json.loads((cloud_assembly / "validation-report.json").read_text())
    plugins = {p["pluginName"]: p for p in report["pluginReports"]}
    assert set(plugins) >= PACKS
    for name in PACKS:
        assert plugins[name]["conclusion"] == "success", plugins[name]["violations"]
        assert plugins[name]["violations"] == []


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_mp_iac_01_every_acknowledgment_names_a_resource_and_a_reason(
    cloud_assembly: Path, stack_id: str
) -> None:
    acknowledgments = _acknowledgments(cloud_assembly, stack_id)
    assert acknowledgments
    for path, rule, reason in acknowledgments:
        assert path.startswith(f"/{stack_id}/"), path  # a resource, never the whole stack
        assert rule.split("::")[0] in PACKS, rule
        assert REASON.search(reason), f"{path} {rule}: {reason}"


# --- no stale acknowledgment ------------------------------------------------------------------

RAW_OUTDIR = REPO_ROOT / "build" / "nag-raw"
# Findings do not depend on the API code; the names come from the contract.
_RAW_INPUTS = ("src/manabi_infra", "src/manabi_contract", "cdk.json")


def _raw_inputs_hash(backend: ScanBackend) -> str:
    digest = hashlib.sha256(backend.value.encode())
    for name in _RAW_INPUTS:
        path = REPO_ROOT / name
        files = [path] if path.is_file() else sorted(path.rglob("*.py"))
        for file in files:
            digest.update(file.relative_to(REPO_ROOT).as_posix().encode() + b"\0")
            digest.update(file.read_bytes() + b"\0")
    return digest.hexdigest()


def _unacknowledged_report(backend: ScanBackend) -> dict[str, Any]:
    """The rule packs' report of a synth without manabi_infra.nag's acknowledgments (cached)."""
    outdir = RAW_OUTDIR / backend.value
    report_file = outdir / "validation-report.json"
    stamp = outdir / ".inputs-hash"
    digest = _raw_inputs_hash(backend)
    if not (stamp.is_file() and stamp.read_text() == digest and report_file.is_file()):
        shutil.rmtree(outdir, ignore_errors=True)
        env = {
            **os.environ,
            ACKNOWLEDGE_ENV: "0",
            "CDK_OUTDIR": str(outdir),
            "CDK_CONTEXT_JSON": json.dumps({SCAN_BACKEND_CONTEXT: backend.value}),
            "PYTHONPATH": os.pathsep.join(
                filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])
            ),
            "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
            "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
        }
        # The synth fails on the findings by design; it writes the report first.
        subprocess.run(
            [sys.executable, "-m", "manabi_infra.app"],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            check=False,
            timeout=600,
        )
        assert report_file.is_file(), "the synth without acknowledgments wrote no report"
        stamp.write_text(digest)
    report: dict[str, Any] = json.loads(report_file.read_text())
    return report


def test_mp_iac_01_guardduty_backend_passes_the_rule_packs(guardduty_assembly: Path) -> None:
    """MP-AV-01: the optional GuardDuty backend synthesizes clean under the same rule packs."""
    test_mp_iac_01_rule_packs_ran_and_left_no_finding(guardduty_assembly)


@pytest.mark.parametrize("backend", list(ScanBackend), ids=str)
def test_mp_iac_01_every_acknowledgment_is_still_needed(
    backend: ScanBackend, cloud_assembly: Path
) -> None:
    report = _unacknowledged_report(backend)
    found = {
        (c["constructPath"], f"{plugin['pluginName']}::{violation['ruleName']}")
        for plugin in report["pluginReports"]
        for violation in plugin["violations"]
        for c in violation["violatingConstructs"]
    }
    stale = []
    for default in ENVIRONMENTS.values():
        config = replace(default, scan_backend=backend)
        tables = [
            (stack_id, accepted_for(kind, config))
            for kind, stack_id in (
                ("edge", names.edge_stack_id(config)),
                ("dr", names.dr_stack_id(config)),
                ("workload", names.workload_stack_id(config)),
            )
        ] + [
            (names.baseline_stack_id(config, region), accepted_for_baseline(config, region))
            for region in names.BASELINE_REGIONS
        ]
        for stack_id, table in tables:
            for accepted in table:
                prefix = f"{stack_id}/{accepted.path}/"
                for rule in accepted.rules:
                    if not any(p.startswith(prefix) and r == rule for p, r in found):
                        stale.append(f"{prefix} {rule}")
    assert not stale, "acknowledged but no longer reported (remove from manabi_infra.nag):\n" + (
        "\n".join(stale)
    )
