"""GL-CICD-01: the GitHub Actions workflows run CI on every change and gate production."""

from __future__ import annotations

import re
import subprocess
import sys
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
    assert set(workflow["on"]) == {"push", "pull_request", "workflow_call"}  # + called by deploy
    assert workflow["on"]["push"] is None  # every branch
    (job,) = workflow["jobs"].values()
    assert "make test" in commands(job)


def steps(job: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = job.get("steps", [])
    return found


def test_gl_cicd_01_staging_on_main_production_after_approval() -> None:
    workflow = load("deploy.yml")
    assert workflow["on"]["push"] == {"branches": ["main"]}
    jobs = workflow["jobs"]
    # CI first, through the same workflow file (no second copy of the test job).
    assert jobs["test"]["uses"] == "./.github/workflows/ci.yml"
    assert "workflow_call" in load("ci.yml")["on"]
    staging, production = jobs["staging"], jobs["production"]
    assert staging["needs"] == "test"
    assert staging["environment"] == "staging"
    # The "production" environment carries the required reviewers: the manual approval.
    assert production["environment"] == "production"
    assert production["needs"] == "staging"


def test_gl_dep_01_deploy_jobs_run_make_deploy_and_nothing_else_of_the_deploy() -> None:
    """GL-DEP-01: the workflow deploys with the operator's command; no second copy of the
    deploy logic (no cdk/npx call of its own)."""
    jobs = load("deploy.yml")["jobs"]
    for env in ("staging", "production"):
        assert commands(jobs[env]) == [f"make deploy ENV={env}"]
        (step,) = [s for s in steps(jobs[env]) if "run" in s]
        assert step["env"]["CI"] == "true"  # no typed confirmation: the approval is the gate
    for name in ("ci.yml", "deploy.yml"):
        text = (WORKFLOWS / name).read_text()
        assert "npx" not in text
        assert "aws-cdk" not in text


def test_gl_cicd_01_actions_pinned_to_commit_shas_node_22_no_persisted_credentials() -> None:
    for name in ("ci.yml", "deploy.yml"):
        for job in load(name)["jobs"].values():
            for step in steps(job):
                if "uses" not in step:
                    continue
                action, _, ref = step["uses"].partition("@")
                assert re.fullmatch(r"[0-9a-f]{40}", ref), f"{name}: {step['uses']} not pinned"
                if action == "actions/checkout":
                    assert step["with"]["persist-credentials"] is False
                if action == "actions/setup-node":
                    assert step["with"]["node-version"] == "22"


def test_gl_cicd_01_least_permissions_per_job_oidc_only_where_deploying() -> None:
    for name in ("ci.yml", "deploy.yml"):
        workflow = load(name)
        assert workflow["permissions"] == {}  # nothing by default
        for job_name, job in workflow["jobs"].items():
            permissions = job["permissions"]
            deploys = name == "deploy.yml" and job_name in ("staging", "production")
            expected = {"contents": "read", **({"id-token": "write"} if deploys else {})}
            assert permissions == expected, f"{name}:{job_name}"


def test_gl_cicd_01_zizmor_finds_nothing_of_medium_or_higher() -> None:
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "zizmor"),
            "--offline",
            "--min-severity",
            "medium",
            str(WORKFLOWS),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_gl_cicd_01_workflows_valid_against_the_github_workflow_schema() -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "check_jsonschema",
            "--builtin-schema",
            "vendor.github-workflows",
            *map(str, sorted(WORKFLOWS.glob("*.yml"))),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
