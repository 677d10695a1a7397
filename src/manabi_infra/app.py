"""The CDK app (`python -m manabi_infra.app`): per environment, in deploy order, the account's
security baseline (`…-Baseline-Tokyo`, `-Osaka`, `-UsEast1`), then `…-Edge` (us-east-1),
`…-DR` (Osaka) and `…-Workload` (Tokyo).

The AwsSolutions and NIST 800-53 rev 5 rule packs of cdk-nag check every stack; each accepted
finding is acknowledged on its resource with a reason (manabi_infra.nag).

Synthesis needs no AWS credentials and makes no lookups. The feature flags come from `cdk.json`,
so the app behaves the same under `cdk synth` and when `manabi_infra.synth` runs it directly.
"""

from __future__ import annotations

import json
import os
from dataclasses import replace
from pathlib import Path
from typing import Any

from aws_cdk import App, Validations
from cdk_nag import AwsSolutionsChecks, NIST80053R5Checks

from manabi_infra.config import (
    ENVIRONMENTS,
    OSAKA,
    TOKYO,
    EnvironmentConfig,
    ScanBackend,
    osaka_workload,
)
from manabi_infra.deployment import Deployment
from manabi_infra.lambda_asset import REPO_ROOT, build_api_asset
from manabi_infra.nag import acknowledge_findings, acknowledge_workload
from manabi_infra.names import BASELINE_REGIONS
from manabi_infra.stacks.baseline import BaselineStack
from manabi_infra.stacks.dr import DrStack
from manabi_infra.stacks.edge import EdgeStack
from manabi_infra.stacks.github_oidc import GitHubOidcStack
from manabi_infra.stacks.workload import WorkloadStack

# Set by the CDK CLI as well; needed when the app runs without it. The path metadata
# (`aws:cdk:path`) lets readers of the template find a resource by its construct path.
_CLI_DEFAULT_CONTEXT: dict[str, Any] = {
    "aws:cdk:enable-path-metadata": True,
    "aws:cdk:enable-asset-metadata": True,
}


def feature_flags(repo_root: Path = REPO_ROOT) -> dict[str, Any]:
    context: dict[str, Any] = json.loads((repo_root / "cdk.json").read_text())["context"]
    return context


# Set to "0" to synthesize without the acknowledgments of manabi_infra.nag: the rule packs then
# report every finding, which tests/infra/test_infra_nag.py uses to prove none is stale.
ACKNOWLEDGE_ENV = "MANABI_NAG_ACKNOWLEDGE"


# `cdk synth -c scanBackend=guardduty`: every environment scans with GuardDuty Malware
# Protection for S3 instead of ClamAV (MP-AV-01, docs/decisions/0019).
SCAN_BACKEND_CONTEXT = "scanBackend"


def scan_backend_override(app: App) -> ScanBackend | None:
    value = app.node.try_get_context(SCAN_BACKEND_CONTEXT)
    if value is None:
        return None
    try:
        return ScanBackend(str(value))
    except ValueError:
        allowed = ", ".join(b.value for b in ScanBackend)
        raise ValueError(
            f"context {SCAN_BACKEND_CONTEXT}={value!r} is not a scan backend; use one of {allowed}"
        ) from None


# `cdk deploy -c servingTable.<env>=<restored table>`: every function of that environment uses
# the restored table (`servingTable.<env>-osaka` for the Osaka workload) (MP-RST-01;
# `python -m manabi_ops switch-table` prints the command).
SERVING_TABLE_CONTEXT = "servingTable"


def serving_table_override(app: App, env_name: str) -> str | None:
    value = app.node.try_get_context(f"{SERVING_TABLE_CONTEXT}.{env_name}")
    return None if value in (None, "") else str(value)


# `cdk synth -c workloadRegion=ap-northeast-3` (Tokyo lost, MP-AVL-01, docs/decisions/0039): every
# environment also gets its Osaka workload `…-Workload-osaka`; `-c claimAliases=true` lets its
# distributions claim the site's names once the Tokyo distributions have released them.
WORKLOAD_REGION_CONTEXT = "workloadRegion"
CLAIM_ALIASES_CONTEXT = "claimAliases"


def workload_region_override(app: App) -> str:
    value = str(app.node.try_get_context(WORKLOAD_REGION_CONTEXT) or TOKYO)
    if value not in (TOKYO, OSAKA):
        raise ValueError(
            f"context {WORKLOAD_REGION_CONTEXT}={value!r}: the workload runs in {TOKYO} or {OSAKA}"
        )
    return value


def _flag(app: App, key: str) -> bool:
    return str(app.node.try_get_context(key) or "").lower() in ("1", "true", "yes")


def _configured(app: App, config: EnvironmentConfig, backend: ScanBackend | None) -> Deployment:
    if backend is not None:
        config = replace(config, scan_backend=backend)
    serving = serving_table_override(app, config.deployment_name)
    if serving is not None:
        config = replace(config, serving_table=serving)
    return Deployment(config)


def build_app(api_code_dir: Path | None = None) -> App:
    # No AWS::CDK::Metadata resource: the template holds only what the system deploys.
    app = App(context={**_CLI_DEFAULT_CONTEXT, **feature_flags()}, analytics_reporting=False)
    code_dir = api_code_dir or build_api_asset()
    backend = scan_backend_override(app)
    osaka = workload_region_override(app) == OSAKA
    for config in ENVIRONMENTS.values():
        deployment = _configured(app, config, backend)
        config = deployment.config
        # The account's security services, one stack per region, before everything else
        # (GL-SEC-01): `cdk deploy --all` deploys them first.
        # GitHub's OIDC provider and the deploy role of the account: first of all (GL-CICD-01).
        oidc = GitHubOidcStack(app, deployment=deployment)
        baselines = [BaselineStack(app, deployment=deployment, region=r) for r in BASELINE_REGIONS]
        for baseline in baselines:
            baseline.add_dependency(oidc, "the deploy role comes first")
        edge = EdgeStack(app, deployment=deployment)
        dr = DrStack(app, deployment=deployment)
        workload = WorkloadStack(app, deployment=deployment, api_code_dir=code_dir, edge=edge)
        workload.add_stack_dependency(dr, "the backup bucket replicates into the DR bucket")
        for baseline in baselines:
            for stack in (edge, dr, workload):
                stack.add_dependency(baseline, "the account baseline comes first")
        acknowledge = os.environ.get(ACKNOWLEDGE_ENV, "1") != "0"
        if acknowledge:
            acknowledge_findings(
                edge=edge,
                dr=dr,
                workload=workload,
                config=config,
                baselines=tuple(baselines),
                oidc=oidc,
            )
        if osaka:
            dr_config = osaka_workload(config, claim_aliases=_flag(app, CLAIM_ALIASES_CONTEXT))
            dr_deployment = _configured(app, dr_config, backend)
            dr_workload = WorkloadStack(
                app, deployment=dr_deployment, api_code_dir=code_dir, edge=edge
            )
            dr_workload.add_stack_dependency(dr, "it restores from the DR bucket")
            for baseline in baselines:
                dr_workload.add_dependency(baseline, "the account baseline comes first")
            if acknowledge:
                acknowledge_workload(dr_workload, dr_deployment.config)
    Validations.of(app).add_plugins(AwsSolutionsChecks(app), NIST80053R5Checks(app))
    return app


def main() -> None:
    build_app().synth()


if __name__ == "__main__":
    main()
