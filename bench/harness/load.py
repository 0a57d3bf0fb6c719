"""Load from a separate process: `wrk` (Debian's package) with a Lua script per scenario.

A scenario gives the body of wrk's `request()` in Lua; `run` adds helpers (the seeded ids,
a counter for unique values) and a `done()` that prints the round's figures as JSON.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import statistics
import subprocess
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

PROLOGUE = """
local thread_seed = "RUN"
math.randomseed(tonumber(string.sub(thread_seed, 1, 8), 16))
local counter = 0
local function user_id(n) return string.format("u%014d", n) end
local function next_number() counter = counter + 1; return counter end
local function unique(prefix) return prefix .. thread_seed .. "x" .. next_number() end
local function hex(c) return string.format("%%%02X", string.byte(c)) end
local function urlencode(s) return (string.gsub(s, "[^%w%-_%.~]", hex)) end
"""

EPILOGUE = """
done = function(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    '{"requests": %d, "seconds": %f, "failed": %d, "p50": %f, "p99": %f}\\n',
    summary.requests, summary.duration / 1e6,
    errors.connect + errors.read + errors.write + errors.status + errors.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
"""


@dataclass(frozen=True)
class Round:
    requests: int
    seconds: float
    failed: int
    p50: float
    p99: float

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds


@dataclass(frozen=True)
class Figures:
    """The median of several rounds: requests/s, p50 and p99 in milliseconds."""

    throughput: float
    p50: float
    p99: float
    failed: int
    #: Each round's p50, in order: scenarios measured together pair up round by round.
    p50s: tuple[float, ...] = ()

    @classmethod
    def of(cls, rounds: list[Round]) -> Figures:
        return cls(
            statistics.median(r.throughput for r in rounds),
            statistics.median(r.p50 for r in rounds),
            statistics.median(r.p99 for r in rounds),
            sum(r.failed for r in rounds),
            tuple(r.p50 for r in rounds),
        )


def _pinned() -> list[str]:
    """`taskset` keeping wrk on the last core. Left free, the scheduler moved wrk onto the
    server's core now and then, and a 1-connection round came out at either of two
    throughputs (774 and 2,078 requests/s for the same get, on this 2-core machine).
    The servers stay free."""
    cores = os.cpu_count() or 1
    if cores < 2 or shutil.which("taskset") is None:
        return []
    return ["taskset", "--cpu-list", str(cores - 1)]


def one_round(url: str, lua: str, connections: int, seconds: float) -> Round:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # A fresh seed per round: values made "unique" must not meet an earlier round's.
        script.write(PROLOGUE.replace("RUN", secrets.token_hex(8)) + lua + EPILOGUE)
    try:
        done = subprocess.run(
            [
                *_pinned(),
                "wrk",
                "-t1",
                f"-c{connections}",
                f"-d{max(1, round(seconds))}s",
                "--timeout",
                "30s",
                "-s",
                script.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        Path(script.name).unlink()
    last = done.stdout.strip().splitlines()[-1]
    return Round(**json.loads(last))


def measure_together(
    url: str,
    luas: list[str],
    connections: int,
    seconds: float,
    rounds: int,
    *,
    settle: Callable[[], None] = lambda: None,
) -> list[Figures]:
    """Each scenario's figures: a short warm-up round of each (not counted), then
    `rounds` rounds of each in turn, so that a slow spell of the machine falls on all
    of them rather than on whichever ran in it; `settle()` after every round.

    wrk stops at the end of a round, but the server goes on with the requests it had
    accepted: at 16 connections of 300 ms password hashes, several seconds of work that
    would count against the next round. `settle` waits for the server to go idle."""
    for lua in luas:
        one_round(url, lua, connections, max(1.0, seconds / 3))
        settle()
    measured: list[list[Round]] = [[] for _ in luas]
    for _ in range(rounds):
        for lua, kept in zip(luas, measured, strict=True):
            kept.append(one_round(url, lua, connections, seconds))
            settle()
    return [Figures.of(kept) for kept in measured]
