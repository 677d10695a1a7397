"""Lambda entry point of the Manabi Plus API (handler `manabi_api.handler.lambda_handler`).

The API is built once per execution environment, during the Lambda init phase; a missing
setting stops the init with a message naming the variable (manabi_api.settings).
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from manabi_api.wiring import create_api_from_environment
from manabi_contract.names import API_SERVICE
from manabi_contract.observability import function_logger, function_metrics, function_tracer

logger = function_logger(API_SERVICE)
metrics = function_metrics(API_SERVICE)
# DynamoDB, S3 and Cognito calls are the API's latency: each one becomes a subsegment.
tracer = function_tracer(API_SERVICE, patch=("botocore",))
api = create_api_from_environment()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)  # responses hold personal data
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api.resolve(event, context)
