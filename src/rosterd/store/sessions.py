"""Sessions in SQL. Only the SHA-256 of a session secret is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping

from rosterd.store.tables import sessions, users
from rosterd.store.users import UserRow, row_from_mapping


@dataclass(frozen=True)
class SessionRow:
    sequence: int
    user_sequence: int
    id: str
    created_at: datetime
    updated_at: datetime
    expire: datetime
    provider: str
    provider_uid: str
    provider_access_token: str
    provider_access_token_expiry: datetime | None
    provider_refresh_token: str
    secret_hash: str
    ip: str
    user_agent: str
    device: dict[str, str]
    country_code: str
    factors: list[str]
    mfa_updated_at: datetime | None


_COLUMNS = tuple(field.name for field in fields(SessionRow))


def _row(mapping: Mapping[str, Any] | RowMapping) -> SessionRow:
    return SessionRow(**{name: mapping[name] for name in _COLUMNS})


def insert_session(connection: Connection, values: Mapping[str, Any]) -> SessionRow:
    """Insert a session (values: every SessionRow field but sequence)."""
    result = connection.execute(_INSERT, dict(values))
    return _row({**values, "sequence": result.scalar_one()})


#: Built once, values given apart (see `rosterd.store.users._INSERT`).
_INSERT = sessions.insert().returning(sessions.c.sequence)


def find_by_secret(
    connection: Connection, project_id: str, user_id: str, secret_hash: str, now: datetime
) -> tuple[UserRow, SessionRow] | None:
    """The user and their unexpired session with this secret, if both exist."""
    user_columns = [column.label(f"owner_{column.name}") for column in users.c]
    query = (
        sa.select(sessions, *user_columns)
        .join(users, users.c.sequence == sessions.c.user_sequence)
        .where(
            users.c.project_id == project_id,
            users.c.id == user_id,
            sessions.c.secret_hash == secret_hash,
            sessions.c.expire >= now,
        )
    )
    found = connection.execute(query).mappings().first()
    if found is None:
        return None
    user = row_from_mapping({column.name: found[f"owner_{column.name}"] for column in users.c})
    return user, _row(found)


def session_of_user(connection: Connection, user: UserRow, session_id: str) -> SessionRow | None:
    query = sa.select(sessions).where(
        sessions.c.user_sequence == user.sequence, sessions.c.id == session_id
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def latest_session(connection: Connection, user: UserRow) -> SessionRow | None:
    query = (
        sa.select(sessions)
        .where(sessions.c.user_sequence == user.sequence)
        .order_by(sessions.c.sequence.desc())
        .limit(1)
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def delete_session(connection: Connection, session: SessionRow) -> None:
    connection.execute(sessions.delete().where(sessions.c.sequence == session.sequence))


def trim_sessions(connection: Connection, user: UserRow, keep: int) -> None:
    """Delete the user's oldest sessions beyond the newest `keep`."""
    newest = (
        sa.select(sessions.c.sequence)
        .where(sessions.c.user_sequence == user.sequence)
        .order_by(sessions.c.sequence.desc())
        .limit(keep)
    )
    connection.execute(
        sessions.delete().where(
            sessions.c.user_sequence == user.sequence,
            sessions.c.sequence.not_in(newest),
        )
    )


def sessions_of(connection: Connection, user: UserRow) -> list[SessionRow]:
    """The user's sessions, oldest first."""
    query = (
        sa.select(sessions)
        .where(sessions.c.user_sequence == user.sequence)
        .order_by(sessions.c.sequence)
    )
    return [_row(found) for found in connection.execute(query).mappings()]


def delete_sessions_of(connection: Connection, user: UserRow) -> None:
    connection.execute(sessions.delete().where(sessions.c.user_sequence == user.sequence))


def delete_expired(connection: Connection, now: datetime, batch: int) -> int:
    """Remove up to `batch` sessions that expired; how many."""
    chosen = sa.select(sessions.c.sequence).where(sessions.c.expire < now).limit(batch)
    return connection.execute(sessions.delete().where(sessions.c.sequence.in_(chosen))).rowcount
