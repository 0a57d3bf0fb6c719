"""Where a create with password spends its CPU, against the raw hash it is held to.

Serves rosterd (SQLite, 1 worker, the account flow's Argon2 costs: 7 MiB, t=5, p=1) with
argon2-cffi's `PasswordHasher.hash` timed in thread CPU time, loads it with wrk (create
with password, 16 connections), and alternates each round with the raw ceiling the
harness uses (one hashing process per core). Per round: users/s against the raw rate;
the CPU one hash took inside the server and inside the raw processes; the rest of the
server's CPU, and its page faults, per user; and how many cores the server kept busy
during the round. Run: `.venv/bin/python -m bench.account_cpu [rounds]`.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import argon2
from rich.console import Console
from rich.table import Table

from bench.harness import floors, population, scenarios
from bench.harness.cli import ACCOUNT_ARGON2
from bench.harness.load import one_round
from bench.harness.systems import Rosterd, started, stopped, wait_until_idle

SECONDS = 8.0
RAW_SECONDS = 5.0
CONNECTIONS = 16
PORT = 18690
TICK = os.sysconf("SC_CLK_TCK")


def _timed_hashing(stats_file: Path) -> None:
    """In the server: count the hashes and their thread CPU; written out on SIGUSR1."""
    plain_hash = argon2.PasswordHasher.hash
    totals = {"hashes": 0, "cpu": 0.0}
    lock = threading.Lock()

    def timed(self: argon2.PasswordHasher, *arguments: Any, **options: Any) -> str:
        started_at = time.thread_time()
        try:
            return plain_hash(self, *arguments, **options)
        finally:
            spent = time.thread_time() - started_at
            with lock:
                totals["hashes"] += 1
                totals["cpu"] += spent

    def write(*_: object) -> None:
        with lock:
            stats_file.write_text(json.dumps(totals))

    argon2.PasswordHasher.hash = timed  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, write)


def _serve(arguments: list[str]) -> None:
    _timed_hashing(Path(os.environ["BENCH_HASH_STATS"]))
    from rosterd.cli import main

    sys.argv = ["rosterd", "serve", *arguments]
    main()


def _process_cpu(pid: int) -> tuple[float, int]:
    """CPU seconds of a process, all its threads, and its minor page faults so far
    (/proc/<pid>/stat: utime, stime, minflt)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK, int(fields[7])


class Server:
    """rosterd with timed hashing, on a fresh SQLite file."""

    def __init__(self, workdir: Path) -> None:
        self.stats = workdir / "hashing.json"
        url = f"sqlite:///{workdir / 'rosterd.db'}"
        self.system = Rosterd("sqlite", 1, url, PORT, dict(ACCOUNT_ARGON2))
        users = workdir / "users.jsonl"
        population.write(users, 10, population.shared_hash())
        self.system.seed(users)
        environment = {**self.system.environment(), "BENCH_HASH_STATS": str(self.stats)}
        command = [sys.executable, "-m", "bench.account_cpu", "serve", "--port", str(PORT)]
        self.process = started(command, environment, f"{self.system.url}/v1/health/version")

    def snapshot(self) -> tuple[int, float, tuple[float, int]]:
        """Hashes so far, their CPU seconds, and the server's CPU seconds and faults."""
        self.stats.unlink(missing_ok=True)
        self.process.send_signal(signal.SIGUSR1)
        while not self.stats.exists():
            time.sleep(0.01)
        time.sleep(0.05)
        totals = json.loads(self.stats.read_text())
        return totals["hashes"], totals["cpu"], _process_cpu(self.process.pid)

    def stop(self) -> None:
        stopped(self.process)


def measure(rounds: int) -> Table:
    table = Table(title="create with password, account flow costs, 1 worker, 16 connections")
    for heading in (
        "round",
        "users/s",
        "raw hashes/s",
        "share",
        "hash CPU, server",
        "hash CPU, raw",
        "other CPU a user",
        "cores busy",
        "page faults a user",
    ):
        table.add_column(heading, justify="right")
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        server = Server(Path(work))
        try:
            lua = _create_lua(server.system)
            one_round(server.system.url, lua, CONNECTIONS, 2)
            wait_until_idle()
            for number in range(1, rounds + 1):
                table.add_row(str(number), *_one(server, lua))
        finally:
            server.stop()
    return table


def _create_lua(system: Rosterd) -> str:
    chosen = scenarios.rosterd(100, system.headers(), {"X-Appwrite-Project": "bench"})
    return next(s.lua for s in chosen if s.key == "create_password")


def _one(server: Server, lua: str) -> list[str]:
    raw, raw_cpu = floors.argon2_rate_and_cpu(ACCOUNT_ARGON2, RAW_SECONDS)
    hashes, hash_cpu, (cpu, faults) = server.snapshot()
    started_at = time.monotonic()
    measured = one_round(server.system.url, lua, CONNECTIONS, SECONDS)
    busy = (_process_cpu(server.process.pid)[0] - cpu) / (time.monotonic() - started_at)
    wait_until_idle()  # the requests wrk left behind are counted on both sides
    after_hashes, after_hash_cpu, (after_cpu, after_faults) = server.snapshot()
    users = after_hashes - hashes
    in_server = (after_hash_cpu - hash_cpu) / users
    return [
        f"{measured.throughput:.1f}",
        f"{raw:.1f}",
        f"{measured.throughput / raw:.0%}",
        f"{in_server * 1000:.2f} ms",
        f"{raw_cpu * 1000:.2f} ms",
        f"{((after_cpu - cpu) / users - in_server) * 1000:.2f} ms",
        f"{busy:.2f}",
        f"{(after_faults - faults) / users:.1f}",
    ]


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        _serve(sys.argv[2:])
        return
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    Console(width=140).print(measure(rounds))


if __name__ == "__main__":
    main()
