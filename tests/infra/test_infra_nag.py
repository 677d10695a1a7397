"""cdk-nag: the AwsSolutions and NIST 800-53 rev 5 packs over every stack (MP-IAC-01, MP-ENC-01,
MP-IAM-02).

The packs run as CDK validation plugins inside the app: an unacknowledged finding fails the
synth. These tests read the cloud assembly to prove the packs ran, found nothing left, and that
every acknowledgment names its resource and a reason tied to a requirement or decision.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from manabi_infra.synth import ALL_STACK_IDS

pytestmark = pytest.mark.infra

PACKS = {"AwsSolutions", "NIST.800.53.R5"}
# A reason must point at the spec: a requirement ID, decisions.md or the design's section.
REASON = re.compile(r"\b(MP|GL|APP)-[A-Z]+-\d\d|decision|design \d", re.IGNORECASE)


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
