"""What list routes share: their parameters, and how their `queries` are read."""

from __future__ import annotations

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
