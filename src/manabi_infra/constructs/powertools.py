"""The Powertools settings every Lambda function of the workload reads from its environment
(MP-MON-03): the `service` of its log lines and metrics, the metrics namespace, and the
environment's log level. Powertools reads these variables itself."""

from __future__ import annotations

from manabi_contract import environment as env
from manabi_contract import names as contract
from manabi_infra.config import EnvironmentConfig


def powertools_environment(config: EnvironmentConfig, service: str) -> dict[str, str]:
    """`service` is one of the service names of `manabi_contract.names`."""
    return {
        env.POWERTOOLS_SERVICE_NAME: service,
        env.POWERTOOLS_METRICS_NAMESPACE: contract.METRICS_NAMESPACE,
        env.POWERTOOLS_LOG_LEVEL: config.log_level,
    }
