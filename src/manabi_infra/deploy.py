"""`make deploy ENV=staging|production` and `make diff ENV=…` (GL-DEP-01, docs/decisions/0029).

One deploy, in this order, each step stopping with a message that says what to do:

1. production only: a typed confirmation, unless `CI=true` (the workflow's approval gates it);
2. AWS credentials present, and their account is the one `manabi_infra.config` names;
3. every region of the environment's stacks bootstrapped (`CDKToolkit`), else the exact
   `cdk bootstrap` command;
4. `cdk synth` through the pinned CLI (package.json) into `build/cdk.out.deploy`;
5. `cdk deploy` of each stack of the environment in dependency order (read from the cloud
   assembly, so a stack added to the app joins the order by its dependencies);
6. the site and API URLs, and the next manual step on the first deploy (delegating the zone).

    python -m manabi_infra.deploy deploy --env staging [--dry-run]
    python -m manabi_infra.deploy diff --env production
    python -m manabi_infra.deploy deploy --env production --workload-region ap-northeast-3 \
        [--claim-aliases]

`--workload-region ap-northeast-3` (Tokyo lost, docs/dr-runbook.md §5, docs/decisions/0039)
synthesizes with the Osaka workload and deploys every stack of the environment OUTSIDE Tokyo:
the Osaka and us-east-1 baselines, the edge, the DR stack and `…-Workload-osaka`.

`--dry-run` calls no AWS API: it synthesizes, then prints the checks, the stack order and every
CLI command it would run.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TextIO

import boto3
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from manabi_infra.config import (
    ENVIRONMENTS,
    OSAKA,
    OSAKA_SUFFIX,
    TOKYO,
    EnvironmentConfig,
    EnvName,
)

REPO_ROOT = Path(__file__).resolve().parents[2]
CDK = REPO_ROOT / "node_modules" / ".bin" / "cdk"  # the pinned CLI (package-lock.json)
DEPLOY_OUTDIR = REPO_ROOT / "build" / "cdk.out.deploy"
# The SPA the workload stack publishes (manabi_infra.constructs.site); without a build the synth
# would publish a stand-in page.
WEB_DIST = REPO_ROOT / "web" / "dist"
WEB_BUILD = "npm --prefix web ci && npm --prefix web run build"
BOOTSTRAP_STACK = "CDKToolkit"
CONFIRM_WORD = "production"


class DeployError(RuntimeError):
    """A check failed; the message tells the operator what to do."""


@dataclass(frozen=True)
class PlannedStack:
    stack_id: str
    region: str


def stack_order(assembly: Path, config: EnvironmentConfig) -> list[PlannedStack]:
    """The environment's stacks in dependency order (stable: the app's order among equals)."""
    artifacts: dict[str, Any] = json.loads((assembly / "manifest.json").read_text())["artifacts"]
    prefix = f"{config.stack_prefix}-"
    stacks = {
        name: artifact
        for name, artifact in artifacts.items()
        if artifact["type"] == "aws:cloudformation:stack" and name.startswith(prefix)
    }
    ordered: list[PlannedStack] = []
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        if name in done:
            return
        if name in path:
            raise DeployError(f"stack dependency cycle: {' → '.join((*path, name))}")
        for dependency in stacks[name].get("dependencies", []):
            if dependency in stacks:
                visit(dependency, (*path, name))
        done.add(name)
        region = stacks[name]["environment"].rsplit("/", 1)[-1]
        ordered.append(PlannedStack(name, region))

    for name in stacks:
        visit(name, ())
    if not ordered:
        raise DeployError(f"the cloud assembly {assembly} has no stack named {prefix}*")
    return ordered


@dataclass(frozen=True)
class WorkloadPlace:
    """Where the workload is deployed: Tokyo (normal), or Osaka when Tokyo is lost."""

    region: str = TOKYO
    claim_aliases: bool = False
    # `SERVING_TABLE=<restored table>`: the switch (MP-RST-01) as part of this deploy
    serving_table: str | None = None
    env: str = ""

    def context(self) -> list[str]:
        flags: list[str] = []
        suffix = "" if self.region == TOKYO else OSAKA_SUFFIX
        if self.serving_table:
            flags += ["-c", f"servingTable.{self.env}{suffix}={self.serving_table}"]
        if self.region == TOKYO:
            return flags
        flags += ["-c", f"workloadRegion={self.region}"]
        if self.claim_aliases:
            flags += ["-c", "claimAliases=true"]
        return flags

    def keeps(self, stack: PlannedStack) -> bool:
        """In Osaka nothing of Tokyo is touched: Tokyo may not answer."""
        return self.region == TOKYO or stack.region != TOKYO


def synth_command(outdir: Path = DEPLOY_OUTDIR, place: WorkloadPlace | None = None) -> list[str]:
    flags = (place or WorkloadPlace()).context()
    return [str(CDK), "synth", "--quiet", "--output", str(outdir), *flags]


def deploy_command(stack: PlannedStack, assembly: Path, outputs_dir: Path) -> list[str]:
    return [
        str(CDK),
        "deploy",
        "--app",
        str(assembly),
        "--exclusively",  # the order is ours; each call deploys exactly one stack
        "--require-approval",
        "never",
        "--outputs-file",
        str(outputs_dir / f"{stack.stack_id}.outputs.json"),
        stack.stack_id,
    ]


def diff_command(stacks: Sequence[PlannedStack], assembly: Path) -> list[str]:
    return [str(CDK), "diff", "--app", str(assembly), *(s.stack_id for s in stacks)]


def bootstrap_command(account: str, regions: Sequence[str]) -> str:
    targets = " ".join(f"aws://{account}/{region}" for region in regions)
    return f"{CDK.relative_to(REPO_ROOT)} bootstrap {targets}"


def confirm_production(config: EnvironmentConfig, stdin: TextIO, out: TextIO) -> None:
    """Production needs the word typed, unless CI=true (the workflow's environment approval)."""
    if config.name is not EnvName.PRODUCTION or os.environ.get("CI") == "true":
        return
    out.write(f"This deploys PRODUCTION (account {config.account}). Type '{CONFIRM_WORD}': ")
    out.flush()
    answer = stdin.readline().strip()
    if answer != CONFIRM_WORD:
        raise DeployError(
            f"Not confirmed (got {answer!r}); nothing was deployed. Type '{CONFIRM_WORD}' to "
            "deploy production, or run with CI=true from the approved workflow."
        )


def check_site_built(dist: Path) -> None:
    """A deploy publishes web/dist (GL-DEP-01): never the synth's stand-in page."""
    if not (dist / "index.html").is_file():
        shown = dist.relative_to(REPO_ROOT) if dist.is_relative_to(REPO_ROOT) else dist
        raise DeployError(
            f"The SPA is not built ({shown}/index.html is missing); the deploy would publish a "
            f"stand-in page. Build it with `{WEB_BUILD}` (make deploy does), then deploy again."
        )


def check_credentials(session: boto3.Session, config: EnvironmentConfig) -> str:
    """The caller's account; stops unless it is the environment's."""
    try:
        identity = session.client("sts", region_name="ap-northeast-1").get_caller_identity()
    except NoCredentialsError:
        raise DeployError(
            "No AWS credentials. Sign in to the "
            f"{config.name} account ({config.account}) first, e.g. `aws sso login "
            "--profile <profile>` and `export AWS_PROFILE=<profile>`, then run make deploy again."
        ) from None
    except (ClientError, BotoCoreError) as error:
        raise DeployError(f"The AWS credentials do not work ({error}); sign in again.") from None
    account = str(identity["Account"])
    if account != config.account:
        raise DeployError(
            f"These credentials are for account {account} ({identity.get('Arn', '?')}), but "
            f"{config.name} deploys to account {config.account} (src/manabi_infra/config.py). "
            f"Use credentials of {config.account}, or correct `account` in the config."
        )
    return account


def check_bootstrap(session: boto3.Session, config: EnvironmentConfig, regions: list[str]) -> None:
    missing = []
    for region in regions:
        client = session.client("cloudformation", region_name=region)
        try:
            client.describe_stacks(StackName=BOOTSTRAP_STACK)
        except ClientError as error:
            if "does not exist" not in str(error):
                raise DeployError(f"Cannot read the CDK bootstrap in {region}: {error}") from None
            missing.append(region)
    if missing:
        raise DeployError(
            f"Account {config.account} is not bootstrapped for CDK in {', '.join(missing)}. "
            f"Run once:\n  {bootstrap_command(config.account, missing)}\nthen make deploy again."
        )


def stack_exists(session: boto3.Session, stack: PlannedStack) -> bool:
    client = session.client("cloudformation", region_name=stack.region)
    try:
        client.describe_stacks(StackName=stack.stack_id)
    except ClientError:
        return False
    return True


def summary(config: EnvironmentConfig, outputs: dict[str, dict[str, str]], first: bool) -> str:
    workload = next((v for k, v in outputs.items() if "-Workload" in k), {})
    site = config.domain or workload.get("WebDistributionDomain", "?")
    api = config.api_domain or workload.get("ApiDistributionDomain", "?")
    lines = [f"Site: https://{site}/", f"API:  https://{api}/v1/health"]
    if first and config.domain:
        lines.append(
            "Next step (first deploy only): delegate the new hosted zone — copy its NS records "
            f"(`aws route53 list-hosted-zones-by-name --dns-name {config.domain}` then "
            "`aws route53 get-hosted-zone --id <zone id>`) to the parent domain."
        )
    execute_api = workload.get("ApiUrl", "").rstrip("/")
    lines.append(
        f"Smoke test: make smoke URL=https://{site}"
        + (f" EXECUTE_API_URL={execute_api}" if execute_api else "")
    )
    return "\n".join(lines)


Runner = Callable[[list[str]], None]


def run_command(command: list[str]) -> None:
    print("$ " + " ".join(command), flush=True)
    result = subprocess.run(command, cwd=REPO_ROOT, check=False)  # noqa: S603 (our own argv)
    if result.returncode != 0:
        raise DeployError(f"`{' '.join(command[:2])}` failed ({result.returncode}); see above.")


def deploy(
    config: EnvironmentConfig,
    *,
    dry_run: bool = False,
    diff_only: bool = False,
    session: boto3.Session | None = None,
    runner: Runner = run_command,
    stdin: TextIO = sys.stdin,
    out: TextIO = sys.stdout,
    assembly: Path | None = None,
    place: WorkloadPlace | None = None,
    site_dir: Path = WEB_DIST,
) -> None:
    """Everything `make deploy` (or `make diff`) does for one environment."""
    place = place or WorkloadPlace()
    outdir = assembly or DEPLOY_OUTDIR
    outputs_dir = REPO_ROOT / "build" / "deploy-outputs"
    if dry_run:
        out.write(f"Dry run for {config.name} (account {config.account}); no AWS call is made.\n")
    elif not diff_only:
        check_site_built(site_dir)
        confirm_production(config, stdin, out)
    if assembly is None:  # synthesizing needs no AWS call: a dry run does it too
        runner(synth_command(outdir, place))
    plan = [s for s in stack_order(outdir, config) if place.keeps(s)]
    if place.region != TOKYO and not any(s.stack_id.endswith(OSAKA_SUFFIX) for s in plan):
        raise DeployError(
            f"the assembly has no Osaka workload: synthesize with -c workloadRegion={place.region}"
        )
    regions = list(dict.fromkeys(stack.region for stack in plan))
    if dry_run:
        out.write(
            f"Would check: the credentials are of account {config.account}; CDK bootstrap "
            f"({BOOTSTRAP_STACK}) in {', '.join(regions)}\n"
        )
        out.write("Stack order: " + " → ".join(f"{s.stack_id} ({s.region})" for s in plan) + "\n")
        commands = (
            [diff_command(plan, outdir)]
            if diff_only
            else [deploy_command(s, outdir, outputs_dir) for s in plan]
        )
        for command in commands:
            out.write("$ " + " ".join(command) + "\n")
        return
    session = session or boto3.Session()
    check_credentials(session, config)
    check_bootstrap(session, config, regions)
    if diff_only:
        runner(diff_command(plan, outdir))
        return
    first = not stack_exists(session, plan[0])
    outputs_dir.mkdir(parents=True, exist_ok=True)
    outputs: dict[str, dict[str, str]] = {}
    for stack in plan:
        runner(deploy_command(stack, outdir, outputs_dir))
        written = outputs_dir / f"{stack.stack_id}.outputs.json"
        if written.is_file():
            outputs.update(json.loads(written.read_text()))
    # The Osaka workload answers on its *.cloudfront.net names until it claims the site's.
    named = place.region == TOKYO or place.claim_aliases
    out.write(summary(config if named else replace(config, domain=None), outputs, first) + "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("action", choices=("deploy", "diff"))
    parser.add_argument("--env", required=True, help="staging or production")
    parser.add_argument("--dry-run", action="store_true", help="print the plan, call no AWS API")
    parser.add_argument("--app", type=Path, help="an already synthesized cloud assembly")
    parser.add_argument(
        "--workload-region",
        default=TOKYO,
        choices=(TOKYO, OSAKA),
        help=f"{OSAKA}: Tokyo is lost, deploy the Osaka workload (docs/dr-runbook.md)",
    )
    parser.add_argument(
        "--claim-aliases",
        action="store_true",
        help="with the Osaka workload: its distributions take the site's names (after they "
        "were released from the Tokyo ones)",
    )
    parser.add_argument(
        "--serving-table",
        help="the restored table every function of the deployed workload uses (switch-table)",
    )
    args = parser.parse_args(argv)
    try:
        name = EnvName(args.env)
    except ValueError:
        print(f"ENV={args.env!r} is not an environment; use ENV=staging or ENV=production.")
        return 2
    try:
        deploy(
            ENVIRONMENTS[name],
            dry_run=args.dry_run,
            diff_only=args.action == "diff",
            assembly=args.app,
            place=WorkloadPlace(
                args.workload_region, args.claim_aliases, args.serving_table, str(name)
            ),
        )
    except DeployError as error:
        print(f"make {args.action} stopped: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
