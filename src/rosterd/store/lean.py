"""Hot reads and inserts without SQLAlchemy's per-call machinery.

A `Lean` query is a SELECT built once with named bind parameters, compiled once per
dialect, and run on the driver's own cursor inside the caller's connection (and so its
transaction). Values go through the result processors SQLAlchemy itself would apply,
so a row read here equals one read through Core. Through Core, building, caching and
executing a statement and wrapping its result cost about ten times the query on SQLite;
the reads on every request (the API key, the user, their targets) use this instead.

A `LeanInsert` does the same for the inserts of a create (the user, their targets and
the activity record): its values go through the bind processors SQLAlchemy would
apply, and a broken constraint raises SQLAlchemy's own IntegrityError.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect
from sqlalchemy.exc import IntegrityError

from rosterd.store.database import unavailable_as_503


@dataclass(frozen=True)
class _Compiled:
    sql: str
    #: Bind names in order, for drivers that take positional parameters; else None.
    order: tuple[str, ...] | None
    #: Each column that needs converting, by position, with its result processor.
    processors: tuple[tuple[int, Callable[[Any], Any]], ...]

    def arguments(self, params: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        return params if self.order is None else tuple(params[name] for name in self.order)

    def converted(self, row: Sequence[Any]) -> tuple[Any, ...]:
        values = list(row)
        for position, process in self.processors:
            value = values[position]
            if value is not None:
                values[position] = process(value)
        return tuple(values)


def _compiled(statement: sa.Select[Any], dialect: Dialect) -> _Compiled:
    compiled = statement.compile(dialect=dialect)
    for bind in compiled.binds.values():
        if bind.type.dialect_impl(dialect).bind_processor(dialect) is not None:
            raise TypeError(f"lean query parameter {bind.key} needs conversion")
    every = (
        column.type.dialect_impl(dialect).result_processor(dialect, None)
        for column in statement.selected_columns
    )
    processors = tuple((at, process) for at, process in enumerate(every) if process is not None)
    order = tuple(compiled.positiontup or ()) if dialect.positional else None
    return _Compiled(compiled.string, order, processors)


class Lean:
    """One SELECT with named parameters (`sa.bindparam`), to be run many times."""

    def __init__(self, statement: sa.Select[Any]) -> None:
        self.statement = statement
        self.names = tuple(column.name for column in statement.selected_columns)
        self._compiled: dict[str, _Compiled] = {}

    def _for(self, dialect: Dialect) -> _Compiled:
        found = self._compiled.get(dialect.name)
        if found is None:
            found = self._compiled[dialect.name] = _compiled(self.statement, dialect)
        return found

    def rows(self, connection: Connection, **params: Any) -> list[tuple[Any, ...]]:
        compiled = self._for(connection.dialect)
        with unavailable_as_503(connection.dialect):
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(compiled.sql, compiled.arguments(params))
                found = cursor.fetchall()
            finally:
                cursor.close()
        return [compiled.converted(row) for row in found]

    def mappings(self, connection: Connection, **params: Any) -> Iterator[dict[str, Any]]:
        for row in self.rows(connection, **params):
            yield dict(zip(self.names, row, strict=True))

    def first(self, connection: Connection, **params: Any) -> dict[str, Any] | None:
        return next(self.mappings(connection, **params), None)


@dataclass(frozen=True)
class _CompiledInsert:
    sql: str
    #: Bind names in order, for drivers that take positional parameters; else None.
    order: tuple[str, ...] | None
    #: Each value's bind processor, by column (SQLAlchemy applies them to None too).
    processors: Mapping[str, Callable[[Any], Any]]

    def arguments(self, values: dict[str, Any]) -> Sequence[Any] | dict[str, Any]:
        converted = dict(values)
        for name, process in self.processors.items():
            converted[name] = process(converted[name])
        return converted if self.order is None else tuple(converted[n] for n in self.order)


class LeanInsert:
    """One INSERT (optionally RETURNING one column), to be run many times with a value
    for each of its table's columns but the autoincrementing key."""

    def __init__(self, statement: sa.Insert) -> None:
        self.statement = statement
        table = statement.table
        assert isinstance(table, sa.Table)
        self.columns = tuple(c.name for c in table.columns if c is not table.autoincrement_column)
        self._compiled: dict[str, _CompiledInsert] = {}

    def _for(self, dialect: Dialect) -> _CompiledInsert:
        found = self._compiled.get(dialect.name)
        if found is None:
            compiled = self.statement.compile(dialect=dialect, column_keys=list(self.columns))
            processors = {
                name: process
                for name, bind in compiled.binds.items()
                if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
            }
            order = tuple(compiled.positiontup or ()) if dialect.positional else None
            found = self._compiled[dialect.name] = _CompiledInsert(
                compiled.string, order, processors
            )
        return found

    def run(self, connection: Connection, values: dict[str, Any]) -> Any:
        """Insert `values`; the returned column's value (None when the statement returns
        nothing, or inserted nothing)."""
        compiled = self._for(connection.dialect)
        driver = connection.dialect.loaded_dbapi
        with unavailable_as_503(connection.dialect):
            cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
            try:
                cursor.execute(compiled.sql, compiled.arguments(values))
                found = cursor.fetchone() if cursor.description else None
            except driver.IntegrityError as error:
                raise IntegrityError(compiled.sql, None, error) from None
            finally:
                cursor.close()
        return None if found is None else found[0]
