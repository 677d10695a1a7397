"""The synth cache and CloudFormation linting of the synthesized templates (MP-IAC-01)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from manabi_infra.config import TOKYO
from manabi_infra.synth import HASH_FILE, STACK_IDS, ensure_synth, inputs_hash

pytestmark = pytest.mark.infra

# CDK itself adds DependsOn on the function's role next to the GetAtt that already implies it.
IGNORED_CHECKS = ["W3005"]


def test_synth_is_reused_while_inputs_are_unchanged(cloud_assembly: Path) -> None:
    stamp = cloud_assembly / HASH_FILE
    assert stamp.read_text() == inputs_hash()
    before = stamp.stat().st_mtime_ns
    assert ensure_synth() == cloud_assembly
    assert stamp.stat().st_mtime_ns == before


@pytest.mark.parametrize("stack_id", sorted(STACK_IDS.values()))
def test_mp_iac_01_templates_pass_cfn_lint(cloud_assembly: Path, stack_id: str) -> None:
    template = cloud_assembly / f"{stack_id}.template.json"
    matches = lint_file(template, ManualArgs(regions=[TOKYO], ignore_checks=IGNORED_CHECKS))
    assert not matches, "\n".join(str(m) for m in matches)
