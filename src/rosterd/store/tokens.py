"""Tokens in SQL. Only the SHA-256 of a token secret is stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rosterd.store.tables import tokens
from rosterd.store.users import UserRow


@dataclass(frozen=True)
class TokenRow:
    id: str
    created_at: datetime
    expire: datetime


def insert_token(connection: Connection, values: Mapping[str, Any]) -> TokenRow:
    connection.execute(tokens.insert().values(**values))
    return TokenRow(values["id"], values["created_at"], values["expire"])


def take_token(connection: Connection, user: UserRow, secret_hash: str, now: datetime) -> bool:
    """Delete the user's unexpired token with this secret; whether there was one."""
    statement = tokens.delete().where(
        tokens.c.user_sequence == user.sequence,
        tokens.c.secret_hash == secret_hash,
        tokens.c.expire >= now,
    )
    return bool(connection.execute(statement).rowcount)


def delete_expired(connection: Connection, now: datetime, batch: int) -> int:
    """Remove up to `batch` expired tokens; how many."""
    chosen = sa.select(tokens.c.sequence).where(tokens.c.expire < now).limit(batch)
    return connection.execute(tokens.delete().where(tokens.c.sequence.in_(chosen))).rowcount
