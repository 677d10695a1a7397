"""MP-MON-03: every function of the workload gets its Powertools settings from the stack: its own
service name (the `service` of its log lines and metrics), the metrics namespace and the log
level of the environment's configuration."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import pytest
from aws_cdk import App, Environment, Stack
from aws_cdk import aws_lambda as lambda_

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra.config import LOG_LEVELS, STAGING, TOKYO, ScanBackend
from manabi_infra.constructs.auth import Auth
from manabi_infra.constructs.powertools import powertools_environment
from manabi_infra.deployment import Deployment

from .conftest import SynthesizedStack

pytestmark = pytest.mark.infra

POWERTOOLS = (
    env.POWERTOOLS_SERVICE_NAME,
    env.POWERTOOLS_METRICS_NAMESPACE,
    env.POWERTOOLS_LOG_LEVEL,
)


def _expected_services(stack: SynthesizedStack) -> dict[str, str]:
    """Function name → service name, for every function of our code in the stack."""
    n = stack.names
    services = {
        n.api_function: contract.API_SERVICE,
        n.post_confirmation_function: contract.POST_CONFIRMATION_SERVICE,
        n.origin_rotation_function: contract.ORIGIN_ROTATION_SERVICE,  # GL-SEC-05
        n.backup_function: contract.BACKUP_SERVICE,
    }
    if stack.config.scan_backend is ScanBackend.GUARDDUTY:
        services[n.guardduty_verdict_function] = contract.GUARDDUTY_VERDICT_SERVICE
    else:
        services[n.scan_function] = contract.SCANNER_SERVICE
        services[n.updater_function] = contract.UPDATER_SERVICE
        services[n.reconciler_function] = contract.RECONCILER_SERVICE
    return services


def _variables(function: dict[str, Any]) -> dict[str, Any]:
    variables: dict[str, Any] = function["Properties"].get("Environment", {}).get("Variables", {})
    return variables


def test_mp_mon_03_every_function_gets_service_namespace_and_log_level(
    scan_stack: SynthesizedStack,
) -> None:
    stack = scan_stack
    functions = {
        r["Properties"].get("FunctionName"): r
        for r in stack.of_type("AWS::Lambda::Function").values()
    }
    expected = _expected_services(stack)
    # The only unnamed function is CDK's deploy-time S3-notification helper (ClamAV), which runs
    # none of our code.
    assert set(functions) - {None} == set(expected)
    for name, service in expected.items():
        variables = _variables(functions[name])
        assert {k: variables.get(k) for k in POWERTOOLS} == {
            env.POWERTOOLS_SERVICE_NAME: service,
            env.POWERTOOLS_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
            env.POWERTOOLS_LOG_LEVEL: stack.config.log_level,
        }, name
    assert stack.config.log_level == "INFO"  # the default of every environment


def test_mp_mon_03_each_function_logs_under_its_own_service(scan_stack: SynthesizedStack) -> None:
    services = list(_expected_services(scan_stack).values())
    assert len(set(services)) == len(services)


def test_mp_mon_03_the_log_level_comes_from_the_environment_config() -> None:
    config = dataclasses.replace(STAGING, log_level="DEBUG")
    assert powertools_environment(config, contract.API_SERVICE)[env.POWERTOOLS_LOG_LEVEL] == "DEBUG"
    app = App()
    stack = Stack(app, "AuthOnly", env=Environment(account=config.account, region=TOKYO))
    Auth(
        stack,
        "Auth",
        deployment=Deployment(config),
        trigger_code=lambda_.Code.from_asset(str(Path(__file__).parent)),
    )
    template = app.synth().get_stack_by_name("AuthOnly").template
    (function,) = [
        r for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Function"
    ]
    assert _variables(function)[env.POWERTOOLS_LOG_LEVEL] == "DEBUG"


def test_mp_mon_03_an_unknown_log_level_stops_the_synth() -> None:
    assert "INFO" in LOG_LEVELS
    with pytest.raises(ValueError, match="log_level='VERBOSE'"):
        dataclasses.replace(STAGING, log_level="VERBOSE")
