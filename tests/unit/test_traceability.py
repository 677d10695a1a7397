"""docs/traceability.yaml maps every requirement ID to code and tests, or to a written deviation."""

from __future__ import annotations

import ast
import os
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
TRACEABILITY = ROOT / "docs" / "traceability.yaml"
# The customer's catalogue lives in shared/spec beside the repository; docs/spec keeps a copy so
# that a clone alone (e.g. on GitHub Actions) can run this check. The copy must stay identical.
SHARED_REQUIREMENTS = Path(
    os.environ.get("MANABI_REQUIREMENTS", ROOT.parent / "shared" / "spec" / "requirements.md")
)
COPIED_REQUIREMENTS = ROOT / "docs" / "spec" / "requirements.md"
REQUIREMENTS = SHARED_REQUIREMENTS if SHARED_REQUIREMENTS.exists() else COPIED_REQUIREMENTS
STATUSES = {"done", "partial", "planned", "deviation"}
_ID_ROW = re.compile(r"^\| ((?:MP|GL|APP)-[A-Z0-9]+-\d+) \|", re.MULTILINE)


def requirement_ids() -> list[str]:
    return _ID_ROW.findall(REQUIREMENTS.read_text())


def entries() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(TRACEABILITY.read_text())
    assert isinstance(data, dict)
    return data


@cache
def _test_functions(path: Path) -> dict[str, str]:
    """`Class::test` or `test` → docstring, for every test function in a file."""
    tree = ast.parse(path.read_text())
    found: dict[str, str] = {}

    def visit(nodes: list[ast.stmt], prefix: str) -> None:
        for node in nodes:
            if isinstance(node, ast.ClassDef):
                visit(node.body, f"{prefix}{node.name}::")
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found[prefix + node.name] = ast.get_docstring(node) or ""

    visit(tree.body, "")
    return found


def _test_mentions(node_id: str, requirement: str) -> bool:
    """The test's name (snake case) or docstring names the requirement ID."""
    file_part, _, name = node_id.partition("::")
    docstring = _test_functions(ROOT / file_part).get(name.split("[")[0], "")
    slug = requirement.lower().replace("-", "_")
    return slug in name.lower() or requirement in docstring


def test_copied_catalogue_matches_the_shared_one() -> None:
    """Where shared/spec is beside the clone (always in this project's CI), the copy is current."""
    assert COPIED_REQUIREMENTS.exists()
    if SHARED_REQUIREMENTS.exists():
        assert COPIED_REQUIREMENTS.read_text() == SHARED_REQUIREMENTS.read_text(), (
            f"copy {SHARED_REQUIREMENTS} to docs/spec/requirements.md"
        )


def test_every_requirement_id_is_traced() -> None:
    missing = sorted(set(requirement_ids()) - set(entries()))
    assert not missing, f"add these IDs to docs/traceability.yaml: {missing}"


def test_no_unknown_ids_are_traced() -> None:
    unknown = sorted(set(entries()) - set(requirement_ids()))
    assert not unknown, f"not in the requirements catalogue: {unknown}"


@pytest.mark.parametrize("requirement", sorted(entries()))
def test_entry_is_complete_and_points_at_real_code_and_tests(requirement: str) -> None:
    entry = entries()[requirement]
    assert entry.get("status") in STATUSES, f"{requirement}: status must be one of {STATUSES}"
    for path in entry.get("code") or []:
        assert (ROOT / path).exists(), f"{requirement}: code path {path} does not exist"
    tests = entry.get("tests") or []
    for node_id in tests:
        file_part, _, function = node_id.partition("::")
        path = ROOT / file_part
        assert path.exists(), f"{requirement}: test file {file_part} does not exist"
        assert function.split("[")[0] in _test_functions(path), f"{requirement}: no {node_id}"
    if entry["status"] in {"done", "partial"}:
        assert entry.get("code"), f"{requirement}: a {entry['status']} entry names its code"
        assert tests, f"{requirement}: a {entry['status']} entry names the tests proving it"
        named = [t for t in tests if _test_mentions(t, requirement)]
        assert named, f"{requirement}: put the ID in the name or docstring of a test proving it"
    if entry["status"] in {"deviation", "partial", "planned"}:
        assert entry.get("note"), f"{requirement}: say what differs or what is left in `note`"
