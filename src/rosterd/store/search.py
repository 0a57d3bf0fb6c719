"""Full-text search with the same rules on SQLite (FTS5) and PostgreSQL (tsvector + GIN).

Rules (reference §5.6): the text is split into words on anything that is not a letter
or digit and lowercased; a document matches when any query word matches one of its
words, the last query word also as a prefix; a term wrapped in double quotes is a
phrase whose words must appear together in order. A term with no words matches
nothing.

Each searched table (users, teams, memberships) has a `search` text column, an FTS5
table `<table>_search` over it on SQLite and a GIN index `ix_<table>_search` on
PostgreSQL, both made by the migrations.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

_WORD = re.compile(r"[^\W_]+")

#: What PostgreSQL indexes: the search text with non-alphanumerics folded to spaces.
POSTGRES_DOCUMENT = "to_tsvector('simple', regexp_replace({column}, '[^[:alnum:]]+', ' ', 'g'))"


@dataclass(frozen=True)
class Terms:
    words: tuple[str, ...]
    phrase: bool

    def fts5(self) -> str:
        if self.phrase:
            return '"' + " ".join(self.words) + '"'
        quoted = [f'"{word}"' for word in self.words]
        return " OR ".join(quoted) + "*"

    def tsquery(self) -> str:
        quoted = [f"'{word}'" for word in self.words]
        if self.phrase:
            return " <-> ".join(quoted)
        return " | ".join(quoted) + ":*"


def terms(text: str) -> Terms | None:
    stripped = text.strip()
    words = tuple(_WORD.findall(stripped.lower()))
    if not words:
        return None
    phrase = len(stripped) > 1 and stripped.startswith('"') and stripped.endswith('"')
    return Terms(words, phrase)


class _Matches(FunctionElement[bool]):
    """(sequence column, text column, FTS5 expression, tsquery expression) -> bool."""

    type = sa.Boolean()
    name = "rosterd_matches"
    inherit_cache = True


@compiles(_Matches, "sqlite")
def _sqlite(element: _Matches, compiler: SQLCompiler, **options: Any) -> str:
    sequence, _text, fts5, _tsquery = list(element.clauses)
    index = f"{sequence.table.name}_search"
    return (
        f"{compiler.process(sequence, **options)} IN (SELECT rowid FROM {index} "
        f"WHERE {index} MATCH {compiler.process(fts5, **options)})"
    )


@compiles(_Matches, "postgresql")
def _postgresql(element: _Matches, compiler: SQLCompiler, **options: Any) -> str:
    _sequence, text, _fts5, tsquery = list(element.clauses)
    document = POSTGRES_DOCUMENT.format(column=compiler.process(text, **options))
    return f"{document} @@ to_tsquery('simple', {compiler.process(tsquery, **options)})"


def matches(sequence: sa.Column[Any], text: sa.Column[Any], term: str) -> ColumnElement[bool]:
    """Rows of the table of `sequence` whose `text` column matches `term`."""
    found = terms(term)
    if found is None:
        return sa.false()
    return _Matches(sequence, text, sa.literal(found.fts5()), sa.literal(found.tsquery()))


@dataclass(frozen=True)
class DrivenSearch:
    """A search on SQLite led by the FTS5 index: the rows come from the index's matches in
    its own (rowid) order, each looked up by its rowid; no IN-list of every match."""

    source: sa.FromClause
    match: ColumnElement[bool]
    #: The matches' rowid (the table's sequence): order and seek by this one, and a
    #: page in the default order is the index's first matches, read no further.
    sequence: sa.Column[int]


def fts5_driven(table: sa.Table, term: str) -> DrivenSearch | None:
    """The join of `table` to its FTS5 index for `term` (None: the term has no words).

    SQLite's planner would rather walk one of the table's indexes and look each row up
    in the FTS5 index, or gather every match into a list first: for a word that 50,000
    of 1,000,000 users share, 1 s and 20 ms, against 2 ms for the first page this way.
    The caller keeps the table's own indexes out of the race (`+column`, SQLite's way of
    saying "no index"), so the index's matches lead."""
    found = terms(term)
    if found is None:
        return None
    index = _fts5_index(table.name)
    match = sa.literal_column(index.name).op("MATCH")(sa.literal(found.fts5()))
    source = index.join(table, table.c.sequence == index.c.rowid)
    return DrivenSearch(source, match, index.c.rowid)


@cache
def _fts5_index(table_name: str) -> sa.Table:
    """The FTS5 index of a table, as SQLAlchemy sees it: one object per table, so that
    statements over it share their compiled form (a new one each time would compile each
    search again, and fill the compiled cache)."""
    return sa.Table(
        f"{table_name}_search", sa.MetaData(), sa.Column("rowid", sa.Integer, nullable=False)
    )


def unindexed(column: sa.Column[Any]) -> ColumnElement[Any]:
    """`+column`: the column's value, which SQLite will not look up through an index."""
    return sa.literal_column(f"+{column.table.name}.{column.name}", column.type)


@contextmanager
def indexed_in_bulk(connection: Connection, table: sa.Table) -> Iterator[None]:
    """Index the rows inserted into `table` inside the block all at once, at its end.

    SQLite's FTS5 indexes a row inserted through the `<table>_search_insert` trigger
    about four times slower than rows given to it together (the trigger runs a statement
    per row). On SQLite the trigger is dropped for the block and made again after it,
    within the caller's transaction, so no other connection ever sees the table without
    it; the rows whose sequence is beyond the largest one before the block are indexed
    by one `INSERT ... SELECT`. Inserts only: deletes and updates keep their triggers.
    PostgreSQL's GIN index needs nothing of the kind.
    """
    if connection.dialect.name != "sqlite":
        yield
        return
    trigger = f"{table.name}_search_insert"
    definition = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'trigger' AND name = ?", (trigger,)
    ).scalar_one()
    before = connection.execute(sa.select(sa.func.max(table.c.sequence))).scalar() or 0
    connection.exec_driver_sql(f"DROP TRIGGER {trigger}")
    yield
    connection.exec_driver_sql(
        f"INSERT INTO {table.name}_search(rowid, search) "
        f"SELECT sequence, search FROM {table.name} WHERE sequence > ?",
        (before,),
    )
    connection.exec_driver_sql(definition)
