"""The handler paths the CDK app deploys resolve to real code, and the contract values the
functions and the infrastructure share are defined once (manabi_contract)."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

from manabi_api.kernel.principal import Group
from manabi_contract import app_metrics, environment, names, resources, storage, table, verdicts

SRC = Path(__file__).resolve().parents[3] / "src"


@pytest.mark.parametrize(
    "path",
    [
        names.SCANNER_HANDLER,
        names.UPDATER_HANDLER,
        names.GUARDDUTY_VERDICT_HANDLER,
        names.RECONCILER_HANDLER,
    ],
)
def test_mp_av_01_every_deployed_handler_exists(path: str) -> None:
    """MP-AV-01/04: the image commands and the GuardDuty and reconciler handlers are real code."""
    module, _, function = path.rpartition(".")
    assert callable(getattr(importlib.import_module(module), function))


def _contract_values() -> dict[str, str]:
    """Every string constant of the contract modules that names something shared. Plain
    lowercase words (`local`, `learners`) are words as well as names and are not searched."""
    values: dict[str, str] = {}
    for module in (app_metrics, environment, names, resources, storage, verdicts, table):
        for name, value in vars(module).items():
            word = isinstance(value, str) and value.isalpha() and value.islower()
            if name.isupper() and isinstance(value, str) and len(value) > 3 and not word:
                values[value] = f"{module.__name__}.{name}"
    return values


def _literals(path: Path) -> list[tuple[int, str]]:
    """String literals of a module, docstrings aside."""
    tree = ast.parse(path.read_text())
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]


def test_contract_values_are_written_once() -> None:
    """No function or construct spells out a contract value (an environment variable name, a
    tag key, a key prefix, a handler path) again: it imports it, so the two cannot drift."""
    shared = _contract_values()
    copies = [
        f"{path.relative_to(SRC)}:{line}: {value!r} is {shared[value]}"
        for path in sorted(SRC.rglob("*.py"))
        if path.parts[len(SRC.parts)] != "manabi_contract" and "validators" not in path.parts
        for line, value in _literals(path)
        if value in shared
    ]
    assert not copies, "\n".join(copies)


def test_the_kernels_groups_are_the_contracts_groups() -> None:
    """The kernel imports nothing of ours, so its Group enum spells the names itself."""
    assert [g.value for g in Group] == list(names.GROUPS)
