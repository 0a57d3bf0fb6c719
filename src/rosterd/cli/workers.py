"""Worker processes that each listen on a socket of their own (`SO_REUSEPORT`).

uvicorn's own workers share one listening socket, and asyncio accepts every connection
waiting on it at once: a client that opens its keep-alive connections together (a load
balancer, a connection pool, a load generator) lands them on whichever worker woke
first, while the others idle. Measured with 16 connections and 2 workers: 13 and 3.
Here each worker has its own socket on the same port, and the kernel spreads new
connections across them. The supervisor keeps the sockets, so a worker that dies is
replaced on the same socket, and the connections waiting on it are served.

Where the kernel cannot do that (no `SO_REUSEPORT`, or not Linux, whose kernel alone
spreads connections), `serve` runs uvicorn's own workers.
"""

from __future__ import annotations

import logging
import multiprocessing
import signal
import socket
import sys
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

import uvicorn

log = logging.getLogger("rosterd")

#: uvicorn's exit status for a worker that could not start (its app failed to load).
STARTUP_FAILURE = 3
BACKLOG = 2048


def serve(app: str, count: int, **options: Any) -> None:
    """uvicorn on `app` (an import string) with `count` worker processes, each on a
    socket of its own where the kernel spreads connections; `options` are uvicorn's."""
    if count > 1 and spreads_connections():
        config = uvicorn.Config(app, **options)
        Supervisor(config, listeners(config.host, config.port, count)).run()
    else:
        uvicorn.run(app, workers=count, **options)


def spreads_connections() -> bool:
    """Whether the kernel spreads connections over sockets sharing a port."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def _family(host: str) -> socket.AddressFamily:
    return socket.AF_INET6 if ":" in host else socket.AF_INET


def _bound(host: str, port: int, *, shared: bool) -> socket.socket:
    listener = socket.socket(_family(host), socket.SOCK_STREAM)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        listener.bind((host, port))
    except OSError:
        listener.close()
        raise
    return listener


def listeners(host: str, port: int, count: int) -> list[socket.socket]:
    """`count` listening sockets on one port. A first bind without `SO_REUSEPORT` checks
    that nothing else holds the port: a second rosterd started on it must fail, not
    quietly take half of the first one's connections."""
    if port:
        _bound(host, port, shared=False).close()
    found: list[socket.socket] = []
    try:
        for _ in range(count):
            # Port 0: the first socket's port, chosen by the kernel, for all of them.
            listener = _bound(host, found[0].getsockname()[1] if found else port, shared=True)
            found.append(listener)
            listener.listen(BACKLOG)
    except OSError:
        for listener in found:
            listener.close()
        raise
    return found


def _worker(config: uvicorn.Config, listener: socket.socket) -> None:
    config.configure_logging()
    uvicorn.Server(config).run(sockets=[listener])


class Supervisor:
    """Runs one worker per socket until SIGINT or SIGTERM; replaces a worker that dies
    (unless it could not start, which a new one would repeat: then all stop, and the
    supervisor exits with uvicorn's status for it); SIGHUP replaces each."""

    def __init__(self, config: uvicorn.Config, sockets: list[socket.socket]) -> None:
        self._config = config
        self._sockets = sockets
        self._context = multiprocessing.get_context("spawn")
        self._workers: list[multiprocessing.process.BaseProcess] = []
        self._stop = threading.Event()
        self._restart = threading.Event()
        self._failed = False

    def _start(self, listener: socket.socket) -> multiprocessing.process.BaseProcess:
        worker = self._context.Process(target=_worker, args=(self._config, listener))
        worker.start()
        return worker

    def run(self) -> None:
        previous = self._handle_signals()
        try:
            for listener in self._sockets:  # one at a time: stopped if the next fails
                self._workers.append(self._start(listener))
            while not self._stop.wait(0.5):
                if self._restart.is_set():
                    self._restart.clear()
                    self._replace_all()
                self._keep_alive()
        finally:
            self._stop_all()
            for number, handler in previous.items():
                signal.signal(number, handler)
            for listener in self._sockets:
                listener.close()
        if self._failed:
            raise SystemExit(STARTUP_FAILURE)

    def _handle_signals(self) -> dict[int, Callable[[int, FrameType | None], object] | int | None]:
        def stop(_number: int, _frame: FrameType | None) -> None:
            self._stop.set()

        def restart(_number: int, _frame: FrameType | None) -> None:
            self._restart.set()

        handlers = {signal.SIGINT: stop, signal.SIGTERM: stop, signal.SIGHUP: restart}
        return {number: signal.signal(number, handler) for number, handler in handlers.items()}

    def _keep_alive(self) -> None:
        for index, worker in enumerate(self._workers):
            if worker.is_alive() or self._stop.is_set():
                continue
            if worker.exitcode == STARTUP_FAILURE:
                log.error("worker %s could not start; stopping", worker.pid)
                self._failed = True
                self._stop.set()
                return
            log.warning("worker %s exited (%s); starting another", worker.pid, worker.exitcode)
            self._workers[index] = self._start(self._sockets[index])

    def _replace_all(self) -> None:
        """A new worker on each socket, then the old one stopped: no socket goes unserved."""
        for index, old in enumerate(self._workers):
            self._workers[index] = self._start(self._sockets[index])
            _stop(old)

    def _stop_all(self) -> None:
        for worker in self._workers:
            if worker.is_alive():
                worker.terminate()
        for worker in self._workers:
            _stop(worker)


def _stop(worker: multiprocessing.process.BaseProcess, grace: float = 30) -> None:
    """SIGTERM (uvicorn finishes the requests in flight), then SIGKILL after `grace` s."""
    if worker.is_alive():
        worker.terminate()
    worker.join(grace)
    if worker.is_alive():
        worker.kill()
        worker.join()
