"""The SPA published by the stack (GL-DEP-01, docs/decisions/0036).

Two `BucketDeployment`s of `web/dist` into the web bucket:

- the content-hashed `assets/` with `Cache-Control: public, max-age=31536000, immutable`, never
  pruned (a browser still running the previous build keeps finding its files);
- everything else (index.html, favicon …) plus `config.json`, built from this stack's own values
  (the API URL, the user pool and its web client, the region), `no-cache`, pruned except for
  `assets/`, then a CloudFront invalidation of `/index.html` and `/config.json`.

The assets go first: the new index.html is published only once the files it names are there.
Without a build (`web/dist/index.html` missing), a stand-in page is published so `cdk synth` (and
every infra test) never needs Node; `make deploy` builds the SPA first and refuses to deploy a
stand-in (manabi_infra.deploy).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from aws_cdk import Stack, Tags
from aws_cdk import aws_cloudfront as cloudfront
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_s3_deployment as s3deploy
from constructs import Construct

from manabi_contract import site
from manabi_infra import names
from manabi_infra.constructs.function_logs_and_role import retained_log_group
from manabi_infra.deployment import Deployment, DeploymentConstruct
from manabi_infra.lambda_asset import REPO_ROOT

WEB_DIST = REPO_ROOT / "web" / "dist"
STAND_IN_DIR = REPO_ROOT / "build" / "site-stand-in"
STAND_IN_MARKER = "manabi-site-stand-in"
STAND_IN_PAGE = (
    "<!doctype html><html lang=ja><meta charset=utf-8>"
    f'<meta name="{STAND_IN_MARKER}" content="1"><title>まなび+</title>'
    "<p>まなび+ は準備中です。しばらくしてから再度アクセスしてください。</p></html>"
)
# The CDK singleton that copies assets into buckets; its construct id at the stack's root.
HANDLER_ID_PREFIX = "Custom::CDKBucketDeployment"


def site_directory(dist: Path = WEB_DIST) -> Path:
    """`web/dist` when it is built, else a one-page stand-in under build/."""
    if (dist / site.INDEX_FILE).is_file():
        return dist
    STAND_IN_DIR.mkdir(parents=True, exist_ok=True)
    (STAND_IN_DIR / site.HASHED_ASSETS_DIR).mkdir(exist_ok=True)
    keep = STAND_IN_DIR / site.HASHED_ASSETS_DIR / ".keep"  # an asset directory may not be empty
    if not keep.is_file():
        keep.write_text("")
    page = STAND_IN_DIR / site.INDEX_FILE
    if not page.is_file() or page.read_text(encoding="utf-8") != STAND_IN_PAGE:
        page.write_text(STAND_IN_PAGE, encoding="utf-8")
    return STAND_IN_DIR


class SitePublishing(DeploymentConstruct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        deployment: Deployment,
        web_bucket: s3.IBucket,
        distribution: cloudfront.IDistribution,
        config_values: dict[str, Any],
        dist: Path = WEB_DIST,
    ) -> None:
        super().__init__(scope, construct_id, deployment=deployment)
        Tags.of(self).add(names.TAG_FUNCTION, names.FUNCTION_FRONTEND)
        missing = set(site.CONFIG_KEYS) ^ set(config_values)
        if missing:
            raise ValueError(f"config.json keys differ from the contract: {sorted(missing)}")
        # A null value is left out: the SPA reads a missing key as null (web/src/config.ts), and
        # CDK's JSON source would drop it anyway.
        self.config_values = {k: v for k, v in config_values.items() if v is not None}
        directory = site_directory(dist)
        self.log_group = retained_log_group(
            self, "PublisherLogs", self.resource_names.site_publisher_log_group
        )
        assets_dir = site.HASHED_ASSETS_DIR
        self.assets = s3deploy.BucketDeployment(
            self,
            "Assets",
            sources=[s3deploy.Source.asset(str(directory / assets_dir))],
            destination_bucket=web_bucket,
            destination_key_prefix=f"{assets_dir}/",
            cache_control=[s3deploy.CacheControl.from_string(site.CACHE_IMMUTABLE)],
            prune=False,
            log_group=self.log_group,
        )
        self.shell = s3deploy.BucketDeployment(
            self,
            "Shell",
            sources=[
                s3deploy.Source.asset(str(directory), exclude=[assets_dir, f"{assets_dir}/*"]),
                s3deploy.Source.json_data(site.CONFIG_FILE, self.config_values),
            ],
            destination_bucket=web_bucket,
            # Pruned, but never what the other deployment owns.
            exclude=[f"{assets_dir}/*"],
            prune=True,
            cache_control=[s3deploy.CacheControl.from_string(site.CACHE_REVALIDATE)],
            distribution=distribution,
            distribution_paths=[f"/{site.INDEX_FILE}", site.CONFIG_PATH],
            log_group=self.log_group,
        )
        self.shell.node.add_dependency(self.assets)
        stack = Stack.of(self)
        for child in stack.node.children:
            if child.node.id.startswith(HANDLER_ID_PREFIX):
                Tags.of(child).add(names.TAG_FUNCTION, names.FUNCTION_FRONTEND)
