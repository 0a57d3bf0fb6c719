"""Messaging targets and providers in SQL."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from rosterd.queries.ast import SYSTEM_ATTRIBUTES, AttributeType, ListQuery, Schema
from rosterd.store import compiler
from rosterd.store.lean import Lean, LeanInsert
from rosterd.store.tables import providers, targets, users
from rosterd.store.users import UserRow


class DuplicateTarget(Exception):
    """The id or the identifier is taken by another target of the project."""


@dataclass(frozen=True)
class TargetRow:
    sequence: int
    project_id: str
    id: str
    user_sequence: int
    created_at: datetime
    updated_at: datetime
    name: str | None
    provider_id: str | None
    provider_type: str
    identifier: str
    expired: bool


@dataclass(frozen=True)
class ProviderRow:
    id: str
    name: str
    provider: str
    type: str
    enabled: bool
    created_at: datetime
    updated_at: datetime


_COLUMNS = tuple(field.name for field in fields(TargetRow))
_PROVIDER_COLUMNS = tuple(field.name for field in fields(ProviderRow))

#: What clients may filter targets by (the user is fixed by the path).
TARGET_SCHEMA: Schema = {
    **SYSTEM_ATTRIBUTES,
    "userId": AttributeType.STRING,
    "providerId": AttributeType.STRING,
    "identifier": AttributeType.STRING,
    "providerType": AttributeType.STRING,
}

COLLECTION = compiler.Collection(
    table=targets,
    sequence=targets.c.sequence,
    columns={
        **compiler.system_columns(targets),
        "userId": users.c.id,
        "providerId": targets.c.provider_id,
        "identifier": targets.c.identifier,
        "providerType": targets.c.provider_type,
    },
    arrays={},
)


_JOINED = targets.join(users, users.c.sequence == targets.c.user_sequence)


def _row(mapping: Mapping[str, Any] | RowMapping) -> TargetRow:
    return TargetRow(**{name: mapping[name] for name in _COLUMNS})


def insert_target(connection: Connection, values: Mapping[str, Any]) -> TargetRow:
    """Insert a target (values: every TargetRow field but sequence)."""
    try:
        result = connection.execute(_INSERT, dict(values))
    except IntegrityError:
        raise DuplicateTarget() from None
    return _row({**values, "sequence": result.scalar_one()})


#: Built once, values given apart (see `rosterd.store.users._INSERT`).
_INSERT = targets.insert().returning(targets.c.sequence)
_INSERT_IF_FREE = {
    dialect: LeanInsert(insert(targets).on_conflict_do_nothing().returning(targets.c.sequence))
    for dialect, insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}


def insert_target_if_free(connection: Connection, values: Mapping[str, Any]) -> TargetRow | None:
    """Insert unless the identifier (or id) is taken; never fails the transaction. The
    new target, or None when it was taken."""
    sequence = _INSERT_IF_FREE[connection.dialect.name].run(connection, dict(values))
    return None if sequence is None else _row({**values, "sequence": sequence})


#: A user and their targets in one read: the user's columns, then one target's (NULLs when
#: the user has none), a row per target, oldest first. A get reads this instead of the
#: user and then the targets: the second read cost a get a tenth of its time.
_USER_WITH_TARGETS = Lean(
    sa.select(users, targets)
    .select_from(users.outerjoin(targets, targets.c.user_sequence == users.c.sequence))
    .where(users.c.project_id == sa.bindparam("project_id"), users.c.id == sa.bindparam("value"))
    .order_by(targets.c.sequence)
)
_USER_WIDTH = len(users.columns)


def user_with_targets(
    connection: Connection, project_id: str, user_id: str
) -> tuple[UserRow, list[TargetRow]] | None:
    """The user with this id and their targets, oldest first; None when there is no user."""
    found = _USER_WITH_TARGETS.rows(connection, project_id=project_id, value=user_id)
    if not found:
        return None
    # The columns are UserRow's and then TargetRow's fields in order (tests/test_lean.py).
    user = UserRow(*found[0][:_USER_WIDTH])
    held = [TargetRow(*row[_USER_WIDTH:]) for row in found if row[_USER_WIDTH] is not None]
    return user, held


#: Targets of a page of `n` users, one lean query per page size up to `_LEAN_PAGE`
#: (larger pages, rarer, go through Core rather than keep a statement per size).
_TARGETS_OF: dict[int, Lean] = {}
_LEAN_PAGE = 100


def _targets_of(count: int) -> Lean:
    found = _TARGETS_OF.get(count)
    if found is None:
        sequences = [sa.bindparam(f"u{index}", type_=sa.Integer()) for index in range(count)]
        query = sa.select(targets).where(targets.c.user_sequence.in_(sequences))
        found = _TARGETS_OF[count] = Lean(query.order_by(targets.c.sequence))
    return found


def targets_of(connection: Connection, user_sequences: Iterable[int]) -> dict[int, list[TargetRow]]:
    """Each user's targets, oldest first, for a page of users at once."""
    wanted = list(user_sequences)
    found: dict[int, list[TargetRow]] = {sequence: [] for sequence in wanted}
    if not wanted:
        return found
    if len(wanted) <= _LEAN_PAGE:
        arguments = {f"u{index}": sequence for index, sequence in enumerate(wanted)}
        rows: Iterable[Sequence[Any]] = _targets_of(len(wanted)).rows(connection, **arguments)
    else:
        query = sa.select(targets).where(targets.c.user_sequence.in_(wanted))
        rows = connection.execute(query.order_by(targets.c.sequence))
    for values in rows:
        # select(targets) gives TargetRow's fields in order (tests/test_lean.py).
        target = TargetRow(*values)
        found[target.user_sequence].append(target)
    return found


def target_of(connection: Connection, user: UserRow, target_id: str) -> TargetRow | None:
    query = sa.select(targets).where(
        targets.c.user_sequence == user.sequence, targets.c.id == target_id
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def target_with_identifier(
    connection: Connection, project_id: str, identifier: str
) -> TargetRow | None:
    query = sa.select(targets).where(
        targets.c.project_id == project_id, targets.c.identifier == identifier
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _row(found)


def update_target(
    connection: Connection, target: TargetRow, changes: Mapping[str, Any]
) -> TargetRow:
    try:
        connection.execute(
            targets.update().where(targets.c.sequence == target.sequence).values(**changes)
        )
    except IntegrityError:
        raise DuplicateTarget() from None
    return replace(target, **changes)


def delete_target(connection: Connection, target: TargetRow) -> None:
    connection.execute(targets.delete().where(targets.c.sequence == target.sequence))


def _filtered(user: UserRow, query: ListQuery) -> compiler.Predicate:
    return sa.and_(
        targets.c.user_sequence == user.sequence, compiler.where(COLLECTION, query.conditions)
    )


def list_targets(connection: Connection, user: UserRow, query: ListQuery) -> list[TargetRow]:
    statement = sa.select(targets).select_from(_JOINED).where(_filtered(user, query))

    def cursor(target_id: str, wanted: Sequence[str]) -> dict[str, Any]:
        where = sa.and_(targets.c.user_sequence == user.sequence, targets.c.id == target_id)
        label = f"Target '{target_id}'"
        return compiler.cursor_values(connection, COLLECTION, _JOINED, where, label, wanted=wanted)

    rows = compiler.page(connection, statement, COLLECTION, query, cursor)
    return [_row(found._mapping) for found in rows]


def count_targets(connection: Connection, user: UserRow, query: ListQuery) -> int:
    statement = sa.select(sa.func.count()).select_from(_JOINED).where(_filtered(user, query))
    return int(connection.execute(statement).scalar_one())


def _provider(mapping: Mapping[str, Any] | RowMapping) -> ProviderRow:
    return ProviderRow(**{name: mapping[name] for name in _PROVIDER_COLUMNS})


def insert_provider(connection: Connection, project_id: str, row: ProviderRow) -> bool:
    """Store a provider; False when the id is taken."""
    values = {name: getattr(row, name) for name in _PROVIDER_COLUMNS}
    try:
        connection.execute(providers.insert().values(project_id=project_id, **values))
    except IntegrityError:
        return False
    return True


def get_provider(connection: Connection, project_id: str, provider_id: str) -> ProviderRow | None:
    query = sa.select(providers).where(
        providers.c.project_id == project_id, providers.c.id == provider_id
    )
    found = connection.execute(query).mappings().first()
    return None if found is None else _provider(found)


def list_providers(connection: Connection, project_id: str) -> list[ProviderRow]:
    query = (
        sa.select(providers)
        .where(providers.c.project_id == project_id)
        .order_by(providers.c.sequence)
    )
    return [_provider(found) for found in connection.execute(query).mappings()]


def delete_provider(connection: Connection, project_id: str, provider_id: str) -> bool:
    statement = providers.delete().where(
        providers.c.project_id == project_id, providers.c.id == provider_id
    )
    return bool(connection.execute(statement).rowcount)
