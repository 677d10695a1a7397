"""MP-API-01: the OpenAPI document is generated from the code and the committed copy is current."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from manabi_api.api.application import declared_routes
from manabi_api.api.openapi import build_openapi

ROOT = Path(__file__).resolve().parents[3]


def test_mp_api_01_committed_openapi_and_validators_are_current() -> None:
    result = subprocess.run(
        [sys.executable, "tools/codegen.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_mp_api_01_no_api_gateway_extensions_and_every_route_documented() -> None:
    document = build_openapi()
    text = json.dumps(document)
    assert "x-amazon-apigateway" not in text
    operations = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    assert operations == {(spec.method, spec.path) for spec in declared_routes()}
    assert {("GET", "/health"), ("GET", "/courses"), ("POST", "/courses")} <= operations
    assert ("GET", "/courses/{courseId}") in operations
    assert document["paths"]["/health"]["get"]["security"] == []
