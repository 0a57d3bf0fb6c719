"""Server-wide secrets shared by every process (kept in the database)."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from rosterd.store.tables import server_secrets


def get_or_create(connection: Connection, name: str, candidate: str, now: datetime) -> str:
    """The stored value of `name`; `candidate` is stored first if there is none yet.

    Processes racing here all end up with the one value that was stored first.
    """
    insert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    connection.execute(
        insert(server_secrets)
        .values(name=name, value=candidate, created_at=now)
        .on_conflict_do_nothing(index_elements=[server_secrets.c.name])
    )
    query = sa.select(server_secrets.c.value).where(server_secrets.c.name == name)
    return str(connection.execute(query).scalar_one())
