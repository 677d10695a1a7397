"""GL-CICD-01: the GitHub Actions workflows run CI on every change and gate production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

WORKFLOWS = Path(__file__).resolve().parents[2] / ".github" / "workflows"


def load(name: str) -> dict[Any, Any]:
    workflow: dict[Any, Any] = yaml.safe_load((WORKFLOWS / name).read_text())
    # YAML 1.1 reads the key `on` as True.
    workflow["on"] = workflow.pop(True)
    return workflow


def commands(job: dict[str, Any]) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def test_gl_cicd_01_ci_runs_the_test_command_on_every_push_and_pull_request() -> None:
    workflow = load("ci.yml")
    assert set(workflow["on"]) == {"push", "pull_request"}
    assert workflow["on"]["push"] is None  # every branch
    (job,) = workflow["jobs"].values()
    assert "make test" in commands(job)


def test_gl_cicd_01_staging_on_main_production_after_approval() -> None:
    workflow = load("deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    staging, production = workflow["jobs"]["staging"], workflow["jobs"]["production"]
    assert staging["environment"] == "staging"
    assert "make test" in commands(staging)
    assert any("ManabiPlus-Staging-" in c for c in commands(staging))
    # The "production" environment carries the required reviewers: the manual approval.
    assert production["environment"] == "production"
    assert production["needs"] == "staging"
    assert any("ManabiPlus-Production-" in c for c in commands(production))
    assert workflow["permissions"]["id-token"] == "write"  # OIDC, no stored keys
