"""Synthesized templates of both environments, shared by every infra test of the session.

Per environment: the Tokyo workload stack (`stack`, `staging`, `production`), the us-east-1 edge
stack (`edge`) and the Osaka DR stack (`dr`); `every_stack` runs a test on all six.

`ensure_synth()` synthesizes once per change of the infra/API code; a session on unchanged code
reads the cached `cdk.out/` and starts no CDK app at all.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import pytest
from aws_cdk.assertions import Template

from manabi_contract.resources import ResourceNames
from manabi_infra import names
from manabi_infra.app import SCAN_BACKEND_CONTEXT
from manabi_infra.config import ENVIRONMENTS, EnvironmentConfig, EnvName, ScanBackend
from manabi_infra.synth import REPO_ROOT, ensure_synth, load_template

Resource = dict[str, Any]


@dataclass(frozen=True)
class SynthesizedStack:
    config: EnvironmentConfig
    template: dict[str, Any] = field(repr=False)

    stack_id: str = ""

    @property
    def names(self) -> ResourceNames:
        return names.resource_names(self.config)

    @cached_property
    def assertions(self) -> Template:
        return Template.from_json(self.template)

    @property
    def resources(self) -> dict[str, Resource]:
        resources: dict[str, Resource] = self.template["Resources"]
        return resources

    def of_type(self, cfn_type: str) -> dict[str, Resource]:
        return {lid: r for lid, r in self.resources.items() if r["Type"] == cfn_type}

    def only(self, cfn_type: str) -> tuple[str, Resource]:
        """The logical id and body of the one resource of a type."""
        found = self.of_type(cfn_type)
        assert len(found) == 1, f"expected one {cfn_type}, found {sorted(found)}"
        return next(iter(found.items()))

    def named(self, cfn_type: str, name_property: str, name: str) -> tuple[str, Resource]:
        """Find a resource by its explicit physical name, as the local provisioner does."""
        found = [
            (lid, r)
            for lid, r in self.of_type(cfn_type).items()
            if r["Properties"].get(name_property) == name
        ]
        assert len(found) == 1, f"expected one {cfn_type} with {name_property}={name}"
        return found[0]


@pytest.fixture(scope="session")
def cloud_assembly() -> Path:
    return ensure_synth()


@pytest.fixture(scope="session")
def stacks(cloud_assembly: Path) -> dict[EnvName, SynthesizedStack]:
    return {
        env: _load(config, names.workload_stack_id(config)) for env, config in ENVIRONMENTS.items()
    }


def _load(config: EnvironmentConfig, stack_id: str) -> SynthesizedStack:
    return SynthesizedStack(config, load_template(stack_id), stack_id)


@pytest.fixture(scope="session")
def guardduty_assembly() -> Path:
    """`cdk synth -c scanBackend=guardduty`: the optional GuardDuty backend (MP-AV-01)."""
    return ensure_synth(
        REPO_ROOT / "build" / "cdk.out.guardduty", {SCAN_BACKEND_CONTEXT: ScanBackend.GUARDDUTY}
    )


@pytest.fixture(scope="session")
def guardduty_stacks(guardduty_assembly: Path) -> dict[EnvName, SynthesizedStack]:
    found = {}
    for env, default in ENVIRONMENTS.items():
        config = replace(default, scan_backend=ScanBackend.GUARDDUTY)
        stack_id = names.workload_stack_id(config)
        template = json.loads((guardduty_assembly / f"{stack_id}.template.json").read_text())
        found[env] = SynthesizedStack(config, template, stack_id)
    return found


@pytest.fixture(scope="session", params=list(EnvName), ids=str)
def guardduty_stack(
    request: pytest.FixtureRequest, guardduty_stacks: dict[EnvName, SynthesizedStack]
) -> SynthesizedStack:
    """Each environment's workload stack with GuardDuty as its scan backend."""
    found: SynthesizedStack = guardduty_stacks[request.param]
    return found


@pytest.fixture(
    scope="session",
    params=[(env, backend) for env in EnvName for backend in ScanBackend],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def scan_stack(
    request: pytest.FixtureRequest,
    stacks: dict[EnvName, SynthesizedStack],
    guardduty_stacks: dict[EnvName, SynthesizedStack],
) -> SynthesizedStack:
    """Each environment's workload stack with each scan backend in turn."""
    env, backend = request.param
    found: SynthesizedStack = (guardduty_stacks if backend is ScanBackend.GUARDDUTY else stacks)[
        env
    ]
    return found


@pytest.fixture(scope="session")
def edge_stacks(cloud_assembly: Path) -> dict[EnvName, SynthesizedStack]:
    return {env: _load(c, names.edge_stack_id(c)) for env, c in ENVIRONMENTS.items()}


@pytest.fixture(scope="session")
def dr_stacks(cloud_assembly: Path) -> dict[EnvName, SynthesizedStack]:
    return {env: _load(c, names.dr_stack_id(c)) for env, c in ENVIRONMENTS.items()}


@pytest.fixture(scope="session")
def baseline_stacks(cloud_assembly: Path) -> dict[tuple[EnvName, str], SynthesizedStack]:
    """The account baseline of each environment in each of its regions (GL-SEC-01)."""
    return {
        (env, region): _load(c, names.baseline_stack_id(c, region))
        for env, c in ENVIRONMENTS.items()
        for region in names.BASELINE_REGIONS
    }


@pytest.fixture(
    scope="session",
    params=[(env, region) for env in EnvName for region in names.BASELINE_REGIONS],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def baseline(
    request: pytest.FixtureRequest, baseline_stacks: dict[tuple[EnvName, str], SynthesizedStack]
) -> SynthesizedStack:
    """Each baseline stack in turn."""
    found: SynthesizedStack = baseline_stacks[request.param]
    return found


@pytest.fixture(scope="session", params=list(EnvName), ids=str)
def edge(
    request: pytest.FixtureRequest, edge_stacks: dict[EnvName, SynthesizedStack]
) -> SynthesizedStack:
    """Each environment's us-east-1 stack in turn."""
    found: SynthesizedStack = edge_stacks[request.param]
    return found


@pytest.fixture(scope="session", params=list(EnvName), ids=str)
def dr(
    request: pytest.FixtureRequest, dr_stacks: dict[EnvName, SynthesizedStack]
) -> SynthesizedStack:
    """Each environment's Osaka stack in turn."""
    found: SynthesizedStack = dr_stacks[request.param]
    return found


@pytest.fixture(
    scope="session",
    params=[(env, kind) for env in EnvName for kind in ("edge", "dr", "workload")],
    ids=lambda p: f"{p[0]}-{p[1]}",
)
def every_stack(
    request: pytest.FixtureRequest,
    stacks: dict[EnvName, SynthesizedStack],
    edge_stacks: dict[EnvName, SynthesizedStack],
    dr_stacks: dict[EnvName, SynthesizedStack],
) -> SynthesizedStack:
    """All six stacks in turn."""
    env, kind = request.param
    found: SynthesizedStack = {"edge": edge_stacks, "dr": dr_stacks, "workload": stacks}[kind][env]
    return found


@pytest.fixture(scope="session", params=list(EnvName), ids=str)
def stack(
    request: pytest.FixtureRequest, stacks: dict[EnvName, SynthesizedStack]
) -> SynthesizedStack:
    """Each environment's stack in turn."""
    stack: SynthesizedStack = stacks[request.param]
    return stack


@pytest.fixture(scope="session")
def staging(stacks: dict[EnvName, SynthesizedStack]) -> SynthesizedStack:
    return stacks[EnvName.STAGING]


@pytest.fixture(scope="session")
def production(stacks: dict[EnvName, SynthesizedStack]) -> SynthesizedStack:
    return stacks[EnvName.PRODUCTION]
