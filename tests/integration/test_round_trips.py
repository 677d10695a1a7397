"""MP-DDB-01: every route costs at most 2 DynamoDB round trips and never a Scan.

Runs bench/round_trips.py (the real DynamoDB adapter on moto in-process, calls counted through
botocore event hooks) and checks its numbers; the bench prints the same table.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from manabi_api.api.application import declared_routes

pytestmark = pytest.mark.integration
BENCH = Path(__file__).resolve().parents[2] / "bench" / "round_trips.py"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("round_trips_bench", BENCH)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_mp_ddb_01_every_route_within_two_round_trips_and_no_scan() -> None:
    results = _bench().measure()
    routes = {(s.method, s.path) for s in declared_routes()}
    assert {(m.method, m.path) for m in results} == routes
    for m in results:
        assert 200 <= m.status < 300, f"{m.method} {m.path} answered {m.status}"
        assert m.round_trips <= 2, f"{m.method} {m.path}: {dict(m.calls)}"
        assert m.calls["Scan"] == 0
