"""The local system as one object: started in order, supervised, and stopped in order.

Start, and why in this order:
1. bind the API and web ports and check the emulator port: a taken port fails at once;
2. open the state directory (a refused one fails before anything runs), spawn the emulator on it
   and, while it boots and restores, synthesize (or reuse the cached) template;
3. provision the template's resources and seed the demo data (both idempotent on kept data);
4. prepare the handler's environment, start its first execution environment (an import error
   stops the start), start the scan workers, grade the demo's clean uploads once the scanner has
   judged them, serve the gateway, the SPA and the Cognito front.

Stop (Ctrl-C, SIGTERM), and why in this order (MP-LOC-02): the servers stop accepting first and
answer what is inside; then the execution environments and the scan worker end; the emulator
goes last, so every request that was answered is in its final save.

`supervise` is called from the main thread every half second: an emulator that died is started
again on the kept data, from that thread, which lives as long as the run.
"""

from __future__ import annotations

import logging
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from manabi_api import post_confirmation
from manabi_local.activity import ActivityView
from manabi_local.auth import CognitoVerifier
from manabi_local.cognito_front import COGNITO_PATH, CognitoFront
from manabi_local.demo_learning import grade_demo_submissions
from manabi_local.emulator import Emulator, EmulatorError
from manabi_local.environments import ExecutionEnvironments
from manabi_local.function_output import FunctionOutput, capture_functions
from manabi_local.gateway import LocalApiGateway, function_settings
from manabi_local.httpserver import HttpServerThread, Limits
from manabi_local.mailbox import Mailbox
from manabi_local.post_confirmation import load_post_confirmation
from manabi_local.provisioning import EmulatorClients, LocalResources, api_function, plan, provision
from manabi_local.routes import build_route_table
from manabi_local.runtime import prepare_environment
from manabi_local.scanning import LocalScanner, scan_queue_url
from manabi_local.seed import DemoAccount, seed
from manabi_local.state import LocalState, StateFormatError
from manabi_local.tcp_ports import PortInUseError, ensure_port_free
from manabi_local.template import Template
from manabi_local.web import LocalWebOrigin, StaticSite, connect_sources, site_config
from manabi_scanner import handler as scanner_handler

HOST = "127.0.0.1"
# Ctrl-C to every process gone: at most 5 s (MP-LOC-02). The requests inside get this long.
DRAIN_SECONDS = 2.5

logger = logging.getLogger("manabi_local")


@dataclass(frozen=True)
class SystemOptions:
    api_port: int
    web_port: int
    emulator_port: int
    handler: str
    web_dist: Path
    state_dir: Path
    fresh: bool
    concurrency: int
    environments: int
    uploads_per_hour: int | None = None  # None: the template's


class LocalSystem:
    def __init__(self, options: SystemOptions, load_template: Callable[[], Template]) -> None:
        self.options = options
        self.web_origin = f"http://{HOST}:{options.web_port}"
        self.api_url = f"http://{HOST}:{options.api_port}"
        self._load_template = load_template
        self._cleanup = ExitStack()
        self._stopped = False
        self.emulator: Emulator | None = None
        self.environments: ExecutionEnvironments | None = None
        self.scanner: LocalScanner | None = None
        self._servers: list[HttpServerThread] = []
        self._restart_after = 0.0  # monotonic time before which no restart is tried
        self._restart_pause = 1.0
        self.kept = False  # whether the run began on data kept from an earlier one

    # --- start -----------------------------------------------------------------------------------

    def start(self) -> tuple[LocalResources, list[DemoAccount], LocalState, bool]:
        """Everything up; returns what the banner shows (and whether the SPA is built)."""
        options = self.options
        limits = Limits(max_in_flight=options.concurrency)
        api_server = HttpServerThread(
            HOST, options.api_port, role="local API", flag="--api-port", logger="manabi_local.api"
        )
        web_server = HttpServerThread(
            HOST,
            options.web_port,
            role="web (SPA)",
            flag="--web-port",
            logger="manabi_local.web",
            limits=limits,
        )
        self._servers = [api_server, web_server]
        ensure_port_free(HOST, options.emulator_port, "AWS emulator", "--emulator-port")
        state = LocalState.open(options.state_dir, fresh=options.fresh)
        self._cleanup.callback(state.release)
        self.kept = state.kept
        emulator = Emulator(
            port=options.emulator_port,
            log_path=state.log_path,
            state_dir=state.emulator_dir,
            keep_open=state.lock_fds,
        )
        self.emulator = emulator
        emulator.start()

        # Synthesis (or its cache) and the boto3 clients overlap with the emulator's boot.
        template = self._load_template()
        plan(template)  # an unclassified resource type stops us before anything is created
        self._template = template
        self._clients = EmulatorClients(emulator.endpoint)
        emulator.wait_ready()
        resources, accounts = self._provision()

        prepare_environment(resources, self.web_origin, options.uploads_per_hour)
        function = api_function(template)
        # Each function's logs and metrics in files of the state directory (MP-MON-03): the
        # scanner's and PostConfirmation's run here, the API's in its environments.
        capture_functions(
            self._cleanup.enter_context(FunctionOutput(state.root, fallback=sys.stdout)),
            [scanner_handler.logger, post_confirmation.logger],
            packages=("manabi_scanner",),
        )
        environments = ExecutionEnvironments(
            options.handler, options.environments, output_dir=state.root
        )
        self.environments = environments
        environments.start()
        routes = build_route_table(template, resources.resolver(), function.logical_id)
        verifier = CognitoVerifier(resources.endpoint, resources.clients_by_pool)
        gateway = LocalApiGateway(
            routes,
            environments,
            verifier,
            port=api_server.port,
            allowed_origin=self.web_origin,
            concurrency=options.concurrency,
            **function_settings(function.properties),
        )
        # Mail, codes, the PostConfirmation trigger and aliases: what moto lacks of Cognito.
        try:
            mailbox = Mailbox(state.mailbox_path)
        except (OSError, ValueError, TypeError) as error:
            raise StateFormatError(
                f"the local mailbox {state.mailbox_path} cannot be read ({error}); start with "
                "--fresh, or delete that file to keep everything else"
            ) from None
        cognito_front = CognitoFront(
            self._clients.cognito,
            resources.user_pool_id,
            mailbox,
            endpoint=resources.endpoint,
            trigger=load_post_confirmation(self._clients.cognito),
        )
        config = site_config(
            resources, self.api_url, cognito_endpoint=self.web_origin + COGNITO_PATH
        )
        # The browser posts uploads to the emulator (presigned POST): it may connect there too.
        site = StaticSite(
            options.web_dist, config, connect_src=connect_sources(config, resources.endpoint)
        )
        # The virus scanner (MP-AV-01): clamd on a generated database, a worker on the scan queue.
        clamd_dir = self._cleanup.enter_context(tempfile.TemporaryDirectory(prefix="manabi-clamd-"))
        self.scanner = LocalScanner(Path(clamd_dir), resources, scan_queue_url(template, resources))
        # The demo's clean uploads are graded once the scanner's verdicts are on them.
        grade_demo_submissions(resources, self._clients)
        api_server.start(gateway)
        web_server.start(
            LocalWebOrigin(site, cognito_front, mailbox.response, ActivityView(state.root))
        )
        return resources, accounts, state, site.built

    def _provision(self) -> tuple[LocalResources, list[DemoAccount]]:
        clients = self._clients
        resources = provision(
            self._template, clients.endpoint, web_origin=self.web_origin, clients=clients
        )
        return resources, seed(resources, clients)

    # --- supervision -----------------------------------------------------------------------------

    def supervise(self) -> None:
        """Restart the emulator if it died; called from the main thread."""
        emulator = self.emulator
        if emulator is None or self._stopped:
            return
        code = emulator.exit_code()
        if code is None or time.monotonic() < self._restart_after:
            return
        logger.warning(
            "the AWS emulator (moto) stopped unexpectedly (exit code %s); restarting it on the "
            "data kept in %s (its log: %s)",
            code,
            emulator.state_dir,
            emulator.log_path,
        )
        started = time.monotonic()
        try:
            emulator.restart()
            self._provision()
        except (EmulatorError, PortInUseError, StateFormatError, OSError) as error:
            logger.error(
                "the AWS emulator could not be restarted: %s; trying again in %.0f s",
                error,
                self._restart_pause,
            )
            self._restart_after = time.monotonic() + self._restart_pause
            self._restart_pause = min(self._restart_pause * 2, 30.0)
            return
        self._restart_pause = 1.0
        logger.warning(
            "the AWS emulator is back after %.1f s, with its data as last saved",
            time.monotonic() - started,
        )

    # --- stop ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Stop in order; safe to call more than once and after a failed start."""
        if self._stopped:
            return
        self._stopped = True
        for server in self._servers:
            server.stop_accepting()
        # The scan worker's long poll ends within a second; it stops alongside the drain.
        scanner = self.scanner
        stopping_scanner = threading.Thread(
            target=scanner.stop if scanner else (lambda: None), name="stop-scanner"
        )
        stopping_scanner.start()
        deadline = time.monotonic() + DRAIN_SECONDS
        for server in self._servers:
            if not server.drain(max(0.0, deadline - time.monotonic())):
                logger.warning("stopping with requests still unanswered on %s", server.url)
        if self.environments is not None:
            self.environments.stop()
        stopping_scanner.join(timeout=3)
        if self.emulator is not None:
            self.emulator.stop()  # SIGTERM: it saves what changed, then exits
        self._cleanup.close()
