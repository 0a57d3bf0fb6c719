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
    type: int
    #: The OAuth2 provider that made an OAuth2 token ("" for others).
    provider: str


def insert_token(connection: Connection, values: Mapping[str, Any]) -> TokenRow:
    connection.execute(tokens.insert().values(**values))
    return TokenRow(
        values["id"], values["created_at"], values["expire"], values["type"], values["provider"]
    )


def take_token(
    connection: Connection, user: UserRow, secret_hash: str, now: datetime
) -> TokenRow | None:
    """Delete the user's unexpired token with this secret; the token, if there was one."""
    matching = (
        (tokens.c.user_sequence == user.sequence)
        & (tokens.c.secret_hash == secret_hash)
        & (tokens.c.expire >= now)
    )
    columns = (tokens.c.id, tokens.c.created_at, tokens.c.expire, tokens.c.type, tokens.c.provider)
    found = connection.execute(sa.select(*columns).where(matching)).first()
    if found is None or not connection.execute(tokens.delete().where(matching)).rowcount:
        return None
    return TokenRow(*found)


def delete_expired(connection: Connection, now: datetime, batch: int) -> int:
    """Remove up to `batch` expired tokens; how many."""
    chosen = sa.select(tokens.c.sequence).where(tokens.c.expire < now).limit(batch)
    return connection.execute(tokens.delete().where(tokens.c.sequence.in_(chosen))).rowcount
