"""The layer contracts of pyproject.toml ([tool.importlinter]) hold, and the linter `make lint`
runs catches a broken one: a copy of src/ with one break per contract fails each of them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

# A line added to a module of the copy, and the contract it must break.
BREAKS = {
    "manabi_api/domain/courses.py": (
        "import manabi_api.adapters.dynamodb",
        "The domain uses ports only: no adapters, api, AWS SDK or Powertools",
    ),
    "manabi_api/kernel/courses.py": (
        "import manabi_contract.storage",
        "The kernel imports nothing of ours",
    ),
    "manabi_api/api/openapi.py": (
        "import manabi_api.wiring",
        "The api layer never builds adapters nor reads the environment",
    ),
    "manabi_scanner/verdict.py": (
        "import manabi_api.kernel.errors",
        "The API and the scanner share only the contract module",
    ),
    "manabi_scanner/definitions.py": (
        "import manabi_local.events",
        "Shipped Lambda code never imports the local runtime or the CDK app",
    ),
    "manabi_api/domain/access.py": (
        "import manabi_api.domain.lessons",  # lessons imports access: a cycle
        "No import cycles between modules or packages",
    ),
}


def lint_imports(src: Path) -> subprocess.CompletedProcess[str]:
    environ = {**os.environ, "PYTHONPATH": str(src)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / "pyproject.toml"), "--no-cache"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=environ,
        timeout=120,
        check=False,
    )


def test_the_code_keeps_every_layer_contract() -> None:
    result = lint_imports(ROOT / "src")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.fixture(scope="module")
def broken_copy(tmp_path_factory: pytest.TempPathFactory) -> str:
    src = tmp_path_factory.mktemp("broken") / "src"
    shutil.copytree(ROOT / "src", src, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for module, (line, _) in BREAKS.items():
        path = src / module
        path.write_text(path.read_text() + f"\n{line}  # a deliberate break\n")
    result = lint_imports(src)
    assert result.returncode != 0
    return result.stdout


@pytest.mark.parametrize("contract", sorted(c for _, c in BREAKS.values()))
def test_a_broken_contract_fails_the_lint(broken_copy: str, contract: str) -> None:
    assert f"{contract} BROKEN" in broken_copy
