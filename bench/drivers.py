"""Which PostgreSQL driver for rosterd: psycopg 3 (sync, pooled) or asyncpg?

rosterd's services are synchronous and run in Starlette's worker threads (password
hashing must leave the event loop anyway), so the candidates are measured the way
rosterd would use them, through SQLAlchemy Core: one short transaction per lookup, one
at a time and many at once. Needs `pip install -e ".[bench]"`.
Run: `.venv/bin/python bench/drivers.py [postgresql://admin-url]`.
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import psycopg
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

ADMIN = sys.argv[1] if len(sys.argv) > 1 else "postgresql://postgres@127.0.0.1:5432/postgres"
NAME = "rosterd_bench_drivers"
URL = ADMIN.rsplit("/", 1)[0] + "/" + NAME
ROWS, LOOKUPS, THREADS = 10_000, 10_000, 16


def prepare() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")
        admin.execute(f"CREATE DATABASE {NAME}")
    with psycopg.connect(URL, autocommit=True) as connection:
        connection.execute("CREATE TABLE people (id text PRIMARY KEY, name text NOT NULL)")
        connection.execute(
            "INSERT INTO people SELECT 'u' || n, 'name ' || n FROM generate_series(1, %s) n",
            (ROWS,),
        )


QUERY = sa.text("SELECT id, name FROM people WHERE id = :id")


def key(number: int) -> dict[str, str]:
    return {"id": f"u{number % ROWS + 1}"}


def psycopg_engine() -> sa.Engine:
    return sa.create_engine(
        URL.replace("postgresql://", "postgresql+psycopg://"), pool_size=THREADS
    )


def psycopg_sequential() -> float:
    engine = psycopg_engine()

    def lookups() -> None:
        for number in range(LOOKUPS):
            with engine.connect() as connection, connection.begin():
                connection.execute(QUERY, key(number)).one()

    return timed(lookups)


def psycopg_threads() -> float:
    engine = psycopg_engine()

    def lookup(number: int) -> None:
        with engine.connect() as connection, connection.begin():
            connection.execute(QUERY, key(number)).one()

    def lookups() -> None:
        with ThreadPoolExecutor(THREADS) as pool:
            list(pool.map(lookup, range(LOOKUPS)))

    return timed(lookups)


def asyncpg_engine() -> AsyncEngine:
    return create_async_engine(
        URL.replace("postgresql://", "postgresql+asyncpg://"), pool_size=THREADS
    )


async def _lookup(engine: AsyncEngine, number: int) -> None:
    async with engine.connect() as connection, connection.begin():
        (await connection.execute(QUERY, key(number))).one()


def asyncpg_sequential() -> float:
    async def lookups() -> None:
        engine = asyncpg_engine()
        for number in range(LOOKUPS):
            await _lookup(engine, number)
        await engine.dispose()

    return timed(lambda: asyncio.run(lookups()))


def asyncpg_concurrent() -> float:
    async def lookups() -> None:
        engine = asyncpg_engine()
        for start in range(0, LOOKUPS, THREADS):
            batch = range(start, min(start + THREADS, LOOKUPS))
            await asyncio.gather(*(_lookup(engine, number) for number in batch))
        await engine.dispose()

    return timed(lambda: asyncio.run(lookups()))


def timed(work: Callable[[], None]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def main() -> None:
    prepare()
    table = Table(title=f"{LOOKUPS:,} primary-key lookups through SQLAlchemy, one transaction each")
    for column in ("driver", "concurrency", "seconds", "lookups/s"):
        table.add_column(column)
    runs = (
        ("psycopg 3, SQLAlchemy Core", "one at a time", psycopg_sequential),
        ("psycopg 3, SQLAlchemy Core", f"{THREADS} threads", psycopg_threads),
        ("asyncpg, SQLAlchemy asyncio", "one at a time", asyncpg_sequential),
        ("asyncpg, SQLAlchemy asyncio", f"{THREADS} tasks", asyncpg_concurrent),
    )
    for name, mode, run in runs:
        seconds = run()
        table.add_row(name, mode, f"{seconds:.2f}", f"{LOOKUPS / seconds:,.0f}")
    Console().print(table)
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f"DROP DATABASE IF EXISTS {NAME} WITH (FORCE)")


if __name__ == "__main__":
    main()
