"""How each system is seeded, started, asked and stopped."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from bench.harness import cache, population

PROJECT = "bench"
SCOPES = "users.read,users.write,sessions.write"


def _wait_for(url: str, deadline: float = 120) -> None:
    until = time.monotonic() + deadline
    while time.monotonic() < until:
        try:
            if httpx.get(url, timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer")


def started(command: list[str], environment: dict[str, str], ready: str) -> subprocess.Popen[bytes]:
    """A server process, once `ready` answers."""
    process = subprocess.Popen(
        command, env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    _wait_for(ready)
    return process


def stopped(process: subprocess.Popen[bytes]) -> float:
    """Stop a server; the peak RSS of its largest serving process, in MiB."""
    peak = peak_rss_mib(process.pid)
    process.send_signal(signal.SIGINT)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    return peak


def _family(root: int) -> list[int]:
    """`root` and its children (uvicorn's workers)."""
    children = Path(f"/proc/{root}/task/{root}/children")
    if not children.exists():
        return [root]
    return [root, *(int(pid) for pid in children.read_text().split())]


def _busy_and_total() -> tuple[int, int]:
    """The machine's CPU time so far (/proc/stat), busy and in all, in clock ticks."""
    ticks = [int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    idle = ticks[3] + ticks[4]  # idle, iowait
    return sum(ticks) - idle, sum(ticks)


def wait_until_idle(deadline: float = 120) -> None:
    """Wait until the machine's cores are under 10% busy over a quarter second: the server
    has finished the requests of a round that wrk stopped waiting for."""
    until = time.monotonic() + deadline
    busy, total = _busy_and_total()
    while time.monotonic() < until:
        time.sleep(0.25)
        now_busy, now_total = _busy_and_total()
        if now_busy - busy < 0.1 * max(1, now_total - total):
            return
        busy, total = now_busy, now_total


#: rosterd's shared User-Agent parser: a child of `rosterd serve`, but not a worker.
PARSER_PROCESS = b"rosterd.sessions.parser_process"


def _peak_mib(pid: int) -> float | None:
    """A process's peak RSS (VmHWM) in MiB; None once it is gone."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    line = next((line for line in status.splitlines() if line.startswith("VmHWM:")), None)
    return None if line is None else int(line.split()[1]) / 1024  # none for a zombie


def _is_parser(pid: int) -> bool:
    try:
        return PARSER_PROCESS in Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return False


def peak_rss_mib(root: int) -> float:
    """The largest peak RSS among `root` and its children but rosterd's parser process:
    one worker's peak."""
    peaks = [_peak_mib(pid) for pid in _family(root) if not _is_parser(pid)]
    return max((peak for peak in peaks if peak is not None), default=0.0)


def parser_peak_mib(root: int) -> float | None:
    """The peak RSS of rosterd's User-Agent parser process under `root`, if it has one."""
    return next((_peak_mib(pid) for pid in _family(root) if _is_parser(pid)), None)


@dataclass
class Rosterd:
    """rosterd on one database (seeded once per database), with a number of workers."""

    engine: str
    workers: int
    database_url: str
    port: int
    argon2: dict[str, int] = field(default_factory=lambda: dict(population.APPWRITE_ARGON2))
    key: str = ""
    process: subprocess.Popen[bytes] | None = None
    #: Set by `stop()`: the peak RSS of the User-Agent parser process the workers shared.
    parser_peak_mib: float | None = None

    @property
    def name(self) -> str:
        return f"rosterd ({self.engine}, {self.workers} worker{'s' if self.workers > 1 else ''})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        return {
            **os.environ,
            "ROSTERD_DATABASE_URL": self.database_url,
            "ROSTERD_ARGON2_MEMORY_COST": str(self.argon2["memory_cost"]),
            "ROSTERD_ARGON2_TIME_COST": str(self.argon2["time_cost"]),
            "ROSTERD_ARGON2_THREADS": str(self.argon2["threads"]),
            "ROSTERD_SIGNIN_LIMIT": "0",
            "ROSTERD_LOG_LEVEL": "warning",
        }

    def _rosterd(self, *arguments: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "rosterd", *arguments],
            env=self.environment(),
            check=True,
            capture_output=True,
            text=True,
        )
        return done.stdout

    def seed(self, users_file: Path) -> float:
        """Create the project and key, import the users; seconds the import took."""
        self._rosterd("projects", "create", "--id", PROJECT)
        self.key = self._rosterd("keys", "create", "--project", PROJECT, "--scopes", SCOPES)
        self.key = self.key.strip().splitlines()[-1]
        started = time.perf_counter()
        self._rosterd(
            "users", "import", str(users_file), "--project", PROJECT, "--format", "appwrite"
        )
        return time.perf_counter() - started

    def start(self) -> None:
        command = [sys.executable, "-m", "rosterd", "serve", "--port", str(self.port)]
        command += ["--workers", str(self.workers)]
        self.process = started(command, self.environment(), f"{self.url}/v1/health/version")

    def stop(self) -> float:
        """Stop; the peak RSS of its largest worker, in MiB."""
        assert self.process is not None
        self.parser_peak_mib = parser_peak_mib(self.process.pid)
        return stopped(self.process)

    def headers(self) -> dict[str, str]:
        return {"X-Appwrite-Project": PROJECT, "X-Appwrite-Key": self.key}

    def warm(self) -> None:
        """Bring the database into memory (`cache`)."""
        if self.engine == "sqlite":
            cache.read_through([Path(self.database_url.removeprefix("sqlite:///"))])
        else:
            cache.prewarm_postgres(self.database_url)


@dataclass
class StaticFloor:
    """The same server stack (uvicorn, Starlette) answering a static body of `body`'s size."""

    workers: int
    body: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def name(self) -> str:
        return f"static body ({self.workers} worker{'s' if self.workers > 1 else ''})"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [sys.executable, "-m", "bench.harness.static", str(self.port), str(self.workers)]
        environment = {**os.environ, "BENCH_STATIC_BODY": str(self.body)}
        self.process = started(command, environment, f"{self.url}/static")

    def stop(self) -> float:
        assert self.process is not None
        return stopped(self.process)
