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
