"""rosterd as separate processes, started the way a user starts it."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx

from tests.conftest import FAST_ARGON2

ROSTERD = [sys.executable, "-m", "rosterd"]


def environment(database_url: str) -> dict[str, str]:
    env = {**os.environ, "ROSTERD_DATABASE_URL": database_url}
    env.update({f"ROSTERD_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(database_url: str, port: int, workers: int = 1) -> Iterator[subprocess.Popen[str]]:
    """`rosterd serve` running until the block ends (stdout and stderr on one pipe)."""
    command = [*ROSTERD, "serve", "--port", str(port), "--workers", str(workers)]
    process = subprocess.Popen(
        command,
        env=environment(database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def output_until_ready(process: subprocess.Popen[str], port: int, workers: int = 1) -> str:
    """What the server printed until every worker started and the port answers."""
    assert process.stdout is not None
    lines: list[str] = []
    ready = 0
    deadline = time.monotonic() + 60
    while ready < workers and time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        lines.append(line)
        ready += "Application startup complete" in line
    answer_on(port, deadline)
    return "".join(lines)


def answer_on(port: int, deadline: float) -> None:
    """Wait until GET /v1/health/version answers (uvicorn binds after startup)."""
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/v1/health/version", timeout=5).raise_for_status()
        except httpx.HTTPError:
            time.sleep(0.05)
        else:
            return
    raise TimeoutError(f"nothing answers on port {port}")


def first_start_values(output: str) -> tuple[str, str, str]:
    """(endpoint, project id, api key) from a first start's output."""
    found = [
        re.search(rf"{label}:\s+(\S+)", output) for label in ("endpoint", "project id", "api key")
    ]
    assert all(found), output
    endpoint, project, key = (match[1] for match in found if match)
    return endpoint, project, key
