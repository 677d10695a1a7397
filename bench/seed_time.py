"""How long the local system takes to start with the demo data: on a new state directory (the
demo seeded, its files scanned and graded) and again on the kept state (nothing to seed).

Each number is from the start command to the line that says the system is up (Ctrl+C), plus,
for the first start, until the scanner's verdicts are on every demo file.

    uv run python bench/seed_time.py
"""

from __future__ import annotations

import signal
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.integration.local.local_system import start, stop  # noqa: E402
from tests.integration.local.test_local_seed import _wait_for_verdicts  # noqa: E402


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="manabi-seed-bench-") as directory:
        state = Path(directory) / "state"
        started = time.monotonic()
        first = start(state)
        up = time.monotonic() - started
        try:
            _wait_for_verdicts(first)
            judged = time.monotonic() - started
        finally:
            stop(first, signal.SIGINT)
        started = time.monotonic()
        second = start(state)
        again = time.monotonic() - started
        stop(second, signal.SIGINT)
    print(f"first start (demo seeded, clean file graded): {up:.1f} s")
    print(f"first start until every demo file has its verdict: {judged:.1f} s")
    print(f"restart on the kept state: {again:.1f} s")


if __name__ == "__main__":
    main()
