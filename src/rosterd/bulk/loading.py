"""Bulk writes of rows already in the driver's form (`rosterd.bulk.prepare.stored_form`).

SQLAlchemy's executemany converts and checks every value of every row, which costs more
than SQLite's own work for a wide row; rows that are already converted go straight to
the driver instead: one executemany on SQLite, `COPY ... FROM STDIN` on PostgreSQL (whose
executemany sends a statement per row). Both run in the connection's transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

Row = tuple[Any, ...]


def next_sequences(connection: Connection, table: sa.Table, count: int) -> list[int]:
    """`count` fresh sequences of `table`, in order. On SQLite they follow the largest
    (as SQLite's own rowids would; the write transaction holds the database's lock);
    on PostgreSQL they come from the column's sequence."""
    if connection.dialect.name == "sqlite":
        largest = connection.execute(sa.select(sa.func.max(table.c.sequence))).scalar()
        start = (largest or 0) + 1
        return list(range(start, start + count))
    statement = sa.text(
        "SELECT nextval(pg_get_serial_sequence(:table, 'sequence')) FROM generate_series(1, :count)"
    )
    found = connection.execute(statement, {"table": table.name, "count": count})
    return [int(sequence) for sequence in found.scalars()]


def found(
    connection: Connection, table: sa.Table, column: str, project_id: str, values: list[str]
) -> dict[str, int]:
    """The rows of the project in `table` whose `column` is one of `values`: value -> the
    row's sequence. One query, whatever the number of values."""
    if not values:
        return {}
    where = f"SELECT {column}, sequence FROM {table.name} WHERE project_id = "
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" * len(values))
        rows = connection.exec_driver_sql(
            f"{where}? AND {column} IN ({marks})", (project_id, *values)
        )
    else:
        rows = connection.exec_driver_sql(f"{where}%s AND {column} = ANY(%s)", (project_id, values))
    return {value: sequence for value, sequence in rows}


def insert(
    connection: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: list[Row],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert `rows` (values of `columns`, in order); with `skip_conflicts`, leave out
    the rows a unique index refuses."""
    if not rows:
        return
    names = ", ".join(columns)
    if connection.dialect.name == "sqlite":
        verb = "INSERT OR IGNORE" if skip_conflicts else "INSERT"
        marks = ", ".join("?" * len(columns))
        connection.exec_driver_sql(f"{verb} INTO {table.name} ({names}) VALUES ({marks})", rows)
    elif skip_conflicts:
        marks = ", ".join(["%s"] * len(columns))
        connection.exec_driver_sql(
            f"INSERT INTO {table.name} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING", rows
        )
    else:
        _copy(connection, f"COPY {table.name} ({names}) FROM STDIN", rows)


def update(
    connection: Connection, table: sa.Table, columns: Sequence[str], rows: list[Row]
) -> None:
    """Set `columns` of the rows whose sequence ends each row (values, then sequence)."""
    if not rows:
        return
    mark = "?" if connection.dialect.name == "sqlite" else "%s"
    assignments = ", ".join(f"{name} = {mark}" for name in columns)
    connection.exec_driver_sql(
        f"UPDATE {table.name} SET {assignments} WHERE sequence = {mark}", rows
    )


def _copy(connection: Connection, statement: str, rows: list[Row]) -> None:
    driver = connection.connection.driver_connection
    assert driver is not None
    with driver.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)
