"""OAuth2 identities in SQL: listed project-wide, each read with its user's public id.

Provider tokens arrive here already encrypted (rosterd.mfa.service.SecretBox); this
module never sees a plain access or refresh token.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from rosterd.queries.ast import SYSTEM_ATTRIBUTES, AttributeType, ListQuery, Schema
from rosterd.store import compiler
from rosterd.store.lean import Lean
from rosterd.store.tables import identities, users


class DuplicateIdentity(Exception):
    """The id, or the provider and provider user id, are taken in the project."""


@dataclass(frozen=True)
class IdentityRow:
    sequence: int
    project_id: str
    id: str
    user_sequence: int
    #: The owner's public id (read through the user).
    user_id: str
    provider: str
    provider_uid: str
    provider_email: str
    provider_access_token: str
    provider_access_token_expiry: datetime | None
    provider_refresh_token: str
    created_at: datetime
    updated_at: datetime


_COLUMNS = tuple(field.name for field in fields(IdentityRow))

#: What clients may filter identities by (reference §2.21).
IDENTITY_SCHEMA: Schema = {
    **SYSTEM_ATTRIBUTES,
    "userId": AttributeType.STRING,
    "provider": AttributeType.STRING,
    "providerUid": AttributeType.STRING,
    "providerEmail": AttributeType.STRING,
    "providerAccessTokenExpiry": AttributeType.DATETIME,
}

COLLECTION = compiler.Collection(
    table=identities,
    sequence=identities.c.sequence,
    columns={
        **compiler.system_columns(identities),
        "userId": users.c.id,
        "provider": identities.c.provider,
        "providerUid": identities.c.provider_uid,
        "providerEmail": identities.c.provider_email,
        "providerAccessTokenExpiry": identities.c.provider_access_token_expiry,
    },
    arrays={},
)

_JOINED = identities.join(users, users.c.sequence == identities.c.user_sequence)
_SELECT = sa.select(identities, users.c.id.label("user_id")).select_from(_JOINED)


def _row(mapping: Mapping[str, Any] | RowMapping) -> IdentityRow:
    return IdentityRow(**{name: mapping[name] for name in _COLUMNS})


def insert_identity(connection: Connection, values: Mapping[str, Any], user_id: str) -> IdentityRow:
    """Insert an identity of the user whose public id is `user_id` (values: every column
    but the sequence)."""
    try:
        result = connection.execute(
            identities.insert().values(**values).returning(identities.c.sequence)
        )
    except IntegrityError:
        raise DuplicateIdentity() from None
    return _row({**values, "sequence": result.scalar_one(), "user_id": user_id})


def get_identity(connection: Connection, project_id: str, identity_id: str) -> IdentityRow | None:
    query = _SELECT.where(identities.c.project_id == project_id, identities.c.id == identity_id)
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def get_by_provider(
    connection: Connection, project_id: str, provider: str, provider_uid: str
) -> IdentityRow | None:
    query = _SELECT.where(
        identities.c.project_id == project_id,
        identities.c.provider == provider,
        identities.c.provider_uid == provider_uid,
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def update_identity(
    connection: Connection, identity: IdentityRow, changes: Mapping[str, Any]
) -> IdentityRow:
    statement = identities.update().where(identities.c.sequence == identity.sequence)
    connection.execute(statement.values(**changes))
    return replace(identity, **changes)


def delete_identity(connection: Connection, identity: IdentityRow) -> bool:
    """Delete the identity; False if another request already did."""
    statement = identities.delete().where(identities.c.sequence == identity.sequence)
    return bool(connection.execute(statement).rowcount)


#: Whose identities have a provider email (every new user and email change asks).
_PROVIDER_EMAIL = Lean(
    sa.select(identities.c.user_sequence).where(
        identities.c.project_id == sa.bindparam("project_id"),
        identities.c.provider_email == sa.bindparam("email"),
    )
)


def provider_email_taken(
    connection: Connection, project_id: str, email: str, *, other_than: int | None = None
) -> bool:
    """Whether an identity (of a user other than the one with sequence `other_than`)
    has `email` as its provider email."""
    owners = _PROVIDER_EMAIL.rows(connection, project_id=project_id, email=email)
    return any(owner != other_than for (owner,) in owners)


def _filtered(project_id: str, query: ListQuery, owner: int | None) -> compiler.Predicate:
    owned = identities.c.user_sequence == owner if owner is not None else sa.true()
    return sa.and_(
        identities.c.project_id == project_id, owned, compiler.where(COLLECTION, query.conditions)
    )


def list_identities(
    connection: Connection, project_id: str, query: ListQuery, owner: int | None = None
) -> list[IdentityRow]:
    """A page of the project's identities, or of those of the user with sequence `owner`."""
    statement = _SELECT.where(_filtered(project_id, query, owner))

    def cursor(identity_id: str, wanted: Sequence[str]) -> dict[str, Any]:
        where = sa.and_(identities.c.project_id == project_id, identities.c.id == identity_id)
        label = f"User '{identity_id}'"  # Appwrite's words for identities too (§1.6)
        return compiler.cursor_values(connection, COLLECTION, _JOINED, where, label, wanted=wanted)

    rows = compiler.page(connection, statement, COLLECTION, query, cursor)
    return [_row(found._mapping) for found in rows]


def count_identities(
    connection: Connection, project_id: str, query: ListQuery, owner: int | None = None
) -> int:
    where = _filtered(project_id, query, owner)
    statement = sa.select(sa.func.count()).select_from(_JOINED).where(where)
    return int(connection.execute(statement).scalar_one())
