"""Build the code asset of the API Lambda (MP-LMD-01, MP-LMD-02).

The asset is `src/manabi_api`, `src/manabi_contract` and `src/manabi_scanner` plus the runtime
dependencies pinned in `uv.lock`, installed for the Lambda platform (python3.13 on arm64) and
compiled to bytecode by a Python 3.13 interpreter.
Shipping `.pyc` files matters: without them every cold start compiles the sources again, which
measured 2.4–3x slower. The pyc files use the `unchecked-hash` invalidation mode because the
Lambda file system is read-only and its mtimes are not the ones of the build.

The build is cached by a hash of its inputs, so a repeated `cdk synth` does not rebuild.
"""

from __future__ import annotations

import fcntl
import glob
import hashlib
import os
import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]

LAMBDA_PYTHON_VERSION = "3.13"
LAMBDA_PLATFORM = "aarch64-manylinux_2_28"  # arm64 Lambda runs Amazon Linux 2023 (glibc 2.34)
LAMBDA_TASK_ROOT = "/var/task"  # where Lambda unpacks the asset; recorded in tracebacks

# Bump when the recipe below changes, so cached builds made by the old recipe are rebuilt.
_RECIPE_VERSION = "3"
# The API, the contract both import, and the scanner package for the GuardDuty verdict function
# (the ClamAV scanner itself ships as a container image, src/manabi_scanner/Dockerfile), and
# the daily backups (manabi_ops.handler).
ASSET_PACKAGES = (
    "manabi_api",
    "manabi_contract",
    "manabi_scanner",
    "manabi_ops",
    "manabi_rotation",
)
# The python3.13 runtime ships boto3; the asset must not shadow it (the X-Ray SDK depends on
# botocore, so the export would otherwise carry it).
RUNTIME_PROVIDED = (
    "boto3",
    "botocore",
    "s3transfer",
    "jmespath",
    "python-dateutil",
    "six",
    "urllib3",
)
# Directories that are never needed at run time (`bin/` holds console scripts of the wheels).
_STRIP_DIRS = frozenset({"__pycache__", "tests"})


class AssetBuildError(RuntimeError):
    """The Lambda asset could not be built; the message says what to fix."""


def build_api_asset(repo_root: Path = REPO_ROOT) -> Path:
    """Return `build/lambda-api/`, rebuilt only when its inputs changed since the last build."""
    build_dir = repo_root / "build"
    out = build_dir / "lambda-api"
    stamp = build_dir / "lambda-api.hash"
    build_dir.mkdir(parents=True, exist_ok=True)
    digest = _inputs_hash(repo_root)
    with _exclusive(build_dir / "lambda-api.lock"):
        if out.is_dir() and stamp.exists() and stamp.read_text() == digest:
            return out
        tmp = build_dir / "lambda-api.tmp"
        shutil.rmtree(tmp, ignore_errors=True)
        _build(repo_root, tmp, build_dir / "lambda-api.requirements.txt")
        # Swap the finished build in, so an interrupted build never leaves a half asset behind.
        shutil.rmtree(out, ignore_errors=True)
        tmp.rename(out)
        stamp.write_text(digest)
    return out


def find_lambda_python() -> str:
    """Path of a working Python 3.13 interpreter, the version of the Lambda runtime."""
    explicit = os.environ.get("LAMBDA_PYTHON")
    if explicit:
        if _is_lambda_python(explicit):
            return explicit
        raise AssetBuildError(f"LAMBDA_PYTHON={explicit} is not a working Python 3.13 interpreter.")
    candidates: list[str] = []
    on_path = shutil.which(f"python{LAMBDA_PYTHON_VERSION}")
    if on_path:
        candidates.append(on_path)  # may be a pyenv shim that does not run: tried below
    for home in (Path.home(), Path("/root")):
        pattern = str(home / f".pyenv/versions/{LAMBDA_PYTHON_VERSION}*/bin/python3.13")
        candidates.extend(sorted(glob.glob(pattern), reverse=True))
    for candidate in candidates:
        if _is_lambda_python(candidate):
            return candidate
    raise AssetBuildError(
        "Python 3.13 is needed to compile the API Lambda bytecode (runtime python3.13), but none "
        "was found. Install it (`uv python install 3.13` or `pyenv install 3.13`) and put "
        "python3.13 on PATH, or set LAMBDA_PYTHON=/path/to/python3.13."
    )


def _is_lambda_python(executable: str) -> bool:
    try:
        result = subprocess.run(  # noqa: S603 - runs a local interpreter, no shell
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0 and result.stdout.strip() == LAMBDA_PYTHON_VERSION


def _build(repo_root: Path, target: Path, requirements: Path) -> None:
    python313 = find_lambda_python()
    uv = _uv()
    for package in ASSET_PACKAGES:
        shutil.copytree(
            repo_root / "src" / package,
            target / package,
            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "tests", "Dockerfile"),
        )
    # Only the runtime dependencies ([project].dependencies), at the versions of uv.lock, less
    # what the Lambda runtime itself provides (boto3 and botocore with their dependencies).
    export = [uv, "export", "--frozen", "--no-dev", "--no-hashes", "--no-emit-project", "--quiet"]
    export += [arg for name in RUNTIME_PROVIDED for arg in ("--no-emit-package", name)]
    _run([*export, "--output-file", str(requirements)], cwd=repo_root)
    # Wheels for the Lambda platform, whatever the build machine is; never build an sdist here.
    # Bytecode is compiled below by 3.13, not by uv (which would use the project's interpreter).
    install = [uv, "pip", "install", "--quiet", "--no-deps", "--only-binary", ":all:"]
    platform = ["--python-version", LAMBDA_PYTHON_VERSION, "--python-platform", LAMBDA_PLATFORM]
    into = ["--no-compile-bytecode", "--target", str(target), "--requirement", str(requirements)]
    _run([*install, *platform, *into], cwd=repo_root)
    _strip(target)
    compileall = [python313, "-m", "compileall", "-q", "--invalidation-mode", "unchecked-hash"]
    # Record /var/task paths in the bytecode: readable tracebacks, and the same bytes wherever
    # the build ran (the asset hash then only changes when the code does).
    _run([*compileall, "-s", str(target), "-p", LAMBDA_TASK_ROOT, str(target)], cwd=repo_root)


def _strip(target: Path) -> None:
    """Remove bytecode of other Python versions, tests and console scripts from the asset."""
    shutil.rmtree(target / "bin", ignore_errors=True)
    for path in sorted(target.rglob("*"), reverse=True):  # children before their parents
        if path.is_dir() and path.name in _STRIP_DIRS:
            shutil.rmtree(path)
        elif path.suffix == ".pyc":
            path.unlink()


def _inputs_hash(repo_root: Path) -> str:
    digest = hashlib.sha256(f"recipe={_RECIPE_VERSION}\n".encode())
    files = [
        p
        for package in ASSET_PACKAGES
        for p in (repo_root / "src" / package).rglob("*")
        if p.is_file() and not _is_generated(p)
    ]
    files.append(repo_root / "uv.lock")
    for path in sorted(files):
        digest.update(path.relative_to(repo_root).as_posix().encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def _is_generated(path: Path) -> bool:
    return "__pycache__" in path.parts or path.suffix == ".pyc"


def _uv() -> str:
    # `uv run` exports UV with its own path; otherwise look on PATH.
    uv = os.environ.get("UV") or shutil.which("uv")
    if not uv:
        raise AssetBuildError(
            "`uv` is needed to build the Lambda asset: install it (astral.sh/uv)."
        )
    return uv


def _run(command: list[str], cwd: Path) -> None:
    result = subprocess.run(  # noqa: S603 - fixed tool commands, no shell
        command, cwd=cwd, capture_output=True, text=True, check=False
    )
    if result.returncode != 0:
        raise AssetBuildError(
            f"{' '.join(command)} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
        )


@contextmanager
def _exclusive(lock_file: Path) -> Iterator[None]:
    """Serialise builds: the test session and the local runtime may synthesize at the same time."""
    with lock_file.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
