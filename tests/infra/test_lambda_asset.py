"""The API Lambda asset: python3.13 bytecode, runtime dependencies, cached build (MP-LMD-01/02)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from manabi_infra.lambda_asset import (
    REPO_ROOT,
    AssetBuildError,
    build_api_asset,
    find_lambda_python,
)

pytestmark = pytest.mark.infra

CPYTHON_TAG = ".cpython-313.pyc"
# PEP 552 flags word of a .pyc header: bit 0 = hash-based, bit 1 = check the source.
UNCHECKED_HASH = 0b01


@pytest.fixture(scope="module")
def asset() -> Path:
    return build_api_asset()


@pytest.fixture(scope="module")
def magic_313() -> bytes:
    out = subprocess.run(
        [find_lambda_python(), "-c", "import importlib.util as u; print(u.MAGIC_NUMBER.hex())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return bytes.fromhex(out.strip())


def _pyc_for(source: Path) -> Path:
    return source.parent / "__pycache__" / f"{source.stem}{CPYTHON_TAG}"


def test_mp_lmd_01_asset_holds_the_api_package_and_runtime_dependencies(asset: Path) -> None:
    assert (asset / "manabi_api" / "__init__.py").is_file()
    # the names and settings readers the API and the GuardDuty verdict function import
    for module in ("__init__", "environment", "names", "storage", "table", "verdicts"):
        assert (asset / "manabi_contract" / f"{module}.py").is_file(), module
    assert (asset / "aws_lambda_powertools" / "__init__.py").is_file()
    # Exactly the pinned runtime dependencies of uv.lock ([project].dependencies and theirs).
    pinned = {
        line.split("==")[0].lower().replace("-", "_")
        for line in (asset.parent / "lambda-api.requirements.txt").read_text().splitlines()
        if "==" in line and not line.startswith("#")
    }
    installed = {p.name.split("-")[0].lower() for p in asset.glob("*.dist-info")}
    assert installed == pinned
    assert "aws_lambda_powertools" in installed
    assert {"aws_xray_sdk", "wrapt"} <= installed  # the Tracer's SDK: not in the runtime
    # boto3 comes with the Lambda runtime; development tools never enter the asset.
    for absent in ("boto3", "botocore", "urllib3", "aws_cdk", "pytest", "moto", "bin"):
        assert not (asset / absent).exists(), absent
    assert not [p for p in asset.rglob("tests") if p.is_dir()]


def test_mp_lmd_02_every_module_precompiled_for_313_unchecked_hash(
    asset: Path, magic_313: bytes
) -> None:
    sources = list(asset.rglob("*.py"))
    assert any(p.parts[-2] == "manabi_api" for p in sources)
    missing = [p for p in sources if not _pyc_for(p).is_file()]
    assert not missing, f"no cpython-313 bytecode for {missing[:5]}"
    for source in sources:
        header = _pyc_for(source).read_bytes()[:16]
        assert header[:4] == magic_313, source
        assert int.from_bytes(header[4:8], "little") == UNCHECKED_HASH, source


def test_mp_lmd_02_no_bytecode_of_other_python_versions(asset: Path) -> None:
    others = [p for p in asset.rglob("*.pyc") if not p.name.endswith(CPYTHON_TAG)]
    assert not others, others[:5]


def test_build_is_cached_by_its_inputs(asset: Path) -> None:
    stamp = asset.parent / "lambda-api.hash"
    before = (stamp.stat().st_mtime_ns, asset.stat().st_ino)
    assert build_api_asset() == asset
    assert (stamp.stat().st_mtime_ns, asset.stat().st_ino) == before


def test_build_follows_source_changes(tmp_path: Path) -> None:
    """A changed API module rebuilds the asset; unchanged inputs reuse it."""
    api = tmp_path / "src" / "manabi_api"
    api.mkdir(parents=True)
    (api / "__init__.py").write_text("VERSION = 1\n")
    (api / "tests").mkdir()
    (api / "tests" / "test_x.py").write_text("")
    contract = tmp_path / "src" / "manabi_contract"
    contract.mkdir()
    (contract / "__init__.py").write_text("")
    (contract / "names.py").write_text('SYSTEM = "one"\n')
    scanner = tmp_path / "src" / "manabi_scanner"
    scanner.mkdir()
    (scanner / "__init__.py").write_text("")
    (scanner / "Dockerfile").write_text("FROM scratch\n")
    rotation = tmp_path / "src" / "manabi_rotation"  # the origin-secret rotation (GL-SEC-05)
    rotation.mkdir()
    (rotation / "__init__.py").write_text("")
    ops = tmp_path / "src" / "manabi_ops"  # the daily backups (MP-BAK-02/03)
    ops.mkdir()
    (ops / "__init__.py").write_text("")
    for name in ("pyproject.toml", "uv.lock"):
        shutil.copy(REPO_ROOT / name, tmp_path / name)

    first = build_api_asset(tmp_path)
    assert (first / "manabi_api" / "__init__.py").read_text() == "VERSION = 1\n"
    assert not (first / "manabi_api" / "tests").exists()
    assert (first / "manabi_contract" / "names.py").read_text() == 'SYSTEM = "one"\n'
    assert (first / "manabi_scanner" / "__init__.py").is_file()  # the GuardDuty verdicts
    assert not (first / "manabi_scanner" / "Dockerfile").exists()
    assert (first / "manabi_ops" / "__init__.py").is_file()
    inode = first.stat().st_ino
    assert build_api_asset(tmp_path).stat().st_ino == inode

    (api / "__init__.py").write_text("VERSION = 2\n")
    second = build_api_asset(tmp_path)
    assert (second / "manabi_api" / "__init__.py").read_text() == "VERSION = 2\n"
    assert _pyc_for(second / "manabi_api" / "__init__.py").is_file()

    # A change of the contract alone rebuilds the asset too.
    (contract / "names.py").write_text('SYSTEM = "two"\n')
    third = build_api_asset(tmp_path)
    assert (third / "manabi_contract" / "names.py").read_text() == 'SYSTEM = "two"\n'


def test_missing_python_313_fails_with_instructions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LAMBDA_PYTHON", "/nonexistent/python3.13")
    with pytest.raises(AssetBuildError, match=r"not a working Python 3\.13"):
        find_lambda_python()
