"""Synthesize the CDK app only when its inputs changed, and read the templates.

Used by the infra tests and the local runtime (which provisions its emulated resources from the
staging template). A synth costs seconds of jsii/Node start-up, so its result in `cdk.out/` is
reused for as long as a hash of the infra code, the packages of the Lambda asset (API, contract,
scanner) and the dependency files matches the one stored next to it.

    python -m manabi_infra.synth        # synthesize if needed, print the template paths
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from manabi_infra import names
from manabi_infra.config import ENVIRONMENTS, EnvName
from manabi_infra.lambda_asset import ASSET_PACKAGES

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUTDIR = REPO_ROOT / "cdk.out"
HASH_FILE = ".manabi-synth-hash"

# Everything the synthesized templates depend on: the infra code and what the Lambda asset holds
# (its hash is in the templates).
# The built SPA too: the stack publishes web/dist (GL-DEP-01).
_INPUT_DIRS = ("src/manabi_infra", *(f"src/{package}" for package in ASSET_PACKAGES), "web/dist")
_INPUT_FILES = ("pyproject.toml", "uv.lock", "cdk.json")

STACK_IDS: dict[EnvName, str] = {
    name: names.workload_stack_id(config) for name, config in ENVIRONMENTS.items()
}
# Every stack of the app, in deploy order per environment.
ALL_STACK_IDS: tuple[str, ...] = tuple(
    stack_id for config in ENVIRONMENTS.values() for stack_id in names.stack_ids(config)
)


class SynthError(RuntimeError):
    """`cdk synth` failed; the message carries its output."""


def inputs_hash(repo_root: Path = REPO_ROOT, context: Mapping[str, str] | None = None) -> str:
    digest = hashlib.sha256(json.dumps(context, sort_keys=True).encode() if context else b"")
    files = [repo_root / f for f in _INPUT_FILES]
    for directory in _INPUT_DIRS:
        files.extend(
            p
            for p in (repo_root / directory).rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
        )
    for path in sorted(files):
        digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def ensure_synth(outdir: Path | None = None, context: Mapping[str, str] | None = None) -> Path:
    """Return the cloud assembly directory, synthesizing first unless it is up to date.

    `context` is what `cdk synth -c key=value` would pass (e.g. `scanBackend`)."""
    outdir = (outdir or DEFAULT_OUTDIR).resolve()
    context = dict(context or {})
    digest = inputs_hash(context=context)
    if _is_current(outdir, digest):
        return outdir
    outdir.parent.mkdir(parents=True, exist_ok=True)
    lock_file = outdir.parent / f".{outdir.name}.lock"
    with lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another process may be synthesizing right now
        try:
            if not _is_current(outdir, digest):
                _synth(outdir, context)
                (outdir / HASH_FILE).write_text(digest)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
    return outdir


def template_path(stack_id: str, outdir: Path | None = None) -> Path:
    return ensure_synth(outdir) / f"{stack_id}.template.json"


def load_template(stack_id: str, outdir: Path | None = None) -> dict[str, Any]:
    """The parsed CloudFormation template of a stack, e.g. `ManabiPlus-Staging-Workload`."""
    template: dict[str, Any] = json.loads(template_path(stack_id, outdir).read_text())
    return template


def _is_current(outdir: Path, digest: str) -> bool:
    stamp = outdir / HASH_FILE
    return (
        stamp.is_file()
        and stamp.read_text() == digest
        and all((outdir / f"{s}.template.json").is_file() for s in ALL_STACK_IDS)
    )


def _synth(outdir: Path, context: Mapping[str, str]) -> None:
    # Start clean: old asset directories would otherwise pile up in cdk.out.
    shutil.rmtree(outdir, ignore_errors=True)
    env = {
        **os.environ,
        "CDK_OUTDIR": str(outdir),
        "CDK_CONTEXT_JSON": json.dumps(context),  # how the CDK CLI hands `-c` values to the app
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(REPO_ROOT / "src"), os.environ.get("PYTHONPATH")])
        ),
        # Node 20 still synthesizes correctly; jsii's banners about it would bury real errors.
        # (The end-of-life switch takes the major versions to silence, not a boolean.)
        "JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION": "1",
        "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20",
    }
    result = subprocess.run(
        [sys.executable, "-m", "manabi_infra.app"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise SynthError(f"CDK synth failed ({result.returncode}):\n{result.stderr}{result.stdout}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--outdir", type=Path, default=None, help="default: <repo>/cdk.out")
    parser.add_argument("--force", action="store_true", help="synthesize even when up to date")
    args = parser.parse_args(argv)
    outdir = (args.outdir or DEFAULT_OUTDIR).resolve()
    if args.force:
        (outdir / HASH_FILE).unlink(missing_ok=True)
    outdir = ensure_synth(outdir)
    for stack_id in ALL_STACK_IDS:
        print(outdir / f"{stack_id}.template.json")


if __name__ == "__main__":
    main()
