"""Cold start of the API Lambda: import-and-init CPU time in fresh processes.

Side by side in the same run: the Manabi Plus handler module, and a plain handler that only
creates a boto3 DynamoDB client (the floor any Python Lambda talking to DynamoDB pays). The
environment is the execution environment's (LAMBDA_TASK_ROOT and the function name set), so
the X-Ray Tracer and the JSON logger are configured as in Lambda.

The API handler pauses the garbage collector during its init (manabi_api.handler); a third
subject, the plain handler with the collector paused the same way, shows how much of the
difference that accounts for.

    uv run python bench/cold_start.py [--runs 15]
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from lambda_environment import LAMBDA_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]

_PROBE = """
import resource, json, sys
def cpu():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime
start = cpu()
{body}
print(json.dumps({{"cpu_ms": (cpu() - start) * 1000}}))
"""

SUBJECTS = {
    "plain boto3 handler": (
        "import boto3\n"
        "client = boto3.client('dynamodb')\n"
        "def lambda_handler(event, context):\n"
        "    return {'statusCode': 200}\n"
    ),
    "manabi_api.handler": "import manabi_api.handler\n",
    "plain, collector paused": (
        "import gc\n"
        "gc.disable()\n"
        "import boto3\n"
        "client = boto3.client('dynamodb')\n"
        "gc.enable()\n"
        "gc.freeze()\n"
    ),
}

_ENVIRONMENT = {
    **LAMBDA_ENVIRONMENT,
    "PYTHONDONTWRITEBYTECODE": "1",
    "LAMBDA_TASK_ROOT": str(ROOT),  # what Lambda sets: the Tracer is on, as in the cloud
    "AWS_LAMBDA_FUNCTION_NAME": "stag-manabiplus-api",
}


def measure(body: str) -> float:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_"))}
    env.update(_ENVIRONMENT)
    output = subprocess.run(
        [sys.executable, "-c", _PROBE.format(body=body)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    ).stdout
    return float(json.loads(output.strip().splitlines()[-1])["cpu_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    # Valid bytecode, as in the Lambda asset: missing .pyc files distort cold start. Timestamp
    # mode here (the asset uses unchecked-hash): a checkout's sources keep changing.
    compileall.compile_dir(ROOT / "src", quiet=1)
    samples: dict[str, list[float]] = {name: [] for name in SUBJECTS}
    for _ in range(args.runs):  # interleaved, so machine noise hits both alike
        for name, body in SUBJECTS.items():
            samples[name].append(measure(body))
    medians = {name: statistics.median(values) for name, values in samples.items()}
    version = sys.version.split()[0]
    print(f"Import-and-init CPU time, median of {args.runs} fresh processes ({version})")
    for name, values in samples.items():
        print(
            f"  {name:<24} median {medians[name]:7.1f} ms"
            f"  (min {min(values):6.1f}, max {max(values):6.1f})"
        )
    ratio = medians["manabi_api.handler"] / medians["plain boto3 handler"]
    paused = medians["manabi_api.handler"] / medians["plain, collector paused"]
    print(f"  ratio                    {ratio:.2f}x  (budget <= 1.3x)")
    print(f"  ratio, both paused       {paused:.2f}x")


if __name__ == "__main__":
    main()
