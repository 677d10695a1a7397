"""The synth cache and CloudFormation linting of the synthesized templates (MP-IAC-01)."""

from __future__ import annotations

from pathlib import Path

import pytest
from cfnlint.api import ManualArgs, lint_file

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS, OSAKA, TOKYO, US_EAST_1
from manabi_infra.synth import ALL_STACK_IDS, HASH_FILE, ensure_synth, inputs_hash

pytestmark = pytest.mark.infra

# CDK itself adds DependsOn on the function's role next to the GetAtt that already implies it.
IGNORED_CHECKS = ["W3005"]


def test_synth_is_reused_while_inputs_are_unchanged(cloud_assembly: Path) -> None:
    stamp = cloud_assembly / HASH_FILE
    assert stamp.read_text() == inputs_hash()
    before = stamp.stat().st_mtime_ns
    assert ensure_synth() == cloud_assembly
    assert stamp.stat().st_mtime_ns == before


REGIONS = {
    stack_id: region
    for config in ENVIRONMENTS.values()
    for stack_id, region in (
        (names.github_oidc_stack_id(config), TOKYO),
        *((names.baseline_stack_id(config, r), r) for r in names.BASELINE_REGIONS),
        (names.edge_stack_id(config), US_EAST_1),
        (names.dr_stack_id(config), OSAKA),
        (names.workload_stack_id(config), TOKYO),
    )
}


def test_mp_iac_01_every_stack_is_synthesized(cloud_assembly: Path) -> None:
    """GitHub OIDC (Tokyo), baseline (Tokyo, Osaka, us-east-1), edge (us-east-1), DR (Osaka)
    and workload (Tokyo) per environment, nothing else."""
    assert set(ALL_STACK_IDS) == set(REGIONS)
    found = {p.name.removesuffix(".template.json") for p in cloud_assembly.glob("*.template.json")}
    assert found == set(ALL_STACK_IDS)


@pytest.mark.parametrize("stack_id", ALL_STACK_IDS)
def test_mp_iac_01_templates_pass_cfn_lint(cloud_assembly: Path, stack_id: str) -> None:
    """No cfn-lint error or warning, checked against the stack's own region."""
    template = cloud_assembly / f"{stack_id}.template.json"
    matches = lint_file(
        template, ManualArgs(regions=[REGIONS[stack_id]], ignore_checks=IGNORED_CHECKS)
    )
    assert not matches, "\n".join(str(m) for m in matches)
