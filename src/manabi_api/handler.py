"""Lambda entry point of the Manabi Plus API (handler `manabi_api.handler.lambda_handler`).

The API is built once per execution environment, during the Lambda init phase; a missing
setting stops the init with a message naming the variable (manabi_api.settings).

The cyclic garbage collector is paused while the init phase imports and builds: everything it
creates lives as long as the execution environment, so collections would only walk it again and
again (about 50 ms of CPU, bench/cold_start.py). Afterwards `gc.freeze()` moves it all to the
permanent generation, so the collections of warm requests do not walk it either.
"""

from __future__ import annotations

import gc

gc.disable()

from typing import Any  # noqa: E402 - imported while the collector is paused

from aws_lambda_powertools.logging import correlation_paths  # noqa: E402
from aws_lambda_powertools.utilities.typing import LambdaContext  # noqa: E402

from manabi_api.wiring import create_api_from_environment  # noqa: E402
from manabi_contract.names import API_SERVICE  # noqa: E402
from manabi_contract.observability import (  # noqa: E402
    function_logger,
    function_metrics,
    function_tracer,
)

try:
    logger = function_logger(API_SERVICE)
    metrics = function_metrics(API_SERVICE)
    # DynamoDB, S3 and Cognito calls are the API's latency: each one becomes a subsegment.
    tracer = function_tracer(API_SERVICE, patch=("botocore",))
    api = create_api_from_environment()
finally:
    gc.enable()
gc.freeze()


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_REST)
@tracer.capture_lambda_handler(capture_response=False)  # responses hold personal data
@metrics.log_metrics(capture_cold_start_metric=True)
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return api.resolve(event, context)
