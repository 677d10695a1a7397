"""Lambda execution environments on one machine: worker processes that run the API handler.

As in Lambda, an environment handles one event at a time, is reused while it is warm, and a new
one is made when every one is busy (the local gateway bounds how many, like a reserved
concurrency); an invocation that outlives the function's timeout is killed with its environment
("Task timed out after 3.00 seconds").

Processes, not threads (docs/decisions/0027): the handler keeps per-request state in globals —
Powertools' resolver stores the current event on its class, the Logger its request keys and the
Metrics their set per function — which threads would share with every other request in flight.
New environments are forked from a forkserver that has imported the handler once (its init), so
each one starts in milliseconds instead of repeating a cold start under a burst.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import signal
import sys
import threading
import time
import traceback
from dataclasses import dataclass
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from manabi_local.events import FunctionError, FunctionTimeout, IntegrationTimeout, LambdaContext
from manabi_local.function_output import capture_environment, handler_service
from manabi_local.runtime import HandlerImportError, load_handler

_log = logging.getLogger("manabi_local.environments")

INIT_TIMEOUT_SECONDS = 10.0  # Lambda's limit for a function's init phase
QUEUE_SECONDS = 29.0  # API Gateway's integration timeout: the longest an event waits
# Environments that run at once. The emulator answers every AWS call from one process, so more
# environments than this only queue at the emulator and run into the function's timeout
# (docs/decisions/0027).
DEFAULT_ENVIRONMENTS = 4
_STOP_SECONDS = 1.0


def _serve(connection: Connection, handler_path: str, output_dir: Path | None = None) -> None:
    """An environment's life: init (import the handler), then one event at a time.

    With `output_dir` (the state directory) the function's logs and metrics go to its files
    there (manabi_local.function_output), opened by this process itself."""
    # Ctrl-C reaches the whole terminal's process group: the run stops environments itself,
    # after the requests inside them are answered.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        handler = load_handler(handler_path)
    except BaseException as error:
        connection.send(("init-error", f"{type(error).__name__}: {error}", traceback.format_exc()))
        return
    output, service = None, ""
    if output_dir is not None:
        module = sys.modules.get(handler_path.rpartition(".")[0])
        output = capture_environment(output_dir, module)
        service = handler_service(module)
    connection.send(("ready",))
    while True:
        try:
            _, event, context = connection.recv()
        except (EOFError, OSError):
            return  # the run is gone or stops us: nothing left to serve
        try:
            reply: tuple[Any, ...] = ("result", handler(event, context))
        except Exception as error:
            reply = ("error", f"{type(error).__name__}: {error}", traceback.format_exc())
            if output is not None:  # what the Lambda runtime logs of an invocation that raised
                output.record(service, "ERROR", reply[1], exception=reply[2])
        try:
            connection.send(reply)
        except (OSError, ValueError):
            return
        except Exception as error:  # a result pickle cannot carry
            connection.send(("error", f"the handler's result cannot be sent: {error!r}", ""))


@dataclass(eq=False)  # environments are told apart by identity (kept in a set)
class _Environment:
    process: BaseProcess
    connection: Connection


class ExecutionEnvironments:
    """A callable handler `(event, context) -> result` that runs each call in an environment.

    At most `limit` environments exist: an event that finds all of them busy waits for one (for
    at most `queue_seconds`, API Gateway's integration timeout) instead of starting another
    process on a machine whose cores are already busy (docs/decisions/0027 has the numbers).
    """

    def __init__(
        self,
        handler: str,
        limit: int = DEFAULT_ENVIRONMENTS,
        *,
        queue_seconds: float = QUEUE_SECONDS,
        init_timeout: float = INIT_TIMEOUT_SECONDS,
        output_dir: Path | None = None,
    ) -> None:
        self.handler = handler
        self.output_dir = output_dir
        self.limit = limit
        self.queue_seconds = queue_seconds
        self.init_timeout = init_timeout
        self._context = multiprocessing.get_context("forkserver")
        # Imported once, in the forkserver (set before it starts, at the first environment).
        self._context.set_forkserver_preload([__name__, handler.rpartition(".")[0]])
        self._available = threading.Condition()
        self._idle: list[_Environment] = []
        self._all: set[_Environment] = set()
        self._creating = 0
        self._closed = False

    @property
    def count(self) -> int:
        """Environments alive now (idle or busy)."""
        with self._available:
            return len(self._all)

    def start(self) -> None:
        """Make the first environment now, so a handler that cannot init stops the start."""
        with self._available:
            self._creating += 1
        self._release(self._create())

    def __call__(self, event: dict[str, Any], context: LambdaContext) -> Any:
        environment = self._acquire()
        # The function's clock starts when an environment has the event, as Lambda's does.
        context = dataclasses.replace(context, _started=time.monotonic())
        try:
            environment.connection.send(("invoke", event, context))
            if not environment.connection.poll(context.timeout_seconds):
                self._discard(environment)
                raise FunctionTimeout(f"Task timed out after {context.timeout_seconds:.2f} seconds")
            reply = environment.connection.recv()
        except (EOFError, OSError) as error:
            self._discard(environment)
            raise FunctionError(f"the execution environment exited ({error!r})") from None
        self._release(environment)
        if reply[0] == "error":
            raise FunctionError(reply[1], reply[2])
        return reply[1]

    def stop(self) -> None:
        """End every environment: idle ones read EOF and exit; the others are killed."""
        with self._available:
            self._closed = True
            environments = list(self._all)
            self._all.clear()
            self._idle.clear()
            self._available.notify_all()
        for environment in environments:
            environment.connection.close()
        deadline = time.monotonic() + _STOP_SECONDS
        for environment in environments:
            environment.process.join(timeout=max(0.0, deadline - time.monotonic()))
            if environment.process.is_alive():
                environment.process.kill()
                environment.process.join(timeout=1)

    def _acquire(self) -> _Environment:
        deadline = time.monotonic() + self.queue_seconds
        with self._available:
            while True:
                if self._closed:
                    raise FunctionError("the local API is stopping")
                if self._idle:
                    return self._idle.pop()  # the most recently used one: the warmest
                if len(self._all) + self._creating < self.limit:
                    self._creating += 1
                    break
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self._available.wait(remaining):
                    raise IntegrationTimeout(
                        f"no execution environment became free within {self.queue_seconds:.0f} s"
                    )
        return self._create()

    def _release(self, environment: _Environment) -> None:
        with self._available:
            if not self._closed:
                self._idle.append(environment)
                self._available.notify()
                return
        self._kill(environment)

    def _discard(self, environment: _Environment) -> None:
        with self._available:
            self._all.discard(environment)
            self._available.notify()  # room for a new environment
        self._kill(environment)

    @staticmethod
    def _kill(environment: _Environment) -> None:
        environment.connection.close()
        if environment.process.is_alive():
            environment.process.kill()
        environment.process.join(timeout=1)

    def _create(self) -> _Environment:
        """A new environment, initialised; the caller has counted it in `_creating`."""
        try:
            environment = self._spawn()
        except BaseException:
            with self._available:
                self._creating -= 1
                self._available.notify()
            raise
        with self._available:
            self._creating -= 1
            closed = self._closed
            if not closed:
                self._all.add(environment)
        if closed:  # stopped while this one was starting
            self._kill(environment)
            raise FunctionError("the local API is stopping")
        return environment

    def _spawn(self) -> _Environment:
        ours, theirs = self._context.Pipe(duplex=True)
        process = self._context.Process(
            target=_serve,
            args=(theirs, self.handler, self.output_dir),
            name="lambda-environment",
            daemon=True,  # never outlives the run, whatever ends it
        )
        process.start()
        theirs.close()
        environment = _Environment(process, ours)
        try:
            if not ours.poll(self.init_timeout):
                raise FunctionError(f"the handler's init took longer than {self.init_timeout} s")
            reply = ours.recv()
        except (EOFError, OSError) as error:
            self._kill(environment)
            message = f"the execution environment exited during init ({error!r})"
            raise FunctionError(message) from None
        except FunctionError:
            self._kill(environment)
            raise
        if reply[0] == "init-error":
            self._kill(environment)
            if reply[1].startswith(HandlerImportError.__name__):
                raise HandlerImportError(reply[1].partition(": ")[2])
            raise FunctionError(f"the handler's init failed: {reply[1]}", reply[2])
        return environment
