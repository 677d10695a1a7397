"""`python -m manabi_local run`: the whole system on one machine, no AWS account, no Docker.

Order of a start, and why:
1. bind the API and web ports and check the emulator port: a taken port fails at once (exit 2);
2. spawn the emulator and, while it boots, synthesize (or reuse the cached) template;
3. provision the template's resources, seed the demo data;
4. prepare the handler's environment, import it, serve the gateway and the SPA;
5. run until SIGINT/SIGTERM, then stop servers and emulator (exit 0).
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import tempfile
import threading
import time
import unicodedata
from collections.abc import Sequence
from contextlib import ExitStack
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
from manabi_local.auth import CognitoVerifier
from manabi_local.cognito_front import COGNITO_PATH, CognitoFront
from manabi_local.emulator import Emulator, EmulatorError
from manabi_local.gateway import LocalApiGateway, function_settings
from manabi_local.httpserver import HttpServerThread
from manabi_local.mailbox import Mailbox
from manabi_local.post_confirmation import load_post_confirmation
from manabi_local.provisioning import (
    EmulatorClients,
    LocalResources,
    UnknownResourceTypeError,
    api_function,
    plan,
    provision,
)
from manabi_local.routes import build_route_table
from manabi_local.runtime import HandlerImportError, load_handler, prepare_environment
from manabi_local.scanning import LocalScanner, scan_queue_url
from manabi_local.seed import DEMO_PASSWORD, DemoAccount, SeedError, seed
from manabi_local.tcp_ports import PortInUseError
from manabi_local.template import Template, TemplateError
from manabi_local.web import LocalWebOrigin, StaticSite, site_config

HOST = "127.0.0.1"
REPO_ROOT = Path(__file__).resolve().parents[2]
WORKLOAD_STACK = names.workload_stack_id(STAGING)

logger = logging.getLogger("manabi_local")


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


def parse_args(argv: Sequence[str] | None) -> tuple[str, RunOptions]:
    parser = argparse.ArgumentParser(
        prog="python -m manabi_local", description=__doc__.split("\n")[0]
    )
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start emulator, API and SPA on this machine")
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
    run.add_argument("--state-dir", type=Path, default=REPO_ROOT / ".local")
    args = parser.parse_args(argv)
    return args.command, RunOptions(
        api_port=args.api_port,
        web_port=args.web_port,
        emulator_port=args.emulator_port,
        template=args.template,
        handler=args.handler,
        web_dist=args.web_dist,
        state_dir=args.state_dir,
    )


def load_workload_template(path: Path | None) -> Template:
    """The staging workload template (local mode mirrors staging), synthesized if stale."""
    if path is not None:
        return Template.load(path)
    try:
        return Template(synth.load_template(WORKLOAD_STACK))
    except synth.SynthError as error:
        raise StartupError(str(error)) from None


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
        ("Table", resources.table_name),
    ]
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
    """Start everything, block until `stop` is set (or Interrupted), then clean up."""
    started = time.monotonic()
    web_origin = f"http://{HOST}:{options.web_port}"
    api_url = f"http://{HOST}:{options.api_port}"
    with ExitStack() as cleanup:
        api_server = HttpServerThread(
            HOST, options.api_port, role="local API", flag="--api-port", logger="manabi_local.api"
        )
        cleanup.callback(api_server.stop)
        web_server = HttpServerThread(
            HOST, options.web_port, role="web (SPA)", flag="--web-port", logger="manabi_local.web"
        )
        cleanup.callback(web_server.stop)

        emulator = Emulator(port=options.emulator_port, log_path=options.state_dir / "emulator.log")
        emulator.start()
        cleanup.callback(emulator.stop)

        # Synthesis (or its cache) and the boto3 clients overlap with the emulator's boot.
        template = load_workload_template(options.template)
        plan(template)  # an unclassified resource type stops us before anything is created
        clients = EmulatorClients(emulator.endpoint)
        emulator.wait_ready()
        resources = provision(template, emulator.endpoint, web_origin=web_origin, clients=clients)
        accounts = seed(resources, clients)

        prepare_environment(resources, web_origin)
        handler = load_handler(options.handler)
        function = api_function(template)
        routes = build_route_table(template, resources.resolver(), function.logical_id)
        verifier = CognitoVerifier(resources.endpoint, resources.clients_by_pool)
        gateway = LocalApiGateway(
            routes,
            handler,
            verifier,
            port=api_server.port,
            allowed_origin=web_origin,
            **function_settings(function.properties),
        )
        # Mail, codes, the PostConfirmation trigger and aliases: what moto lacks of Cognito.
        mailbox = Mailbox()
        cognito_front = CognitoFront(
            clients.cognito,
            resources.user_pool_id,
            mailbox,
            endpoint=resources.endpoint,
            trigger=load_post_confirmation(clients.cognito),
        )
        site = StaticSite(
            options.web_dist,
            site_config(resources, api_url, cognito_endpoint=web_origin + COGNITO_PATH),
        )
        # The virus scanner (MP-AV-01): clamd on a generated database, a worker on the scan queue.
        clamd_dir = cleanup.enter_context(tempfile.TemporaryDirectory(prefix="manabi-clamd-"))
        scanner = LocalScanner(
            Path(clamd_dir),
            resources,
            scan_queue_url(template, resources),
        )
        cleanup.callback(scanner.stop)
        api_server.start(gateway)
        web_server.start(LocalWebOrigin(site, cognito_front, mailbox.response))

        print(
            banner(
                resources,
                accounts,
                web_url=web_origin,
                api_url=api_url,
                seconds=time.monotonic() - started,
                spa_built=site.built,
            ),
            flush=True,
        )
        while not stop.wait(timeout=0.5):
            pass
        logger.info("stopping …")


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
    ) as error:
        print(f"manabi_local: cannot start: {error}", file=sys.stderr)
        return 1
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    return 0
