"""SQL of OAuth2 sign-in: projects' providers and platforms, sign-ins under way."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import RowMapping

from rosterd.store.tables import oauth_providers, oauth_states, platforms


@dataclass(frozen=True)
class ProviderRow:
    project_id: str
    provider: str
    enabled: bool
    client_id: str
    client_secret: str
    endpoints: dict[str, str]
    updated_at: datetime


@dataclass(frozen=True)
class StateRow:
    state_hash: str
    project_id: str
    provider: str
    success: str
    failure: str
    token: bool
    scopes: list[str]
    code_verifier: str
    nonce: str
    redirect_uri: str
    browser_hash: str
    user_sequence: int | None
    expire: datetime


def _row(kind: Any, mapping: Mapping[str, Any] | RowMapping) -> Any:
    return kind(**{item.name: mapping[item.name] for item in fields(kind)})


def save_provider(connection: sa.Connection, values: Mapping[str, Any]) -> None:
    key = (oauth_providers.c.project_id == values["project_id"]) & (
        oauth_providers.c.provider == values["provider"]
    )
    if connection.execute(sa.update(oauth_providers).where(key).values(**values)).rowcount == 0:
        connection.execute(sa.insert(oauth_providers).values(**values))


def get_provider(connection: sa.Connection, project_id: str, provider: str) -> ProviderRow | None:
    found = (
        connection.execute(
            sa.select(oauth_providers).where(
                (oauth_providers.c.project_id == project_id)
                & (oauth_providers.c.provider == provider)
            )
        )
        .mappings()
        .first()
    )
    return None if found is None else _row(ProviderRow, found)


def list_providers(connection: sa.Connection, project_id: str) -> list[ProviderRow]:
    rows = connection.execute(
        sa.select(oauth_providers)
        .where(oauth_providers.c.project_id == project_id)
        .order_by(oauth_providers.c.provider)
    ).mappings()
    return [_row(ProviderRow, row) for row in rows]


def add_platform(connection: sa.Connection, values: Mapping[str, Any]) -> bool:
    """False when the project already has that hostname."""
    key = (platforms.c.project_id == values["project_id"]) & (
        platforms.c.hostname == values["hostname"]
    )
    if connection.execute(sa.select(platforms.c.hostname).where(key)).first() is not None:
        return False
    connection.execute(sa.insert(platforms).values(**values))
    return True


def remove_platform(connection: sa.Connection, project_id: str, hostname: str) -> bool:
    key = (platforms.c.project_id == project_id) & (platforms.c.hostname == hostname)
    return connection.execute(sa.delete(platforms).where(key)).rowcount > 0


def hostnames(connection: sa.Connection, project_id: str) -> list[str]:
    query = (
        sa.select(platforms.c.hostname)
        .where(platforms.c.project_id == project_id)
        .order_by(platforms.c.hostname)
    )
    return list(connection.execute(query).scalars())


def insert_state(connection: sa.Connection, values: Mapping[str, Any]) -> None:
    connection.execute(sa.insert(oauth_states).values(**values))


def take_state(
    connection: sa.Connection, state_hash: str, project_id: str, now: datetime
) -> StateRow | None:
    """The unexpired sign-in with this state, deleted so that it cannot be used twice."""
    key = (oauth_states.c.state_hash == state_hash) & (oauth_states.c.project_id == project_id)
    found = connection.execute(sa.select(oauth_states).where(key)).mappings().first()
    if found is None or connection.execute(sa.delete(oauth_states).where(key)).rowcount != 1:
        return None
    row: StateRow = _row(StateRow, found)
    return row if row.expire > now else None


def delete_expired_states(connection: sa.Connection, now: datetime, batch: int) -> int:
    expired = sa.select(oauth_states.c.state_hash).where(oauth_states.c.expire <= now).limit(batch)
    query = sa.delete(oauth_states).where(oauth_states.c.state_hash.in_(expired.scalar_subquery()))
    return connection.execute(query).rowcount
