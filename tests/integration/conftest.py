"""Session fixtures of the integration tier: ONE embedded AWS emulator per test session.

- `emulator`: the endpoint URL of a moto server started for this session on a free port. While
  the session lasts, the process environment points boto3 at it (AWS_ENDPOINT_URL, region
  ap-northeast-1, dummy credentials; AWS_PROFILE removed) and everything is restored afterwards.
  Tests share the emulator: use unique names, or the resources of `local_resources`.
- `workload_template`: the synthesized staging workload template (manabi_infra.synth, cached).
- `local_resources`: that template provisioned into the emulator, as `make run` does
  (table, buckets, user pool, client, groups; API environment in `.api_environment`).
- `clamd`: one clamd per session on a generated database (MP-AV-01), limits SCAN_LIMIT_BYTES.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from manabi_infra import names
from manabi_infra.config import STAGING
from manabi_infra.synth import load_template
from manabi_local.emulator import CLEARED_VARIABLES, Emulator, client_environment
from manabi_local.provisioning import LocalResources, provision
from manabi_local.tcp_ports import free_port
from manabi_local.template import Template
from manabi_scanner.engine import ClamdProcess

# Origin the provisioner adds to bucket CORS rules, as `make run` does with its SPA origin.
TEST_WEB_ORIGIN = "http://127.0.0.1:8080"
# The scanner's limit in the integration tests: small, so the oversize case stays cheap.
SCAN_LIMIT_BYTES = 1024 * 1024


@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    log = tmp_path_factory.mktemp("emulator") / "moto.log"
    # A free port, not 4566: a developer's `make run` may be using the default one.
    with Emulator(port=free_port(), log_path=log) as server, pytest.MonkeyPatch.context() as env:
        for name in CLEARED_VARIABLES:
            env.delenv(name, raising=False)
        for name, value in client_environment(server.endpoint).items():
            env.setenv(name, value)
        yield server.endpoint


@pytest.fixture(scope="session")
def workload_template() -> Template:
    return Template(load_template(names.workload_stack_id(STAGING)))


@pytest.fixture(scope="session")
def local_resources(emulator: str, workload_template: Template) -> LocalResources:
    return provision(workload_template, emulator, web_origin=TEST_WEB_ORIGIN)


@pytest.fixture(scope="session")
def clamd(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ClamdProcess]:
    """ONE clamd per test session, on a generated database (EICAR + test signatures)."""
    from manabi_scanner.engine import start_clamd, write_test_database

    root = tmp_path_factory.mktemp("clamd")
    version = write_test_database(root / "db")
    process = start_clamd(root / "work", root / "db", version, SCAN_LIMIT_BYTES)
    try:
        yield process
    finally:
        process.stop()
