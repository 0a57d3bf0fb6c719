"""The floors that are not a server: the bare SQL of each read, timed in-process, and the
raw Argon2id hash rate on every core."""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import random
import sqlite3
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher, Type

from bench.harness import population
from bench.harness.scenarios import LIMIT, far_page


def _hash_for(costs: dict[str, int], seconds: float) -> tuple[int, float]:
    """Hashes done in `seconds`, and the CPU seconds they took."""
    hasher = PasswordHasher(
        time_cost=costs["time_cost"],
        memory_cost=costs["memory_cost"],
        parallelism=costs["threads"],
        type=Type.ID,
    )
    done, started, until = 0, time.process_time(), time.monotonic() + seconds
    while time.monotonic() < until:
        hasher.hash("correct horse 1")
        done += 1
    return done, time.process_time() - started


def argon2_rate_and_cpu(costs: dict[str, int], seconds: float = 10.0) -> tuple[float, float]:
    """Hashes per second with one hashing process per core, and the CPU seconds a hash."""
    cores = multiprocessing.cpu_count()
    with multiprocessing.get_context("spawn").Pool(cores) as pool:
        counts = pool.starmap(_hash_for, [(costs, seconds)] * cores)
    hashes = sum(done for done, _ in counts)
    return hashes / seconds, sum(cpu for _, cpu in counts) / max(1, hashes)


def argon2_rate(costs: dict[str, int], seconds: float = 10.0) -> float:
    """Hashes per second with one hashing process per core."""
    return argon2_rate_and_cpu(costs, seconds)[0]


@dataclass(frozen=True)
class Query:
    key: str
    sql: str
    arguments: Callable[[], tuple[object, ...]]


def bare_queries(scale: int) -> list[Query]:
    """The SQL a hand-written service would run for each read, on rosterd's own tables."""
    far = far_page(scale)
    cursor = population.user_id((far - 1) * LIMIT - 1)
    page = f"ORDER BY sequence LIMIT {LIMIT}"
    return [
        Query(
            "get",
            "SELECT * FROM users WHERE project_id = 'bench' AND id = ?",
            lambda: (population.user_id(random.randrange(scale)),),
        ),
        Query(
            "list_email",
            f"SELECT * FROM users WHERE project_id = 'bench' AND email = ? {page}",
            lambda: (population.email_of(random.randrange(scale)),),
        ),
        Query(
            "list_labels",
            "SELECT u.* FROM users u JOIN user_labels l ON l.user_sequence = u.sequence "
            f"WHERE u.project_id = 'bench' AND l.label = 'vip' ORDER BY u.sequence LIMIT {LIMIT}",
            lambda: (),
        ),
        Query(
            "list_status",
            f"SELECT * FROM users WHERE project_id = 'bench' AND status = 0 {page}",
            lambda: (),
        ),
        Query(
            "search",
            "SELECT * FROM users WHERE sequence IN (SELECT rowid FROM users_search "
            f"WHERE users_search MATCH ?) AND project_id = 'bench' {page}",
            lambda: ('"' + random.choice(population.FIRST + population.LAST) + '"',),
        ),
        Query("page_first", f"SELECT * FROM users WHERE project_id = 'bench' {page}", lambda: ()),
        Query(
            "page_far_cursor",
            "SELECT * FROM users WHERE project_id = 'bench' AND sequence > (SELECT sequence "
            f"FROM users WHERE project_id = 'bench' AND id = ?) {page}",
            lambda: (cursor,),
        ),
        Query(
            "page_far_offset",
            f"SELECT * FROM users WHERE project_id = 'bench' {page} OFFSET {(far - 1) * LIMIT}",
            lambda: (),
        ),
        Query(
            "total",
            "SELECT count(*) FROM users WHERE project_id = 'bench' AND status = 1",
            lambda: (),
        ),
    ]


def bare_sql_ms(path: str, scale: int, repeats: int = 50) -> dict[str, float]:
    """Median milliseconds of each bare query on the SQLite file at `path`."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    found = {}
    for query in bare_queries(scale):
        times = []
        for _ in range(repeats):
            started = time.perf_counter()
            connection.execute(query.sql, query.arguments()).fetchall()
            times.append((time.perf_counter() - started) * 1000)
        found[query.key] = statistics.median(times)
    connection.close()
    return found


def minimal_get_us(path: str, scale: int, secret: str, repeats: int = 20_000) -> float:
    """Median microseconds of the least work any Python server must do to answer
    `GET /v1/users/{id}` for an API key, in-process: hash the key and find it among the
    keys it remembers (keys never change, so a server need not read them again), read
    the user with their targets (one indexed SELECT with a join, on the driver), and
    encode the row and targets as JSON. No validation, no model, no HTTP."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    connection.row_factory = sqlite3.Row
    keys = {
        row["secret_hash"]: dict(row)
        for row in connection.execute(
            "SELECT secret_hash, project_id, scopes, expire FROM api_keys"
        )
    }
    user_columns = [row[1] for row in connection.execute("PRAGMA table_info(users)")]
    times = []
    for _ in range(repeats):
        user_id = population.user_id(random.randrange(scale))
        started = time.perf_counter()
        key = keys[hashlib.sha256(secret.encode()).hexdigest()]
        rows = connection.execute(
            "SELECT * FROM users LEFT JOIN targets ON targets.user_sequence = users.sequence"
            " WHERE users.project_id = ? AND users.id = ? ORDER BY targets.sequence",
            (key["project_id"], user_id),
        ).fetchall()
        user = dict(zip(user_columns, rows[0], strict=False))
        held = [tuple(row)[len(user_columns) :] for row in rows]
        json.dumps({**user, "targets": held})
        times.append((time.perf_counter() - started) * 1e6)
    connection.close()
    return statistics.median(times)
