"""GL-DEP-01: `make deploy` / `make diff` (manabi_infra.deploy) without AWS.

The AWS calls (STS, CloudFormation) go to moto's in-process emulator; the CDK CLI is replaced by
a recorder, so what would run is asserted command by command. The real `cdk deploy` against an
account cannot run here (no AWS access): see docs/traceability.yaml.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from manabi_infra import deploy, names
from manabi_infra.config import PRODUCTION, STAGING, US_EAST_1, EnvironmentConfig
from manabi_infra.synth import REPO_ROOT

BOOTSTRAP_TEMPLATE = json.dumps(
    {"Resources": {"Bucket": {"Type": "AWS::S3::Bucket"}}, "Outputs": {}}
)


@pytest.fixture
def aws(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """moto answers as the staging account."""
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "MOTO_ACCOUNT_ID": STAGING.account,
    }.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        yield


def bootstrap(*regions: str) -> None:
    for region in regions:
        boto3.client("cloudformation", region_name=region).create_stack(
            StackName=deploy.BOOTSTRAP_STACK, TemplateBody=BOOTSTRAP_TEMPLATE
        )


class Recorder:
    """Stands in for the CDK CLI: records each command, writes the workload's outputs."""

    def __init__(self) -> None:
        self.commands: list[list[str]] = []

    def __call__(self, command: list[str]) -> None:
        self.commands.append(command)
        if command[1] == "deploy" and command[-1].endswith("-Workload"):
            outputs = Path(command[command.index("--outputs-file") + 1])
            outputs.write_text(
                json.dumps({command[-1]: {"WebDistributionDomain": "d111.cloudfront.net"}})
            )


def run(
    config: EnvironmentConfig = STAGING, *, assembly: Path, stdin: str = "", **kwargs: Any
) -> tuple[str, Recorder]:
    out, recorder = io.StringIO(), Recorder()
    if "site_dir" not in kwargs:  # a built SPA, whether or not this checkout has web/dist
        kwargs["site_dir"] = Path(tempfile.mkdtemp(prefix="dist-"))
        (kwargs["site_dir"] / "index.html").write_text("<!doctype html>")
    deploy.deploy(
        config, runner=recorder, stdin=io.StringIO(stdin), out=out, assembly=assembly, **kwargs
    )
    return out.getvalue(), recorder


def test_gl_dep_01_dry_run_prints_the_stack_order_and_every_command(cloud_assembly: Path) -> None:
    out, recorder = run(assembly=cloud_assembly, dry_run=True)
    assert recorder.commands == []  # nothing ran, no AWS client was made
    # The account baseline first, then edge → DR → workload (the manifest's dependencies).
    order = list(names.stack_ids(STAGING))
    assert order[-3:] == [
        "ManabiPlus-Staging-Edge",
        "ManabiPlus-Staging-DR",
        "ManabiPlus-Staging-Workload",
    ]
    assert f"Stack order: {order[0]} (" in out
    deploys = [line for line in out.splitlines() if line.startswith("$ ") and " deploy " in line]
    assert [line.rsplit(" ", 1)[-1] for line in deploys] == order
    for line in deploys:
        assert f"{deploy.CDK} deploy --app {cloud_assembly} --exclusively" in line
        assert "--require-approval never" in line
    assert "ap-northeast-1" in out
    assert "ap-northeast-3" in out
    assert STAGING.account in out


def test_gl_dep_01_dry_run_without_an_assembly_synthesizes_through_the_pinned_cli(
    cloud_assembly: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Without `--app`, the plan is read from what `cdk synth` (the pinned CLI) just wrote."""
    outdir = tmp_path / "cdk.out.deploy"
    monkeypatch.setattr(deploy, "DEPLOY_OUTDIR", outdir)
    commands: list[list[str]] = []

    def synth(command: list[str]) -> None:  # stands in for the CLI: writes the manifest
        commands.append(command)
        outdir.mkdir()
        shutil.copy(cloud_assembly / "manifest.json", outdir / "manifest.json")

    out = io.StringIO()
    deploy.deploy(STAGING, dry_run=True, runner=synth, out=out)
    assert commands == [
        [str(REPO_ROOT / "node_modules/.bin/cdk"), "synth", "--quiet", "--output", str(outdir)]
    ]
    assert f"deploy --app {outdir} --exclusively" in out.getvalue()


def test_gl_dep_01_stops_before_anything_when_the_spa_is_not_built(
    cloud_assembly: Path, tmp_path: Path
) -> None:
    """A deploy never publishes the synth's stand-in page: it names the build command."""
    with pytest.raises(deploy.DeployError, match=r"SPA is not built.*npm --prefix web run build"):
        run(assembly=cloud_assembly, site_dir=tmp_path / "dist")
    # The dry run still shows the plan without a build.
    out, _ = run(assembly=cloud_assembly, site_dir=tmp_path / "dist", dry_run=True)
    assert "Stack order:" in out


def test_gl_dep_01_stops_without_credentials(
    cloud_assembly: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")  # no instance-metadata lookup
    with pytest.raises(deploy.DeployError, match=r"No AWS credentials.*aws sso login"):
        run(assembly=cloud_assembly)


def test_gl_dep_01_stops_when_the_account_is_not_the_configured_one(
    aws: None, cloud_assembly: Path
) -> None:
    bootstrap("ap-northeast-1", "ap-northeast-3", US_EAST_1)
    other = replace(STAGING, account="333333333333")
    with pytest.raises(deploy.DeployError) as caught:
        run(other, assembly=cloud_assembly)
    message = str(caught.value)
    assert f"account {STAGING.account}" in message
    assert "deploys to account 333333333333" in message


def test_gl_dep_01_stops_with_the_bootstrap_command_for_each_missing_region(
    aws: None, cloud_assembly: Path
) -> None:
    bootstrap("ap-northeast-1")
    with pytest.raises(deploy.DeployError) as caught:
        run(assembly=cloud_assembly)
    message = str(caught.value)
    (missing,) = [line for line in message.splitlines() if "not bootstrapped" in line]
    assert set(missing.split(" in ", 1)[1].split(".")[0].split(", ")) == {
        "us-east-1",
        "ap-northeast-3",
    }
    (command,) = [line.strip() for line in message.splitlines() if "cdk bootstrap" in line]
    assert command.startswith("node_modules/.bin/cdk bootstrap ")
    assert set(command.split()[2:]) == {
        f"aws://{STAGING.account}/us-east-1",
        f"aws://{STAGING.account}/ap-northeast-3",
    }


def test_gl_dep_01_deploys_each_stack_in_order_and_prints_the_urls(
    aws: None, cloud_assembly: Path
) -> None:
    bootstrap("ap-northeast-1", "ap-northeast-3", US_EAST_1)
    out, recorder = run(assembly=cloud_assembly)
    order = list(names.stack_ids(STAGING))  # the baseline first, the workload last
    assert [c[1] for c in recorder.commands] == ["deploy"] * len(order)
    assert [c[-1] for c in recorder.commands] == order
    assert f"Site: https://{STAGING.domain}/" in out
    assert f"API:  https://{STAGING.api_domain}/v1/health" in out
    assert "delegate the new hosted zone" in out  # the first deploy: no edge stack existed


def test_gl_dep_01_diff_runs_cdk_diff_of_the_environment_after_the_checks(
    aws: None, cloud_assembly: Path
) -> None:
    bootstrap("ap-northeast-1", "ap-northeast-3", US_EAST_1)
    _, recorder = run(assembly=cloud_assembly, diff_only=True)
    (command,) = recorder.commands
    assert command[1] == "diff"
    assert command[-3:] == [
        "ManabiPlus-Staging-Edge",
        "ManabiPlus-Staging-DR",
        "ManabiPlus-Staging-Workload",
    ]


def test_gl_dep_01_production_needs_the_typed_word_unless_ci(
    cloud_assembly: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(deploy.DeployError, match="Not confirmed"):
        run(PRODUCTION, assembly=cloud_assembly, stdin="yes\n")
    with pytest.raises(deploy.DeployError, match="Not confirmed"):
        run(PRODUCTION, assembly=cloud_assembly, stdin="")  # no terminal: never deploys
    # CI=true: the workflow's production environment approval is the confirmation; the next
    # check (credentials of the production account) is reached.
    monkeypatch.setenv("CI", "true")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(deploy.DeployError, match="No AWS credentials"):
        run(PRODUCTION, assembly=cloud_assembly)


def test_gl_dep_01_unknown_environment_is_named() -> None:
    result = subprocess.run(
        ["make", "--no-print-directory", "deploy", "ENV=prod", "DRY_RUN=1"],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "ENV='prod' is not an environment; use ENV=staging or ENV=production." in result.stdout


def test_gl_dep_01_cdk_app_runs_through_the_pinned_cli_with_a_bare_path(
    tmp_path: Path, cloud_assembly: Path
) -> None:
    """`env -i PATH=/usr/bin:/bin HOME=$HOME npx cdk synth`: the app command of cdk.json finds
    uv in .tools/bin (make's install), not on the PATH, and every template is written (all 14:
    per environment the GitHub OIDC stack, three baselines, edge, DR and the workload)."""
    cdk = REPO_ROOT / "node_modules" / ".bin" / "cdk"
    assert cdk.is_file(), "make test installs the pinned CLI (node_modules/.stamp)"
    node = shutil.which("node")
    assert node, "Node.js is part of the README's set-up"
    # /usr/bin:/bin, plus Node's own directory where it is not there (e.g. actions/setup-node).
    path = os.pathsep.join(dict.fromkeys(["/usr/bin", "/bin", str(Path(node).parent)]))
    env = {"PATH": path, "HOME": os.environ["HOME"]}
    # The machine's CA bundle, where one is configured (a proxy's), is not a PATH entry.
    env.update({k: os.environ[k] for k in ("SSL_CERT_FILE",) if k in os.environ})
    result = subprocess.run(
        ["npx", "cdk", "synth", "--quiet", "--output", str(tmp_path)],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    written = {p.name for p in tmp_path.glob("*.template.json")}
    assert written == {p.name for p in cloud_assembly.glob("*.template.json")}
    for config in (STAGING, PRODUCTION):
        for stack in ("GitHubOidc", "Baseline-Tokyo", "Edge", "DR", "Workload"):
            assert f"{config.stack_prefix}-{stack}.template.json" in written
    assert len(written) == 14
