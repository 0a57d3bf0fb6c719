"""Fixed-window abuse counters in SQL: one upsert per attempt."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from rosterd.store.tables import rate_limits


def increment(connection: Connection, key: str, window: int) -> int:
    """Count one hit of `key` in `window`; the count so far. Older windows are dropped."""
    connection.execute(
        rate_limits.delete().where(rate_limits.c.key == key, rate_limits.c.window < window)
    )
    insert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(rate_limits)
        .values(key=key, window=window, hits=1)
        .on_conflict_do_update(
            index_elements=[rate_limits.c.key, rate_limits.c.window],
            set_={"hits": rate_limits.c.hits + 1},
        )
        .returning(rate_limits.c.hits)
    )
    return int(connection.execute(statement).scalar_one())


def clear(connection: Connection, key: str) -> None:
    connection.execute(rate_limits.delete().where(rate_limits.c.key == key))


def delete_before(connection: Connection, window: int, batch: int) -> int:
    """Forget up to `batch` counters of windows before `window`; how many rows."""
    old = sa.select(rate_limits.c.key, rate_limits.c.window).where(rate_limits.c.window < window)
    chosen = old.limit(batch)
    statement = rate_limits.delete().where(
        sa.tuple_(rate_limits.c.key, rate_limits.c.window).in_(chosen)
    )
    return connection.execute(statement).rowcount
