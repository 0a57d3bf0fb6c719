"""Projects and API keys in SQL."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rosterd.store.lean import Lean
from rosterd.store.tables import api_keys, projects


@dataclass(frozen=True)
class KeyRow:
    id: str
    project_id: str
    name: str
    scopes: tuple[str, ...]
    expire: datetime | None


def insert_project(connection: Connection, project_id: str, name: str, now: datetime) -> None:
    connection.execute(projects.insert().values(id=project_id, name=name, created_at=now, auths={}))


def project_auths(connection: Connection, project_id: str) -> dict[str, Any] | None:
    """The project's stored auth settings, or None when there is no such project."""
    query = sa.select(projects.c.auths).where(projects.c.id == project_id)
    found = connection.execute(query).first()
    return None if found is None else dict(found.auths or {})


def update_auths(connection: Connection, project_id: str, auths: dict[str, Any]) -> None:
    connection.execute(projects.update().where(projects.c.id == project_id).values(auths=auths))


def project_name(connection: Connection, project_id: str) -> str | None:
    query = sa.select(projects.c.name).where(projects.c.id == project_id)
    found = connection.execute(query).first()
    return None if found is None else str(found.name)


def project_exists(connection: Connection, project_id: str) -> bool:
    query = sa.select(projects.c.id).where(projects.c.id == project_id)
    return connection.execute(query).first() is not None


def count_projects(connection: Connection) -> int:
    return int(connection.execute(sa.select(sa.func.count()).select_from(projects)).scalar_one())


def insert_key(connection: Connection, key: KeyRow, secret_hash: str, now: datetime) -> None:
    connection.execute(
        api_keys.insert().values(
            id=key.id,
            project_id=key.project_id,
            name=key.name,
            scopes=list(key.scopes),
            secret_hash=secret_hash,
            expire=key.expire,
            created_at=now,
        )
    )


_KEY_BY_HASH = Lean(
    sa.select(
        api_keys.c.id, api_keys.c.project_id, api_keys.c.name, api_keys.c.scopes, api_keys.c.expire
    ).where(api_keys.c.secret_hash == sa.bindparam("secret_hash"))
)


def key_by_hash(connection: Connection, secret_hash: str) -> KeyRow | None:
    found = _KEY_BY_HASH.rows(connection, secret_hash=secret_hash)
    if not found:
        return None
    key_id, project_id, name, scopes, expire = found[0]
    return KeyRow(key_id, project_id, name, tuple(scopes), expire)
