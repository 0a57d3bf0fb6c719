"""The least work of a create with password on rosterd's server stack, next to rosterd,
both against the raw Argon2 ceiling the harness uses.

The floor is Starlette under uvicorn, as rosterd serves: it reads the JSON body,
hashes the password at the account flow's costs (7 MiB, t=5, p=1) with rosterd's own
`Argon2`, at most one hash per core, and answers a user-sized body. It hashes either in
the thread pool, as rosterd does (`threads`), or in a pool of one process per core
(`processes`). Each round runs the raw ceiling (one hashing process per core) and then
one system at 16 connections with the harness's create-with-password script, so every
share is taken against a ceiling measured moments before it; the systems take turns.

Run: `.venv/bin/python -m bench.hash_floor [rounds]`.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from rich.console import Console
from rich.table import Table
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from bench.harness import floors, population, scenarios
from bench.harness.cli import ACCOUNT_ARGON2
from bench.harness.load import one_round
from bench.harness.systems import Rosterd, started, stopped, wait_until_idle
from rosterd.passwords.argon2 import Argon2

SECONDS = 6.0
RAW_SECONDS = 4.0
CONNECTIONS = 16
PORT = 18720
CORES = len(os.sched_getaffinity(0))
MODE = "BENCH_HASH_FLOOR_MODE"

_ARGON2 = Argon2(ACCOUNT_ARGON2["memory_cost"], ACCOUNT_ARGON2["time_cost"], 1)
_TURNS = threading.BoundedSemaphore(CORES)
_BODY = json.dumps({"$id": "u" * 20, "name": "n" * 30, "password": "p" * 97, "more": "m" * 700})
_pool: ProcessPoolExecutor | None = None
#: A serving process, its address and the headers to send it.
Served = tuple[subprocess.Popen[bytes], str, dict[str, str]]


def _hash(password: str) -> str:
    return _ARGON2.hash(password).value


def _hash_in_turn(password: str) -> str:
    with _TURNS:
        return _hash(password)


async def _create(request: Request) -> Response:
    global _pool  # noqa: PLW0603 - one pool per serving process, made at its first hash
    if request.method == "GET":
        return Response(b"{}", media_type="application/json")
    password = str(json.loads(await request.body()).get("password") or "x")
    if os.environ.get(MODE) == "processes":
        _pool = _pool or ProcessPoolExecutor(CORES)
        await asyncio.get_running_loop().run_in_executor(_pool, _hash, password)
    else:
        await run_in_threadpool(_hash_in_turn, password)
    return Response(_BODY.encode(), status_code=201, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", _create, methods=["GET", "POST"])])


def _floor(mode: str, port: int) -> Served:
    command = [sys.executable, "-m", "uvicorn", "bench.hash_floor:app", "--port", str(port)]
    environment = {**os.environ, MODE: mode}
    url = f"http://127.0.0.1:{port}"
    headers = {"X-Appwrite-Project": "bench", "X-Appwrite-Key": "unused"}
    return started([*command, "--log-level", "warning"], environment, f"{url}/"), url, headers


def _rosterd(work: Path, port: int) -> Served:
    system = Rosterd("sqlite", 1, f"sqlite:///{work / 'rosterd.db'}", port, dict(ACCOUNT_ARGON2))
    users = work / "users.jsonl"
    population.write(users, 10, population.shared_hash())
    system.seed(users)
    system.start()
    assert system.process is not None
    return system.process, system.url, system.headers()


def measure(rounds: int) -> Table:
    table = Table(title="create with password, account flow costs, 16 connections: share of raw")
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        systems = {
            "floor, hashing in threads": _floor("threads", PORT),
            "floor, hashing in processes": _floor("processes", PORT + 1),
            "rosterd, 1 worker": _rosterd(Path(work), PORT + 2),
        }
        try:
            shares = _rounds(systems, rounds)
        finally:
            for process, _, _ in systems.values():
                stopped(process)
    table.add_column("system")
    for number in range(1, rounds + 1):
        table.add_column(f"round {number}", justify="right")
    table.add_column("median", justify="right")
    for name, found in shares.items():
        cells = [f"{share:.0%}" for share in found]
        table.add_row(name, *cells, f"{statistics.median(found):.0%}")
    return table


def _rounds(systems: dict[str, Served], rounds: int) -> dict[str, list[float]]:
    luas: dict[str, str] = {}
    for name, (_, url, headers) in systems.items():
        chosen = scenarios.rosterd(100, headers, {"X-Appwrite-Project": "bench"})
        luas[name] = next(s.lua for s in chosen if s.key == "create_password")
        one_round(url, luas[name], CONNECTIONS, 2)
    wait_until_idle()
    shares: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(rounds):
        for name, (_, url, _) in systems.items():
            raw = floors.argon2_rate(ACCOUNT_ARGON2, RAW_SECONDS)
            served = one_round(url, luas[name], CONNECTIONS, SECONDS)
            wait_until_idle()
            shares[name].append(served.throughput / raw)
    return shares


def main() -> None:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 6
    Console(width=160).print(measure(rounds))


if __name__ == "__main__":
    main()
