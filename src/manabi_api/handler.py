"""Lambda entry point of the Manabi Plus API (handler `manabi_api.handler.lambda_handler`).

The API is built once per execution environment, during the Lambda init phase.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools import Logger, Metrics
from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from manabi_api.wiring import create_api_from_environment

logger = Logger()
metrics = Metrics()
api = create_api_from_environment()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api.resolve(event, context)
