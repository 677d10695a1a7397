"""The API Lambda's environment for the benchmarks: what the template sets, with dummy values."""

LAMBDA_ENVIRONMENT = {
    "AWS_DEFAULT_REGION": "ap-northeast-1",
    "AWS_ACCESS_KEY_ID": "bench",
    "AWS_SECRET_ACCESS_KEY": "bench",  # dummy credentials: nothing is called
    "TABLE_NAME": "bench-table",
    "ALLOWED_ORIGIN": "https://manabiplus.example.jp",
    "POWERTOOLS_SERVICE_NAME": "manabi-api",
    "POWERTOOLS_METRICS_NAMESPACE": "ManabiPlus",
}
