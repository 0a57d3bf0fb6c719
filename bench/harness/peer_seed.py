"""The seeded users (`bench.harness.population`) as rows of each peer's own SQLite tables.

A peer's API creates a user in milliseconds at best (a password hash each): a million would
take hours. So the rows are written straight into the peer's database, in the columns and
formats the peer itself writes (read off rows it created through its API), with one
password hash that the peer itself computed for `population.PASSWORD`: sign-in works.
"""

from __future__ import annotations

import itertools
import json
import secrets
import sqlite3
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from bench.harness import population

Row = tuple[object, ...]

POCKETBASE_USER = (
    "id",
    "email",
    "emailVisibility",
    "verified",
    "name",
    "avatar",
    "password",
    "tokenKey",
    "created",
    "updated",
    "labels",
    "blocked",
    "prefs",
)
BETTER_AUTH_USER = (
    "id",
    "name",
    "email",
    "emailVerified",
    "createdAt",
    "updatedAt",
    "role",
    "banned",
    "labels",
    "prefs",
)
BETTER_AUTH_ACCOUNT = (
    "id",
    "accountId",
    "providerId",
    "userId",
    "password",
    "createdAt",
    "updatedAt",
)
#: The admin better-auth's admin calls are made as: one more user, after the seeded ones
#: (so that pages and filters of the seeded users are the same as rosterd's).
BETTER_AUTH_ADMIN = {"id": "admin0000000000", "email": "admin@example.com"}
PREFS = json.dumps({"plan": "free"}, separators=(",", ":"))


def _name(number: int) -> str:
    first, last = population.name_of(number)
    return f"{first.title()} {last.title()}"


def _labels(number: int) -> str:
    return json.dumps(population.labels_of(number), separators=(",", ":"))


def pocketbase_users(count: int, password_hash: str) -> Iterator[Row]:
    """Rows of PocketBase's `users` (with the bench's fields labels, blocked, prefs)."""
    now = datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z"
    # tokenKey is unique per user (50 of [a-zA-Z0-9]); signing a user's tokens is its use.
    token_prefix = secrets.token_hex(18)
    for number in range(count):
        yield (
            population.user_id(number),
            population.email_of(number),
            0,
            1,
            _name(number),
            "",
            password_hash,
            f"{token_prefix}{number:014d}",
            now,
            now,
            _labels(number),
            int(population.blocked(number)),
            PREFS,
        )


def _iso_now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def better_auth_users(count: int) -> Iterator[Row]:
    """Rows of better-auth's `user` (admin plugin's role and banned; labels and prefs
    as additional fields), the admin last."""
    now = _iso_now()
    for number in range(count):
        yield (
            population.user_id(number),
            _name(number),
            population.email_of(number),
            1,
            now,
            now,
            "user",
            int(population.blocked(number)),
            _labels(number),
            PREFS,
        )
    admin = BETTER_AUTH_ADMIN
    yield (admin["id"], "Admin", admin["email"], 1, now, now, "admin", 0, None, None)


def better_auth_accounts(count: int, password_hash: str) -> Iterator[Row]:
    """One credential account per user (as sign-up and admin create-user make it)."""
    now = _iso_now()
    users = (population.user_id(number) for number in range(count))
    for user in itertools.chain(users, [BETTER_AUTH_ADMIN["id"]]):
        yield ("a" + user[1:], user, "credential", user, password_hash, now, now)


def bulk_insert(path: Path, tables: dict[str, tuple[tuple[str, ...], Iterable[Row]]]) -> float:
    """Insert every table's rows in one transaction, unjournalled; the seconds it took.

    The peer's server must be stopped: this writes its database file directly.
    """
    started = time.perf_counter()
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "cache_size=-262144"):
            connection.execute(f"PRAGMA {pragma}")
        connection.execute("BEGIN")
        for table, (columns, rows) in tables.items():
            names = ", ".join(f'"{column}"' for column in columns)
            marks = ", ".join("?" * len(columns))
            connection.executemany(f'INSERT INTO "{table}" ({names}) VALUES ({marks})', rows)
        connection.execute("COMMIT")
        # Back to the journal PocketBase and better-auth open their files with.
        connection.execute("PRAGMA journal_mode=WAL")
    finally:
        connection.close()
    return time.perf_counter() - started


def read_one(path: Path, sql: str, *arguments: object) -> str:
    """One value from a peer's database (read-only, while its server may be running)."""
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = connection.execute(sql, arguments).fetchone()
    finally:
        connection.close()
    if row is None:
        raise RuntimeError(f"nothing found by {sql!r} in {path}")
    return str(row[0])
