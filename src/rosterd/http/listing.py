"""What list routes share: their parameters, and how their `queries` are read."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from rosterd.http.endpoint import Call
from rosterd.http.params import Param
from rosterd.queries.ast import ListQuery, Schema
from rosterd.queries.parser import parse_queries
from rosterd.validators import Boolean, Strings, Text

QUERIES = Param("queries", Strings(), optional=True, default=[])
SEARCH = Param("search", Text(256), optional=True, default="")
TOTAL = Param("total", Boolean(loose=True), optional=True, default=True)
LIST_PARAMS = (QUERIES, SEARCH, TOTAL)

#: Clients older than this send queries in the 1.4 syntax, which Appwrite converts on
#: some list routes only (reference §4 and §5.2).
LEGACY_QUERIES_BELOW = (1, 5, 0)


def list_query(call: Call, schema: Schema, *, legacy_allowed: bool = True) -> ListQuery:
    """The request's `queries`, in the 1.4 syntax for older clients where `legacy_allowed`."""
    legacy = legacy_allowed and call.response_format < LEGACY_QUERIES_BELOW
    return parse_queries(call.params["queries"], schema, legacy=legacy)


#: Query methods of a list that reads no more than a page of one index: a filter by one
#: value walks the `(project, attribute, sequence)` index that every filterable
#: attribute has, in the default order, from the cursor on.
_PAGE_OF_AN_INDEX = frozenset({"equal", "limit", "cursorAfter", "cursorBefore"})
_MOST_ON_A_SHORT_PAGE = 100
_NO = frozenset({"false", "0"})


def short_list(supplied: Mapping[str, Any]) -> bool:
    """Whether a list request reads as little as a point read: no search, no total, no
    offset and no order, at most one `equal` filter with one value, at most 100 a page.
    Anything else (a scan, a sort, a count) may take long, and keeps its thread. Only
    looks: the handler validates the queries either way."""
    total = supplied.get("total", "true")
    if supplied.get("search") or not (total is False or str(total).lower() in _NO):
        return False
    queries = supplied.get("queries", [])
    found = [_method(text) for text in ([queries] if isinstance(queries, str) else queries)]
    return found.count("equal") <= 1 and all(method in _PAGE_OF_AN_INDEX for method in found)


def _method(text: object) -> str:
    """The query's method, if it keeps the list short ("" if not, or not a query)."""
    try:
        query = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return ""
    if not isinstance(query, dict):
        return ""
    method, values = query.get("method"), query.get("values")
    if method == "limit" and _small(values):
        return "limit"
    if method == "equal" and isinstance(values, list) and len(values) == 1:
        return "equal"
    return method if method in ("cursorAfter", "cursorBefore") else ""


def _small(values: object) -> bool:
    if not isinstance(values, list) or len(values) != 1:
        return False
    limit = values[0]
    return isinstance(limit, int) and not isinstance(limit, bool) and limit <= _MOST_ON_A_SHORT_PAGE
