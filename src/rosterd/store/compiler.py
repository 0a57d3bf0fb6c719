"""Compile a validated `ListQuery` to SQL over one collection (users, targets, ...).

Orders always end in the sequence column, so every ordering is total and a cursor
becomes a keyset predicate `(a, b, sequence) > (cursor's a, b, sequence)` that an
index `(project, a, sequence)` serves. NULLs sort first ascending and last
descending on both engines.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Row
from sqlalchemy.sql import ColumnElement

from rosterd.errors import CursorNotFound, OrderNull, QueryInvalid
from rosterd.queries.ast import Condition, Filter, ListQuery, Logical, Order

Predicate = ColumnElement[bool]


@dataclass(frozen=True)
class ArrayAttribute:
    """An array attribute kept in a side table of (owner sequence, value) rows."""

    table: sa.Table
    owner: sa.Column[Any]
    value: sa.Column[Any]


@dataclass(frozen=True)
class Collection:
    """How a collection's client-visible attributes map onto SQL."""

    table: sa.Table
    sequence: sa.Column[Any]
    columns: Mapping[str, sa.Column[Any]]
    arrays: Mapping[str, ArrayAttribute]
    search: Callable[[str], Predicate] | None = None


def system_columns(table: sa.Table) -> dict[str, sa.Column[Any]]:
    """The columns of the attributes every collection has (`$id`, `$createdAt`, ...)."""
    return {
        "$id": table.c.id,
        "$createdAt": table.c.created_at,
        "$updatedAt": table.c.updated_at,
        "$sequence": table.c.sequence,
    }


@dataclass(frozen=True)
class SortKey:
    column: sa.Column[Any]
    attribute: str
    descending: bool


def where(collection: Collection, conditions: Sequence[Condition]) -> Predicate:
    return sa.and_(sa.true(), *(_condition(collection, item) for item in conditions))


def _condition(collection: Collection, condition: Condition) -> Predicate:
    if isinstance(condition, Logical):
        parts = [_condition(collection, item) for item in condition.conditions]
        return sa.or_(*parts) if condition.method == "or" else sa.and_(*parts)
    if condition.attribute in collection.arrays:
        return _array_filter(collection.arrays[condition.attribute], collection, condition)
    if condition.method in ("search", "notSearch"):
        raise QueryInvalid(
            f'Searching by attribute "{condition.attribute}" requires a fulltext index.'
        )
    return _scalar_filter(collection.columns[condition.attribute], condition)


def _like(column: sa.Column[Any], pattern: str) -> Predicate:
    return column.like(pattern, escape="\\")


def _escape(value: object) -> str:
    text = str(value)
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _scalar_filter(column: sa.Column[Any], item: Filter) -> Predicate:
    values = item.values
    builders: dict[str, Callable[[], Predicate]] = {
        "equal": lambda: column.in_(values),
        "notEqual": lambda: column != values[0],
        "lessThan": lambda: column < values[0],
        "lessThanEqual": lambda: column <= values[0],
        "greaterThan": lambda: column > values[0],
        "greaterThanEqual": lambda: column >= values[0],
        "between": lambda: column.between(values[0], values[1]),
        "notBetween": lambda: sa.or_(column < values[0], column > values[1]),
        "isNull": lambda: column.is_(None),
        "isNotNull": lambda: column.is_not(None),
        "startsWith": lambda: _like(column, _escape(values[0]) + "%"),
        "notStartsWith": lambda: sa.not_(_like(column, _escape(values[0]) + "%")),
        "endsWith": lambda: _like(column, "%" + _escape(values[0])),
        "notEndsWith": lambda: sa.not_(_like(column, "%" + _escape(values[0]))),
        "contains": lambda: sa.or_(*(_like(column, f"%{_escape(v)}%") for v in values)),
        "containsAny": lambda: sa.or_(*(_like(column, f"%{_escape(v)}%") for v in values)),
        "containsAll": lambda: sa.and_(*(_like(column, f"%{_escape(v)}%") for v in values)),
        "notContains": lambda: sa.and_(
            *(sa.not_(_like(column, f"%{_escape(v)}%")) for v in values)
        ),
    }
    if item.method not in builders:
        raise QueryInvalid(f'Cannot query {item.method} on attribute "{item.attribute}".')
    return builders[item.method]()


def _array_filter(array: ArrayAttribute, collection: Collection, item: Filter) -> Predicate:
    def holds(values: Sequence[object]) -> Predicate:
        member = sa.select(sa.literal(1)).where(
            array.owner == collection.sequence, array.value.in_(values)
        )
        return member.exists()

    if item.method in ("contains", "containsAny"):
        return holds(item.values)
    if item.method == "containsAll":
        return sa.and_(*(holds([value]) for value in item.values))
    if item.method == "notContains":
        return sa.not_(holds(item.values))
    if item.method == "isNull":
        return sa.false()
    if item.method == "isNotNull":
        return sa.true()
    raise QueryInvalid(
        f'Cannot query {item.method} on attribute "{item.attribute}" because it is an array.'
    )


def sort_keys(collection: Collection, orders: Sequence[Order]) -> list[SortKey]:
    """The explicit orders plus the `$sequence` tie-breaker Appwrite appends."""
    keys = [
        SortKey(collection.columns[order.attribute], order.attribute, order.direction == "desc")
        for order in orders
    ]
    if any(key.attribute in ("$id", "$sequence") for key in keys):
        return keys
    follows_first = bool(keys) and keys[0].attribute in ("$createdAt", "$updatedAt")
    descending = keys[0].descending if follows_first else False
    keys.append(SortKey(collection.sequence, "$sequence", descending))
    return keys


def order_clauses(keys: Sequence[SortKey], reverse: bool = False) -> list[Any]:
    """Nulls first ascending, last descending, as Appwrite orders them; said only for
    columns that can hold null, since PostgreSQL cannot read an index (ascending, nulls
    last) in an order that names another placement: it would sort every matching row."""
    clauses = []
    for key in keys:
        descending = key.descending != reverse
        ordered = key.column.desc() if descending else key.column.asc()
        if _nullable(key):
            ordered = sa.nulls_last(ordered) if descending else sa.nulls_first(ordered)
        clauses.append(ordered)
    return clauses


def _nullable(key: SortKey) -> bool:
    return bool(getattr(key.column, "nullable", True))


def after(keys: Sequence[SortKey], cursor: Mapping[str, Any], reverse: bool = False) -> Predicate:
    """Rows strictly after the cursor row in the order (`reverse`: strictly before)."""
    for key in keys:
        if cursor[key.attribute] is None:
            raise OrderNull(
                f"The order attribute '{key.attribute}' had a null value. Cursor pagination "
                "requires all documents order attribute values are non-null."
            )
    if len(keys) == 1:  # the usual order, by sequence alone: no OR of ANDs to build
        return _beyond(keys[0], cursor[keys[0].attribute], reverse)
    alternatives = []
    for index, key in enumerate(keys):
        equal_prefix = [other.column == cursor[other.attribute] for other in keys[:index]]
        alternatives.append(sa.and_(*equal_prefix, _beyond(key, cursor[key.attribute], reverse)))
    return sa.or_(*alternatives)


def _beyond(key: SortKey, value: Any, reverse: bool) -> Predicate:
    if key.descending != reverse:
        if not _nullable(key):
            before: Predicate = key.column < value
            return before
        return sa.or_(key.column < value, key.column.is_(None))
    beyond: Predicate = key.column > value
    return beyond


def is_random(query: ListQuery) -> bool:
    return any(order.direction == "random" for order in query.orders)


def page(
    connection: Connection,
    statement: sa.Select[Any],
    collection: Collection,
    query: ListQuery,
    cursor: Callable[[str, Sequence[str]], dict[str, Any]],
) -> list[Row[Any]]:
    """Order, seek past the cursor document and cut the page (`cursor` reads the cursor
    document's values of the order's attributes); rows in the statement's column order."""
    reverse = query.cursor is not None and query.cursor.direction == "before"
    if is_random(query):
        if query.cursor is not None:
            raise QueryInvalid("Cursor pagination is not available with orderRandom.")
        statement = statement.order_by(sa.func.random())
    else:
        keys = sort_keys(collection, query.orders)
        if query.cursor is not None:
            values = cursor(query.cursor.document_id, [key.attribute for key in keys])
            statement = statement.where(after(keys, values, reverse))
        statement = statement.order_by(*order_clauses(keys, reverse))
    statement = statement.limit(query.limit).offset(query.offset)
    rows = list(connection.execute(statement))
    return rows[::-1] if reverse else rows


def cursor_values(
    connection: Connection,
    collection: Collection,
    source: sa.FromClause,
    where: Predicate,
    label: str,
    *,
    wanted: Sequence[str],
) -> dict[str, Any]:
    """The cursor document's values of the `wanted` attributes, for `after`; 400 when it
    is gone."""
    columns = [collection.columns[name].label(name) for name in wanted]
    query = sa.select(*columns).select_from(source).where(where)
    found = connection.execute(query).mappings().first()
    if found is None:
        raise cursor_gone(label)
    return dict(found)


def cursor_gone(label: str) -> CursorNotFound:
    """The 400 for a cursor whose document (`label`, e.g. "User 'x'") does not exist."""
    return CursorNotFound(f"{label} for the 'cursor' value not found.")
