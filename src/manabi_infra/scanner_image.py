"""The ClamAV scanner's container image as a CDK asset (MP-AV-01, GL-DEP-01).

`cdk deploy` builds `src/manabi_scanner/Dockerfile` for arm64 and pushes it to the bootstrap's
ECR repository; no repository or tag is managed by hand. `cdk synth` only copies the build
context into the cloud assembly and hashes it: no Docker is needed to synthesize or to test.

The context holds only what the Dockerfile copies (the contract and scanner packages), so the
asset's hash changes exactly when the image would. It is written once per content under
`build/scanner-image/<hash>/`, atomically, so concurrent synths share it.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from functools import cache
from pathlib import Path

from aws_cdk import aws_ecr_assets as ecr_assets
from aws_cdk import aws_lambda as lambda_

REPO_ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = "src/manabi_scanner/Dockerfile"
CONTEXT_PACKAGES = ("src/manabi_contract", "src/manabi_scanner")


def _files(repo_root: Path) -> list[Path]:
    return sorted(
        path
        for package in CONTEXT_PACKAGES
        for path in (repo_root / package).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    )


@cache
def build_context(repo_root: Path = REPO_ROOT) -> Path:
    files = _files(repo_root)
    digest = hashlib.sha256()
    for path in files:
        digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    parent = repo_root / "build" / "scanner-image"
    target = parent / digest.hexdigest()[:16]
    if target.is_dir():
        return target
    parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=parent, prefix=".tmp-"))
    for path in files:
        dest = tmp / path.relative_to(repo_root)
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, dest)
    try:
        os.rename(tmp, target)
    except OSError:  # another synth wrote the same content first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def scanner_image(handler: str | None = None) -> lambda_.DockerImageCode:
    """The scanner image; the updater and the reconciler run another `handler` of it."""
    return lambda_.DockerImageCode.from_image_asset(
        str(build_context()),
        file=DOCKERFILE,
        platform=ecr_assets.Platform.LINUX_ARM64,
        cmd=[handler] if handler else None,
    )
