"""The emulator process: moto's server app, with its state kept in a directory.

`python -m manabi_local.emulator_server --port PORT [--state-dir DIR]` serves the same app as
`python -m moto.server` (werkzeug, one thread per request). With a state directory it first
restores what was saved there, then saves the services that changed at most every
`--save-interval` seconds while it runs, and once more when SIGTERM or SIGINT stops it
(docs/decisions/0026). Exit codes: 0 after a stop, 1 when the port is taken, 3 when the kept
state cannot be restored (one line on stderr says why and what to do).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

from manabi_local.emulator_gate import ChangedServices, Gate, GatedApp, wait_outside_the_gate
from manabi_local.snapshots import SnapshotStore, backends_in_use, capture
from manabi_local.state import RESTORE_FAILED, StateFormatError

PORT_IN_USE = 1
# A write acknowledged by the emulator reaches the disk within this time plus one save (the
# window a SIGKILL of the emulator can lose; docs/decisions/0026 has the measured numbers).
DEFAULT_SAVE_INTERVAL = 0.5

_log = logging.getLogger("manabi_local.emulator")


class Snapshots:
    """Saves what changed, at most every `interval` seconds, from its own thread."""

    def __init__(
        self, store: SnapshotStore, gate: Gate, changed: ChangedServices, interval: float
    ) -> None:
        self.store = store
        self.gate = gate
        self.changed = changed
        self.interval = interval
        self.capture_seconds = 0.0  # how long the last capture held the gate
        self._failure: str | None = None

    def run(self, stop: threading.Event) -> None:
        last = 0.0
        while not stop.is_set():
            if not self.changed.changed.wait(timeout=0.5) or stop.is_set():
                continue
            # The first change after a quiet time is saved at once; a steady stream of
            # changes, once per interval, or less often when a capture (which holds every
            # request back) takes long: its share of the emulator's time stays under a fifth.
            pause = last + max(self.interval, 5 * self.capture_seconds) - time.monotonic()
            if pause > 0 and stop.wait(pause):
                break
            self.save()
            last = time.monotonic()

    def save(self) -> None:
        with self.gate.exclusive():
            names = self.changed.take()
            in_use = backends_in_use()
            if names is not None:
                in_use = {n: b for n, b in in_use.items() if n in names}
            chosen = list(in_use.values())
            started = time.monotonic()
            try:
                states = [capture(backends) for backends in chosen]
                self.capture_seconds = time.monotonic() - started
            except Exception as error:
                self._report(f"cannot capture the emulator's state: {error!r}")
                self.changed.mark(names)
                return
        try:
            self.store.save(states)
        except OSError as error:
            self._report(f"cannot save the emulator's state in {self.store.directory}: {error}")
            self.changed.mark(names)
            return
        if self._failure is not None:
            _log.warning("saving the emulator's state works again")
            self._failure = None

    def _report(self, message: str) -> None:
        # Once per distinct failure: a full disk must not flood the log every half second.
        if message != self._failure:
            _log.error("%s (retrying)", message)
            self._failure = message


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m manabi_local.emulator_server")
    parser.add_argument("-H", "--host", default="127.0.0.1")
    parser.add_argument("-p", "--port", type=int, required=True)
    parser.add_argument("--state-dir", type=Path, help="keep the emulator's state here")
    parser.add_argument("--save-interval", type=float, default=DEFAULT_SAVE_INTERVAL)
    return parser.parse_args(argv)


# DynamoDB's own limit on the items of one TransactGetItems call. moto refuses more than 25 (the
# old limit), so a teacher's list of 26+ learners, whose names the API reads in one transaction of
# up to 100 keys, failed locally and nowhere else (docs/decisions/0020).
AWS_TRANSACT_GET_MAX_ITEMS = 100


def align_with_aws_limits() -> None:
    """Set moto's limits that lag behind AWS's to AWS's values, before it serves a request."""
    from moto.dynamodb import responses

    responses.TRANSACTION_MAX_ITEMS = AWS_TRANSACT_GET_MAX_ITEMS


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    # One line per AWS call is most of what the emulator would write, and a few per cent of its
    # time; the gateway logs each API request already. Errors still reach the log.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    os.environ.setdefault("MOTO_PORT", str(args.port))  # moto builds some URLs from it

    store = SnapshotStore(args.state_dir) if args.state_dir else None
    if store is not None:
        started = time.monotonic()
        try:
            restored = store.restore()
        except StateFormatError as error:
            print(f"manabi_local: {error}", file=sys.stderr, flush=True)
            return RESTORE_FAILED
        if restored:
            _log.info(
                "restored %s from %s in %.2f s",
                ", ".join(restored),
                store.directory,
                time.monotonic() - started,
            )

    # Imported after the restore on purpose: nothing here depends on it, but moto's server app
    # is the slow import, and a refused state should be reported quickly.
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    align_with_aws_limits()
    gate, changed = Gate(), ChangedServices()
    wait_outside_the_gate(gate)
    app = GatedApp(DomainDispatcherApplication(create_backend_app), gate, changed)
    try:
        server = make_server(
            args.host, args.port, app, threaded=True, request_handler=MotoRequestHandler
        )
    except OSError as error:
        print(f"manabi_local: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return PORT_IN_USE

    stop = threading.Event()

    def handle(signum: int, frame: FrameType | None) -> None:
        stop.set()
        changed.changed.set()  # wakes the saver, which sees the stop

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handle)
    serving = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1})
    serving.start()
    snapshots = Snapshots(store, gate, changed, args.save_interval) if store else None
    saver = None
    if snapshots is not None:
        saver = threading.Thread(target=snapshots.run, args=(stop,), name="snapshots", daemon=True)
        saver.start()
    stop.wait()
    stopping = time.monotonic()
    server.shutdown()
    serving.join()
    server.server_close()
    if snapshots is not None and saver is not None:
        saver.join(timeout=5)
        # The last save waits for the requests still inside, then writes what they changed.
        snapshots.save()
    _log.info("stopped in %.2f s", time.monotonic() - stopping)
    return 0


if __name__ == "__main__":
    code = main()
    # Everything is saved and synced by now; the interpreter's own teardown of moto's modules
    # would add more than a second to every stop (Ctrl-C to all processes gone: 5 s at most).
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
