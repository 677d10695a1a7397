"""`python -m manabi_local run`: the whole system on one machine, no AWS account, no Docker.

The order of a start and of a stop is manabi_local.system's; this module reads the options,
prints the banner, turns SIGINT/SIGTERM into a stop and a known failure into one line (exit 1,
or 2 for a taken port). The data is kept in --state-dir between runs (MP-LOC-01); --fresh
starts empty.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import Any

from manabi_contract.names import API_HANDLER
from manabi_infra import names, synth
from manabi_infra.config import STAGING
from manabi_local import emulator as emulator_module
from manabi_local import gateway as gateway_module
from manabi_local import web as web_module
from manabi_local.activity import ACTIVITY_PATH
from manabi_local.emulator import EmulatorError
from manabi_local.environments import DEFAULT_ENVIRONMENTS
from manabi_local.provisioning import LocalResources, UnknownResourceTypeError
from manabi_local.runtime import HandlerImportError
from manabi_local.seed import DEMO_PASSWORD, DemoAccount, SeedError
from manabi_local.state import LocalState, StateFormatError
from manabi_local.system import LocalSystem, SystemOptions
from manabi_local.tcp_ports import PortInUseError
from manabi_local.template import Template, TemplateError

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_STATE_DIR = REPO_ROOT / ".local" / "state"
WORKLOAD_STACK = names.workload_stack_id(STAGING)

logger = logging.getLogger("manabi_local")

RUN_EPILOG = f"""\
Besides the SPA, the web port serves /_local/mailbox (the mail the system would send) and
{ACTIVITY_PATH} (what happened: recent API requests, errors, scan verdicts, metric counts).
Each function's JSON log lines are appended to <state-dir>/logs/<service>.jsonl and its EMF
metrics to <state-dir>/metrics/<service>.jsonl (--fresh deletes them with the data).
"""


class StartupError(Exception):
    """A known reason why the local system cannot start; printed as one line."""


class Interrupted(BaseException):
    """SIGINT or SIGTERM arrived; unwinds the main thread so every cleanup runs."""


@dataclass(frozen=True)
class RunOptions:
    api_port: int
    web_port: int
    emulator_port: int
    template: Path | None
    handler: str
    web_dist: Path
    state_dir: Path
    fresh: bool = False
    concurrency: int = gateway_module.DEFAULT_CONCURRENCY
    environments: int = DEFAULT_ENVIRONMENTS
    uploads_per_hour: int | None = None  # None: the template's UPLOADS_PER_HOUR


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def parse_args(argv: Sequence[str] | None) -> tuple[str, RunOptions]:
    parser = argparse.ArgumentParser(
        prog="python -m manabi_local", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser(
        "run",
        help="start emulator, API and SPA on this machine",
        description="Start the AWS emulator, the API and the SPA on this machine.",
        epilog=RUN_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("--api-port", type=int, default=gateway_module.DEFAULT_PORT)
    run.add_argument("--web-port", type=int, default=web_module.DEFAULT_PORT)
    run.add_argument("--emulator-port", type=int, default=emulator_module.DEFAULT_PORT)
    run.add_argument(
        "--template",
        type=Path,
        help=f"use this synthesized template instead of {WORKLOAD_STACK} from manabi_infra.synth",
    )
    run.add_argument("--handler", default=API_HANDLER, help="dotted path of the API handler")
    run.add_argument("--web-dist", type=Path, default=REPO_ROOT / "web" / "dist")
    run.add_argument(
        "--state-dir",
        type=Path,
        default=DEFAULT_STATE_DIR,
        help="where the local data is kept between runs (default: .local/state)",
    )
    run.add_argument(
        "--fresh", action="store_true", help="delete the kept local data first and start empty"
    )
    run.add_argument(
        "--concurrency",
        type=_positive,
        default=gateway_module.DEFAULT_CONCURRENCY,
        help="requests the API (and the SPA origin) take at once, like a reserved concurrency; "
        f"more get 429 (default {gateway_module.DEFAULT_CONCURRENCY})",
    )
    run.add_argument(
        "--environments",
        type=_positive,
        default=DEFAULT_ENVIRONMENTS,
        help="processes that run the API handler at once; the other requests taken wait for one "
        f"(default {DEFAULT_ENVIRONMENTS})",
    )
    run.add_argument(
        "--uploads-per-hour",
        type=_positive,
        default=None,
        help="upload tickets one learner may ask for per clock hour before the API answers 429 "
        "(default: the template's, as deployed; raise it for a hands-on class)",
    )
    args = parser.parse_args(argv)
    return args.command, RunOptions(
        api_port=args.api_port,
        web_port=args.web_port,
        emulator_port=args.emulator_port,
        template=args.template,
        handler=args.handler,
        web_dist=args.web_dist,
        state_dir=args.state_dir,
        fresh=args.fresh,
        concurrency=args.concurrency,
        environments=args.environments,
        uploads_per_hour=args.uploads_per_hour,
    )


def load_workload_template(path: Path | None) -> Template:
    """The staging workload template (local mode mirrors staging), synthesized if stale."""
    if path is not None:
        return Template.load(path)
    try:
        return Template(synth.load_template(WORKLOAD_STACK))
    except synth.SynthError as error:
        raise StartupError(str(error)) from None


def _shown(path: Path) -> str:
    """A path as short as it can be said: relative to the repository when inside it."""
    return str(path.relative_to(REPO_ROOT)) if path.is_relative_to(REPO_ROOT) else str(path)


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * max(0, width - _width(text))


def banner(
    resources: LocalResources,
    accounts: Sequence[DemoAccount],
    *,
    web_url: str,
    api_url: str,
    seconds: float,
    spa_built: bool,
    state: LocalState | None = None,
    kept: bool = False,
) -> str:
    rows = [
        ("SPA / 画面", web_url),
        ("API", api_url),
        (
            "AWS emulator (moto)",
            f"{resources.endpoint}  account {resources.account_id}, {resources.region}",
        ),
        ("User pool", f"{resources.user_pool_id}  client {resources.user_pool_client_id}"),
        ("Mailbox / メール", f"{web_url}/_local/mailbox"),
        ("Activity / 動作記録", f"{web_url}{ACTIVITY_PATH}"),
        ("Table", resources.table_name),
    ]
    if state is not None:
        how = "kept from the last run / 前回のデータ" if kept else "new / 新規"
        rows.append(("Data / データ", f"{_shown(state.root)}  ({how}; --fresh starts empty)"))
        logs = f"{_shown(state.logs_dir)}/<service>.jsonl, {_shown(state.metrics_dir)}/…"
        rows.append(("Logs, metrics / ログ", logs))
    label_width = max(_width(label) for label, _ in rows) + 2
    account_width = max(_width(a.label) for a in accounts) + 2
    lines = [
        "",
        f"  まなび+ (Manabi Plus) — local mode / ローカルモード   ready in {seconds:.1f} s",
        "",
        *(f"  {_pad(label, label_width)}{value}" for label, value in rows),
        "",
        f"  Demo accounts / デモアカウント   password / パスワード: {DEMO_PASSWORD}",
        *(f"    {_pad(a.label, account_width)}{a.email}" for a in accounts),
        "",
    ]
    if not spa_built:
        lines += [
            f"  ! web/dist is missing: build the SPA with `{web_module.BUILD_COMMAND}`",
            "    SPA が未ビルドです。上のコマンドでビルドしてください。",
            "",
        ]
    lines += ["  Ctrl+C to stop / 停止するには Ctrl+C", ""]
    return "\n".join(lines)


def run(options: RunOptions, stop: threading.Event) -> None:
    """Start everything, block until `stop` is set (or Interrupted), then stop in order."""
    started = time.monotonic()
    system = LocalSystem(
        SystemOptions(
            api_port=options.api_port,
            web_port=options.web_port,
            emulator_port=options.emulator_port,
            handler=options.handler,
            web_dist=options.web_dist,
            state_dir=options.state_dir,
            fresh=options.fresh,
            concurrency=options.concurrency,
            environments=options.environments,
            uploads_per_hour=options.uploads_per_hour,
        ),
        lambda: load_workload_template(options.template),
    )
    try:
        resources, accounts, state, spa_built = system.start()
        print(
            banner(
                resources,
                accounts,
                web_url=system.web_origin,
                api_url=system.api_url,
                seconds=time.monotonic() - started,
                spa_built=spa_built,
                state=state,
                kept=system.kept,
            ),
            flush=True,
        )
        while not stop.wait(timeout=0.5):
            system.supervise()
        logger.info("stopping …")
    finally:
        system.stop()


_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def _install_signal_handlers(stop: threading.Event) -> dict[int, Any]:
    """Route SIGINT/SIGTERM to Interrupted; return the previous handlers to restore."""

    def handle(signum: int, frame: FrameType | None) -> None:
        # Later signals are ignored: cleanup is bounded and must not be interrupted half-way.
        for sig in _SIGNALS:
            signal.signal(sig, signal.SIG_IGN)
        stop.set()
        raise Interrupted

    return {sig: signal.signal(sig, handle) for sig in _SIGNALS}


def main(argv: Sequence[str] | None = None) -> int:
    command, options = parse_args(argv)
    # Our request log at INFO; libraries (botocore …) only when they warn.
    logging.basicConfig(
        level=logging.WARNING, format="%(asctime)s %(name)s %(message)s", datefmt="%H:%M:%S"
    )
    logging.getLogger("manabi_local").setLevel(logging.INFO)
    stop = threading.Event()
    previous = _install_signal_handlers(stop)
    try:
        if command == "run":
            run(options, stop)
    except Interrupted:
        print("manabi_local: stopped / 停止しました", file=sys.stderr)
        return 0
    except PortInUseError as error:
        print(f"manabi_local: {error}", file=sys.stderr)
        return 2
    except (
        StartupError,
        EmulatorError,
        TemplateError,
        UnknownResourceTypeError,
        SeedError,
        HandlerImportError,
        StateFormatError,
    ) as error:
        print(f"manabi_local: cannot start: {error}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
