"""The API Lambda's environment for the benchmarks: what the template sets, with dummy values."""

LAMBDA_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "ap-northeast-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",  # dummy credentials: nothing is called
    "TABLE_NAME": "bench-table",
    "DATA_BUCKET": "bench-data",
    "USER_POOL_ID": "ap-northeast-1_bench",
    "SCAN_QUEUE_URL": "https://sqs.ap-northeast-1.amazonaws.com/000000000000/bench-scan",
    "ALLOWED_ORIGIN": "https://manabiplus.example.jp",
    "MANABI_ENV": "staging",
    "POWERTOOLS_SERVICE_NAME": "manabi-api",
    "POWERTOOLS_METRICS_NAMESPACE": "ManabiPlus",
    "POWERTOOLS_LOG_LEVEL": "INFO",
}
