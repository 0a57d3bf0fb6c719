"""MFA in SQL: authenticators, challenges, recovery codes, and the factors of a session.

Secrets arrive here already encrypted (rosterd.mfa.service.SecretBox); this module never
sees a plain TOTP secret, challenge code or recovery code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping

from rosterd.store.tables import authenticators, challenges, recovery_codes, sessions
from rosterd.store.users import UserRow


@dataclass(frozen=True)
class AuthenticatorRow:
    sequence: int
    type: str
    verified: bool
    secret: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class ChallengeRow:
    id: str
    user_sequence: int
    type: str
    code: str
    expire: datetime
    created_at: datetime


Row = TypeVar("Row", AuthenticatorRow, ChallengeRow)


def _build(kind: type[Row], mapping: Mapping[str, Any] | RowMapping) -> Row:
    return kind(**{field.name: mapping[field.name] for field in fields(kind)})


def authenticator(
    connection: Connection, user: UserRow, kind: str, *, lock: bool = False
) -> AuthenticatorRow | None:
    """The user's authenticator of this type, if any."""
    query = sa.select(authenticators).where(
        authenticators.c.user_sequence == user.sequence, authenticators.c.type == kind
    )
    if lock:
        query = query.with_for_update()
    found = connection.execute(query).mappings().first()
    return None if found is None else _build(AuthenticatorRow, found)


def has_verified_authenticator(connection: Connection, user: UserRow) -> bool:
    query = sa.select(authenticators.c.sequence).where(
        authenticators.c.user_sequence == user.sequence, authenticators.c.verified.is_(True)
    )
    return connection.execute(query.limit(1)).first() is not None


def replace_authenticator(
    connection: Connection, user: UserRow, kind: str, secret: str, now: datetime
) -> None:
    """Drop the user's authenticator of this type and store a new, unverified one."""
    delete_authenticator(connection, user, kind)
    connection.execute(
        authenticators.insert().values(
            user_sequence=user.sequence,
            type=kind,
            verified=False,
            secret=secret,
            created_at=now,
            updated_at=now,
        )
    )


def mark_verified(connection: Connection, found: AuthenticatorRow, now: datetime) -> None:
    connection.execute(
        authenticators.update()
        .where(authenticators.c.sequence == found.sequence)
        .values(verified=True, updated_at=now)
    )


def delete_authenticator(connection: Connection, user: UserRow, kind: str) -> bool:
    """Delete the user's authenticator of this type; whether there was one."""
    statement = authenticators.delete().where(
        authenticators.c.user_sequence == user.sequence, authenticators.c.type == kind
    )
    return bool(connection.execute(statement).rowcount)


def recovery_codes_of(connection: Connection, user: UserRow, *, lock: bool = False) -> str | None:
    """The user's encrypted recovery codes, if they have any."""
    query = sa.select(recovery_codes.c.codes).where(recovery_codes.c.user_sequence == user.sequence)
    if lock:
        query = query.with_for_update()
    found = connection.execute(query).first()
    return None if found is None else str(found.codes)


def insert_recovery_codes(connection: Connection, user: UserRow, codes: str, now: datetime) -> bool:
    """Store the user's first codes; False (nothing stored) if they already have some."""
    insert = sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert
    statement = (
        insert(recovery_codes)
        .values(user_sequence=user.sequence, codes=codes, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=[recovery_codes.c.user_sequence])
        .returning(recovery_codes.c.user_sequence)
    )
    return connection.execute(statement).first() is not None


def replace_recovery_codes(
    connection: Connection, user: UserRow, codes: str, now: datetime
) -> bool:
    """Overwrite the user's codes; False if they had none."""
    statement = (
        recovery_codes.update()
        .where(recovery_codes.c.user_sequence == user.sequence)
        .values(codes=codes, updated_at=now)
    )
    return bool(connection.execute(statement).rowcount)


def insert_challenge(connection: Connection, values: Mapping[str, Any]) -> ChallengeRow:
    """Insert a challenge (values: every ChallengeRow field)."""
    connection.execute(challenges.insert().values(**values))
    return _build(ChallengeRow, values)


def live_challenge(
    connection: Connection, user: UserRow, challenge_id: str, now: datetime
) -> ChallengeRow | None:
    """The user's unexpired challenge with this id, if any."""
    query = sa.select(challenges).where(
        challenges.c.id == challenge_id,
        challenges.c.user_sequence == user.sequence,
        challenges.c.expire >= now,
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _build(ChallengeRow, found)


def delete_challenge(connection: Connection, challenge: ChallengeRow) -> bool:
    """Delete the challenge; False if another request already did."""
    statement = challenges.delete().where(challenges.c.id == challenge.id)
    return bool(connection.execute(statement).rowcount)


def set_session_factors(
    connection: Connection,
    session_sequence: int,
    factors: Sequence[str],
    mfa_updated_at: datetime | None = None,
) -> None:
    """Store a session's factors (and, after a challenge, when it was completed)."""
    values: dict[str, Any] = {"factors": list(factors)}
    if mfa_updated_at is not None:
        values["mfa_updated_at"] = mfa_updated_at
    connection.execute(
        sessions.update().where(sessions.c.sequence == session_sequence).values(**values)
    )


def delete_expired_challenges(connection: Connection, now: datetime, batch: int) -> int:
    """Remove up to `batch` expired challenges; how many."""
    chosen = sa.select(challenges.c.sequence).where(challenges.c.expire < now).limit(batch)
    statement = challenges.delete().where(challenges.c.sequence.in_(chosen))
    return connection.execute(statement).rowcount
