"""Users in SQL: rows, writes that keep the labels and search index in step, and lists."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from rosterd.queries.ast import SYSTEM_ATTRIBUTES, AttributeType, ListQuery, Schema
from rosterd.store import compiler, search
from rosterd.store.lean import Lean, LeanInsert
from rosterd.store.tables import user_labels, users


class Duplicate(Exception):
    """A unique index refused the write; `field` is `id`, `email` or `phone`."""

    def __init__(self, field: str) -> None:
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class UserRow:
    sequence: int
    project_id: str
    id: str
    created_at: datetime
    updated_at: datetime
    name: str
    email: str | None
    phone: str | None
    password: str | None
    hash: str | None
    hash_options: dict[str, Any] | None
    password_update: datetime | None
    password_history: list[str]
    registration: datetime
    status: bool
    labels: list[str]
    email_verification: bool
    phone_verification: bool
    email_canonical: str | None
    email_is_free: bool | None
    email_is_disposable: bool | None
    email_is_corporate: bool | None
    email_is_canonical: bool | None
    mfa: bool
    prefs: dict[str, Any]
    accessed_at: datetime | None
    impersonator: bool
    reset: bool
    search: str


_COLUMNS = tuple(field.name for field in fields(UserRow))

#: Attributes clients may filter and order users by, and their types.
USER_SCHEMA: Schema = {
    **SYSTEM_ATTRIBUTES,
    "name": AttributeType.STRING,
    "email": AttributeType.STRING,
    "phone": AttributeType.STRING,
    "status": AttributeType.BOOLEAN,
    "passwordUpdate": AttributeType.DATETIME,
    "registration": AttributeType.DATETIME,
    "emailVerification": AttributeType.BOOLEAN,
    "phoneVerification": AttributeType.BOOLEAN,
    "labels": AttributeType.STRING_ARRAY,
    "impersonator": AttributeType.BOOLEAN,
    "accessedAt": AttributeType.DATETIME,
}


def search_text(row: UserRow) -> str:
    """What full-text search sees of a user (`search_words`)."""
    return search_words(row.id, row.email, row.name, row.phone, row.labels)


def search_words(
    user_id: str, email: str | None, name: str, phone: str | None, labels: Sequence[str]
) -> str:
    """Id, email, name, phone and `label:<x>` per label."""
    parts = [user_id, email or "", name, phone or ""]
    parts += [f"label:{label}" for label in labels]
    return " ".join(part for part in parts if part)


def _search(term: str) -> compiler.Predicate:
    return search.matches(users.c.sequence, users.c.search, term)


COLLECTION = compiler.Collection(
    table=users,
    sequence=users.c.sequence,
    columns={
        **compiler.system_columns(users),
        "name": users.c.name,
        "email": users.c.email,
        "phone": users.c.phone,
        "status": users.c.status,
        "passwordUpdate": users.c.password_update,
        "registration": users.c.registration,
        "emailVerification": users.c.email_verification,
        "phoneVerification": users.c.phone_verification,
        "impersonator": users.c.impersonator,
        "accessedAt": users.c.accessed_at,
    },
    arrays={
        "labels": compiler.ArrayAttribute(
            user_labels, user_labels.c.user_sequence, user_labels.c.label
        )
    },
    search=_search,
)


def _duplicate(error: IntegrityError) -> Duplicate:
    text = str(error.orig).lower()
    for field in ("email", "phone"):
        if f"users.{field}" in text or f"users_project_id_{field}" in text:
            return Duplicate(field)
    return Duplicate("id")


def row_from_mapping(mapping: Mapping[str, Any] | RowMapping) -> UserRow:
    return UserRow(**{name: mapping[name] for name in _COLUMNS})


def row_from_values(values: Sequence[Any]) -> UserRow:
    """A user from the values of `select(users)`, whose columns are UserRow's fields in
    order (a test holds the two together): half the time of going by name."""
    return UserRow(*values)


def insert_user(connection: Connection, values: Mapping[str, Any]) -> UserRow:
    """Insert a user (values: every UserRow field but sequence and search)."""
    draft = row_from_mapping({**values, "sequence": 0, "search": ""})
    row_values = {name: getattr(draft, name) for name in _COLUMNS if name != "sequence"}
    row_values["search"] = search_text(draft)
    try:
        sequence = _INSERT.run(connection, row_values)
    except IntegrityError as error:
        raise _duplicate(error) from None
    row = replace(draft, sequence=sequence, search=row_values["search"])
    _insert_labels(connection, row)
    return row


#: Built once and given its values apart: with `.values(...)` SQLAlchemy builds and keys
#: a new statement from every value of each insert. Run lean: through Core, the three
#: inserts of a create cost it about a tenth of its time.
_INSERT = LeanInsert(users.insert().returning(users.c.sequence))
_UPDATE = users.update().where(users.c.sequence == sa.bindparam("row_sequence"))


def _write_labels(connection: Connection, row: UserRow) -> None:
    connection.execute(user_labels.delete().where(user_labels.c.user_sequence == row.sequence))
    _insert_labels(connection, row)


def _insert_labels(connection: Connection, row: UserRow) -> None:
    if row.labels:
        connection.execute(
            user_labels.insert(),
            [{"user_sequence": row.sequence, "label": label} for label in row.labels],
        )


_BY = {
    attribute: Lean(
        sa.select(users).where(
            users.c.project_id == sa.bindparam("project_id"),
            users.c[attribute] == sa.bindparam("value"),
        )
    )
    for attribute in ("id", "email", "phone", "sequence")
}


#: The cursor user's place in the default order: from the index alone, no row to decode.
_SEQUENCE_BY_ID = Lean(
    sa.select(users.c.sequence).where(
        users.c.project_id == sa.bindparam("project_id"), users.c.id == sa.bindparam("value")
    )
)


def get_user(
    connection: Connection, project_id: str, user_id: str, *, lock: bool = False
) -> UserRow | None:
    """The user, or None; `lock` holds the row until the transaction ends (for writes)."""
    if not lock:
        return get_user_by(connection, project_id, "id", user_id)
    query = sa.select(users).where(users.c.project_id == project_id, users.c.id == user_id)
    found = connection.execute(query.with_for_update()).mappings().first()
    return None if found is None else row_from_mapping(found)


def get_user_by(
    connection: Connection, project_id: str, attribute: str, value: str | int
) -> UserRow | None:
    """The user whose `id`, `email`, `phone` (or internal `sequence`) is `value`."""
    found = _BY[attribute].rows(connection, project_id=project_id, value=value)
    return row_from_values(found[0]) if found else None


def get_user_by_email(connection: Connection, project_id: str, email: str) -> UserRow | None:
    return get_user_by(connection, project_id, "email", email)


def touch_accessed(connection: Connection, row: UserRow, now: datetime) -> None:
    connection.execute(
        users.update().where(users.c.sequence == row.sequence).values(accessed_at=now)
    )


def update_user(connection: Connection, row: UserRow, changes: Mapping[str, Any]) -> UserRow:
    """Apply `changes` (UserRow field names) to a row read in this transaction."""
    updated = replace(row, **changes)
    updated = replace(updated, search=search_text(updated))
    values = {name: getattr(updated, name) for name in changes}
    values["search"] = updated.search
    try:
        connection.execute(_UPDATE, {**values, "row_sequence": row.sequence})
    except IntegrityError as error:
        raise _duplicate(error) from None
    if "labels" in changes:
        _write_labels(connection, updated)
    return updated


def delete_user(connection: Connection, row: UserRow) -> None:
    connection.execute(users.delete().where(users.c.sequence == row.sequence))


def _filtered(project_id: str, query: ListQuery, search: str) -> compiler.Predicate:
    conditions = [users.c.project_id == project_id, compiler.where(COLLECTION, query.conditions)]
    if search:
        conditions.append(_search(search))
    return sa.and_(*conditions)


def count_users(connection: Connection, project_id: str, query: ListQuery, search: str) -> int:
    statement = sa.select(sa.func.count()).select_from(users)
    statement = statement.where(_filtered(project_id, query, search))
    return int(connection.execute(statement).scalar_one())


def _cursor_values(
    connection: Connection, project_id: str, user_id: str, wanted: Sequence[str]
) -> dict[str, Any]:
    """The cursor user's values of the order's attributes; for users' own columns (the
    usual case) through the lean read by id."""
    columns = [COLLECTION.columns[name] for name in wanted]
    if not all(isinstance(column, sa.Column) and column.table is users for column in columns):
        where = sa.and_(users.c.project_id == project_id, users.c.id == user_id)
        label = f"User '{user_id}'"
        return compiler.cursor_values(connection, COLLECTION, users, where, label, wanted=wanted)
    by_id = _SEQUENCE_BY_ID if list(wanted) == ["$sequence"] else _BY["id"]
    found = by_id.first(connection, project_id=project_id, value=user_id)
    if found is None:
        raise compiler.cursor_gone(f"User '{user_id}'")
    return {name: found[column.name] for name, column in zip(wanted, columns, strict=True)}


def _searched_on_sqlite(
    project_id: str, query: ListQuery, term: str
) -> tuple[sa.Select[Any], compiler.Collection] | None:
    """A search led by SQLite's FTS5 index (`rosterd.store.search.fts5_driven`), its
    matches ordered by their rowid (the users' sequence)."""
    driven = search.fts5_driven(users, term)
    if driven is None:
        return None
    own = search.unindexed(users.c.project_id) == project_id
    conditions = sa.and_(own, compiler.where(COLLECTION, query.conditions), driven.match)
    statement = sa.select(users).select_from(driven.source).where(conditions)
    return statement, _ordered_by(driven.sequence)


@cache
def _ordered_by(sequence: sa.Column[int]) -> compiler.Collection:
    """The users collection with `sequence` (the FTS5 index's rowid) as its `$sequence`:
    made once, as the index object it names is."""
    columns = {**COLLECTION.columns, "$sequence": sequence}
    return replace(COLLECTION, sequence=sequence, columns=columns)


def list_users(
    connection: Connection, project_id: str, query: ListQuery, search: str
) -> list[UserRow]:
    found = None
    if search and connection.dialect.name == "sqlite":
        found = _searched_on_sqlite(project_id, query, search)
    statement, collection = found or (
        sa.select(users).where(_filtered(project_id, query, search)),
        COLLECTION,
    )

    def cursor(user_id: str, wanted: Sequence[str]) -> dict[str, Any]:
        return _cursor_values(connection, project_id, user_id, wanted)

    rows = compiler.page(connection, statement, collection, query, cursor)
    return [row_from_values(found) for found in rows]
