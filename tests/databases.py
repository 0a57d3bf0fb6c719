"""Fresh databases for tests: a SQLite file, or a PostgreSQL database of its own.

PostgreSQL is found at ROSTERD_TEST_POSTGRES_URL (default: postgres on 127.0.0.1:5432,
trust auth). Without it the PostgreSQL half is skipped with the reason shown, except
in CI (`CI=true`), where a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

ADMIN_URL = os.environ.get(
    "ROSTERD_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
ENGINES = ("sqlite", "postgresql")

#: Distinguishes this test process's databases from those of any other run on the same
#: PostgreSQL (another checkout, or CI beside a developer's run).
RUN = uuid.uuid4().hex[:8]


def database_name(purpose: str) -> str:
    """A PostgreSQL database name of this process's own."""
    return f"rosterd_test_{purpose}_{RUN}"


def _admin() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        reason = f"PostgreSQL is not reachable at {ADMIN_URL}: {error}".strip()
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(reason)
        pytest.skip(reason)


def postgres_url(name: str) -> str:
    """A new, empty PostgreSQL database called `name` (dropped first if it exists)."""
    with _admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return ADMIN_URL.rsplit("/", 1)[0] + "/" + name


def drop_postgres(name: str) -> None:
    with _admin() as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def admin_execute(statement: sql.Composed | str) -> None:
    with _admin() as admin:
        admin.execute(statement)


def fresh_url(engine: str, name: str, directory: Path) -> str:
    """A new, empty database of `engine`."""
    if engine == "postgresql":
        return postgres_url(name)
    return f"sqlite:///{directory / (name + '.db')}"
