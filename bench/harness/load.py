"""Load from a separate process: `wrk` (Debian's package) with a Lua script per scenario.

A scenario gives the body of wrk's `request()` in Lua; `run` adds helpers (the seeded ids,
a counter for unique values) and a `done()` that prints the round's figures as JSON.
"""

from __future__ import annotations

import json
import secrets
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

    @classmethod
    def of(cls, rounds: list[Round]) -> Figures:
        return cls(
            statistics.median(r.throughput for r in rounds),
            statistics.median(r.p50 for r in rounds),
            statistics.median(r.p99 for r in rounds),
            sum(r.failed for r in rounds),
        )


def one_round(url: str, lua: str, connections: int, seconds: float) -> Round:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        # A fresh seed per round: values made "unique" must not meet an earlier round's.
        script.write(PROLOGUE.replace("RUN", secrets.token_hex(8)) + lua + EPILOGUE)
    try:
        done = subprocess.run(
            [
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


def measure(
    url: str,
    lua: str,
    connections: int,
    seconds: float,
    rounds: int,
    *,
    settle: Callable[[], None] = lambda: None,
) -> Figures:
    """A short warm-up round (not counted), then `rounds` rounds; `settle()` after each.

    wrk stops at the end of a round, but the server goes on with the requests it had
    accepted: at 16 connections of 300 ms password hashes, several seconds of work that
    would count against the next round. `settle` waits for the server to go idle."""
    one_round(url, lua, connections, max(1.0, seconds / 3))
    settle()
    measured = []
    for _ in range(rounds):
        measured.append(one_round(url, lua, connections, seconds))
        settle()
    return Figures.of(measured)
