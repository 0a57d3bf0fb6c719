"""One process that reads User-Agents for every worker of `rosterd serve` (see `devices`).

`start()` runs `python -m rosterd.sessions.parser_process SOCKET`, which loads the rules,
then answers on a Unix socket: a JSON string per line in, the twelve fields as a JSON
object per line out. `start()` returns once it answers, and names the socket in the
environment (`SOCKET_VARIABLE`) for the workers that `uvicorn` starts after it; each
worker then asks it through a `Client`. The process ends with its parent.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path

from rosterd.sessions.devices import FIELDS

log = logging.getLogger("rosterd")

SOCKET_VARIABLE = "ROSTERD_DEVICE_PARSER_SOCKET"
_SOCKET_NAME = "parser.sock"
#: Loading the rules takes a few seconds; a parser not answering by then is not used.
START_SECONDS = 60.0
#: A single answer takes milliseconds; longer means the process is stuck.
ANSWER_SECONDS = 10.0
_PROBE = "okhttp/4.12.0"


class Client:
    """Asks the parser process; one connection per thread. Raises OSError or ValueError
    when the process cannot be reached or answers nonsense."""

    def __init__(self, path: str) -> None:
        self._path = path
        self._local = threading.local()

    def __call__(self, user_agent: str) -> dict[str, str]:
        stream = self._stream()
        try:
            stream.write(json.dumps(user_agent).encode() + b"\n")
            stream.flush()
            answer = json.loads(stream.readline())
        except (OSError, ValueError):
            self._local.stream = None
            stream.close()
            raise
        if not isinstance(answer, dict) or tuple(answer) != FIELDS:
            raise ValueError("the parser process answered something else than the fields")
        return {name: str(value) for name, value in answer.items()}

    def _stream(self) -> io.BufferedRWPair:
        stream: io.BufferedRWPair | None = getattr(self._local, "stream", None)
        if stream is None:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(ANSWER_SECONDS)
                connection.connect(self._path)
                stream = connection.makefile("rwb")  # keeps the socket open until closed
            self._local.stream = stream
        return stream


class ParserProcess:
    """The running parser process, for the command that started it."""

    def __init__(self, process: subprocess.Popen[bytes], folder: Path) -> None:
        self.process = process
        self.folder = folder
        self.socket = str(folder / _SOCKET_NAME)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        os.environ.pop(SOCKET_VARIABLE, None)
        shutil.rmtree(self.folder, ignore_errors=True)


def start() -> ParserProcess | None:
    """A parser process that answers, its socket named in the environment; None (and a
    warning: each worker then parses for itself) when it does not start."""
    folder = Path(tempfile.mkdtemp(prefix="rosterd-"))
    command = [sys.executable, "-m", "rosterd.sessions.parser_process", str(folder / _SOCKET_NAME)]
    started = ParserProcess(subprocess.Popen(command, stdin=subprocess.DEVNULL), folder)
    if _answers(started):
        os.environ[SOCKET_VARIABLE] = started.socket
        return started
    log.warning("the User-Agent parser process did not start; each worker parses itself")
    started.stop()
    return None


def _answers(started: ParserProcess) -> bool:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline and started.process.poll() is None:
        try:
            return Client(started.socket)(_PROBE)["clientName"] != ""
        except (OSError, ValueError):
            time.sleep(0.1)
    return False


def client_from_environ() -> Client | None:
    path = os.environ.get(SOCKET_VARIABLE, "")
    return Client(path) if path else None


class _Answer(socketserver.StreamRequestHandler):
    def handle(self) -> None:
        for line in self.rfile:
            try:
                user_agent = json.loads(line)
                fields = _parse(user_agent if isinstance(user_agent, str) else "")
            except ValueError:
                fields = dict.fromkeys(FIELDS, "")
            self.wfile.write(json.dumps(fields).encode() + b"\n")


@lru_cache(maxsize=16384)
def _parse(user_agent: str) -> dict[str, str]:
    from rosterd.sessions import matomo

    try:
        return matomo.parse(user_agent)
    except Exception:  # a parser bug answers "unknown", as in a worker
        return dict.fromkeys(FIELDS, "")


class _Server(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


def serve(path: str) -> None:
    """Load the rules, then answer at `path` until the parent process is gone or asks
    it to stop; then remove the socket and its folder (the parent may not live to)."""
    from rosterd.sessions import matomo

    parent = os.getppid()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    matomo.warm_up()
    try:
        with _Server(path, _Answer) as server:
            threading.Thread(target=server.serve_forever, daemon=True).start()
            while os.getppid() == parent:
                time.sleep(1.0)
    finally:
        socket_file = Path(path)
        socket_file.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            socket_file.parent.rmdir()


if __name__ == "__main__":
    serve(sys.argv[1])
