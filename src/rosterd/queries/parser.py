"""Parse the `queries[]` request parameter and validate it against a schema into the typed AST.

Every element is a JSON object such as `{"method":"equal","attribute":"name","values":["x"]}`
(or, for old clients, the legacy text `equal("name", ["x"])`, see `rosterd.queries.legacy`).
Every validation failure is an `ArgumentInvalid` whose message reads
``Invalid `queries` param: Invalid query: <detail>``, as Appwrite's parameter validator says it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal, TypeAlias

from rosterd import clock
from rosterd.errors import ArgumentInvalid
from rosterd.queries.ast import (
    DEFAULT_LIMIT,
    AttributeType,
    Condition,
    Cursor,
    Filter,
    ListQuery,
    Logical,
    Order,
    Schema,
    Value,
)
from rosterd.queries.legacy import parse_legacy_query

__all__ = [
    "DEFAULT_ORDER_ATTRIBUTE",
    "FILTER_METHODS",
    "LARGEST_INTEGER",
    "MAX_LIMIT",
    "MAX_NESTING",
    "MAX_QUERIES",
    "MAX_QUERY_LENGTH",
    "MAX_VALUES",
    "SMALLEST_INTEGER",
    "UNSUPPORTED_METHODS",
    "parse_legacy_query",
    "parse_queries",
]

MAX_QUERIES = 100
MAX_QUERY_LENGTH = 4096
MAX_VALUES = 500
#: How deep `and` / `or` may nest; keeps recursion bounded whatever a client sends.
MAX_NESTING = 20
#: An `orderAsc` / `orderDesc` without attribute orders by insertion.
DEFAULT_ORDER_ATTRIBUTE = "$sequence"
#: Integers must fit a signed 64-bit column (PHP_INT_MAX in Appwrite).
LARGEST_INTEGER = 2**63 - 1
#: The largest page; Appwrite has no cap, but one request should not read a whole table.
MAX_LIMIT = 5000
SMALLEST_INTEGER = -(2**63)

_MESSAGE_PREFIX = "Invalid `queries` param: Invalid query: "

_AT_LEAST_ONE_VALUE = frozenset({"equal", "contains", "containsAny", "containsAll", "notContains"})
_EXACTLY_ONE_VALUE = frozenset(
    {
        "notEqual",
        "lessThan",
        "lessThanEqual",
        "greaterThan",
        "greaterThanEqual",
        "search",
        "notSearch",
        "startsWith",
        "notStartsWith",
        "endsWith",
        "notEndsWith",
    }
)
_EXACTLY_TWO_VALUES = frozenset({"between", "notBetween"})
_ANY_VALUES = frozenset({"isNull", "isNotNull"})
FILTER_METHODS = _AT_LEAST_ONE_VALUE | _EXACTLY_ONE_VALUE | _EXACTLY_TWO_VALUES | _ANY_VALUES

#: The only filters an array attribute (`labels`) accepts.
_ARRAY_METHODS = frozenset({"contains", "containsAny", "containsAll", "notContains"}) | _ANY_VALUES
#: Element-of-array on arrays, substring on strings; meaningless on other types.
_CONTAINS_METHODS = frozenset({"contains", "containsAny", "containsAll", "notContains"})
#: Text matching, only on string attributes.
_TEXT_METHODS = frozenset(
    {"search", "notSearch", "startsWith", "notStartsWith", "endsWith", "notEndsWith"}
)

#: Methods Appwrite knows but this server refuses on every attribute.
UNSUPPORTED_METHODS = frozenset(
    {
        "regex",
        "exists",
        "notExists",
        "elemMatch",
        "crosses",
        "notCrosses",
        "distanceEqual",
        "distanceNotEqual",
        "distanceGreaterThan",
        "distanceLessThan",
        "intersects",
        "notIntersects",
        "overlaps",
        "notOverlaps",
        "touches",
        "notTouches",
        "vectorDot",
        "vectorCosine",
        "vectorEuclidean",
    }
)

_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,35}")


@dataclass(frozen=True)
class _RawQuery:
    """One query object after its three keys have been checked for shape, not meaning."""

    method: str
    attribute: str
    values: list[object]


@dataclass(frozen=True)
class _Paging:
    """A `limit` or `offset` query."""

    method: Literal["limit", "offset"]
    value: int


_Parsed: TypeAlias = Filter | Logical | Order | Cursor | _Paging
_Handler: TypeAlias = Callable[[_RawQuery, Schema, int], _Parsed]


def parse_queries(raw: Sequence[object], schema: Schema, *, legacy: bool = False) -> ListQuery:
    """Validate the request's query strings against `schema` and build the list query.

    Top-level filters are AND-ed in the given order, orders are kept in sequence, and only the
    first `limit`, `offset` and cursor (`cursorAfter` or `cursorBefore`) count; later ones are
    still validated. With `legacy`, each string is first converted from the 1.4 syntax, and a
    syntax failure there raises `QueryInvalid`. Every other failure raises `ArgumentInvalid`.
    """
    _check_query_count(raw)
    parsed = [_parse_element(element, schema, legacy=legacy) for element in raw]
    return _assemble(parsed)


def _invalid(detail: str) -> ArgumentInvalid:
    return ArgumentInvalid(_MESSAGE_PREFIX + detail)


def _check_query_count(raw: Sequence[object]) -> None:
    if isinstance(raw, str | bytes):
        raise _invalid("Queries must be an array of strings")
    if len(raw) > MAX_QUERIES:
        raise _invalid(f"At most {MAX_QUERIES} queries are allowed, got {len(raw)}")


def _parse_element(element: object, schema: Schema, *, legacy: bool) -> _Parsed:
    if not isinstance(element, str):
        raise _invalid(f"Query must be a string, got {_json_type(element)}")
    if len(element) > MAX_QUERY_LENGTH:
        raise _invalid(f"Query must be at most {MAX_QUERY_LENGTH} characters long")
    query = parse_legacy_query(element) if legacy else _decode_object(element)
    return _parse_query(query, schema, 0)


def _decode_object(text: str) -> dict[str, object]:
    """Strict JSON (no NaN or Infinity, no lone surrogates) that must decode to an object."""
    try:
        decoded = json.loads(text, parse_constant=_refuse_constant)
        json.dumps(decoded, ensure_ascii=False).encode("utf-8")
    except (ValueError, RecursionError):
        raise _invalid("Syntax error") from None
    if not isinstance(decoded, dict):
        raise _invalid("Syntax error")
    return decoded


def _refuse_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


def _json_type(value: object) -> str:
    """The JSON name of a value's type, for messages."""
    names: tuple[tuple[type, str], ...] = (
        (bool, "boolean"),
        (int, "number"),
        (float, "number"),
        (str, "string"),
        (list, "array"),
        (dict, "object"),
        (type(None), "null"),
    )
    for kind, name in names:
        if isinstance(value, kind):
            return name
    return type(value).__name__


def _parse_query(query: dict[str, object], schema: Schema, depth: int) -> _Parsed:
    raw = _RawQuery(_method_of(query), _attribute_of(query), _values_of(query))
    handler = _HANDLERS.get(raw.method)
    if handler is None:
        if raw.method in UNSUPPORTED_METHODS:
            raise _invalid(f'Query method "{raw.method}" is not supported')
        raise _invalid(f"Invalid query method: {raw.method}")
    if len(raw.values) > MAX_VALUES:
        raise _invalid(f"{_title(raw.method)} query has more than {MAX_VALUES} values")
    return handler(raw, schema, depth)


def _method_of(query: dict[str, object]) -> str:
    method = query.get("method")
    if method is None:
        raise _invalid("Query method is missing")
    if not isinstance(method, str):
        raise _invalid(f"Invalid query method. Must be a string, got {_json_type(method)}")
    return method


def _attribute_of(query: dict[str, object]) -> str:
    attribute = query.get("attribute")
    if attribute is None:
        return ""
    if not isinstance(attribute, str):
        raise _invalid(f"Invalid query attribute. Must be a string, got {_json_type(attribute)}")
    return attribute


def _values_of(query: dict[str, object]) -> list[object]:
    values = query.get("values")
    if values is None:
        return []
    if not isinstance(values, list):
        raise _invalid(f"Invalid query values. Must be an array, got {_json_type(values)}")
    return values


def _title(method: str) -> str:
    """`notEqual` -> `NotEqual`, for the start of a message."""
    return method[:1].upper() + method[1:]


# Filters -------------------------------------------------------------------------------------


def _parse_filter(query: _RawQuery, schema: Schema, depth: int) -> Filter:
    _check_value_count(query)
    attribute_type = _attribute_type(query.attribute, schema)
    _check_method_fits(query, attribute_type)
    if query.method in _ANY_VALUES:
        return Filter(query.method, query.attribute)
    values = tuple(_typed_value(value, attribute_type, query.attribute) for value in query.values)
    return Filter(query.method, query.attribute, values)


def _check_value_count(query: _RawQuery) -> None:
    count = len(query.values)
    title = _title(query.method)
    if query.method in _AT_LEAST_ONE_VALUE and count < 1:
        raise _invalid(f"{title} queries require at least one value")
    if query.method in _EXACTLY_ONE_VALUE and count != 1:
        raise _invalid(f"{title} queries require exactly one value, got {count}")
    if query.method in _EXACTLY_TWO_VALUES and count != 2:
        raise _invalid(f"{title} queries require exactly two values, got {count}")


def _attribute_type(attribute: str, schema: Schema) -> AttributeType:
    found = schema.get(attribute)
    if found is not None:
        return found
    head, dot, _ = attribute.partition(".")
    if dot and head in schema:
        raise _invalid(f"Cannot query nested attribute on: {head}")
    raise _invalid(f"Attribute not found in schema: {attribute}")


def _check_method_fits(query: _RawQuery, attribute_type: AttributeType) -> None:
    method, attribute = query.method, query.attribute
    if attribute_type is AttributeType.STRING_ARRAY:
        if method not in _ARRAY_METHODS:
            raise _invalid(
                f'Cannot query {method} on attribute "{attribute}" because it is an array.'
            )
        return
    if method in _CONTAINS_METHODS and attribute_type is not AttributeType.STRING:
        reason = "because it is not an array or string."
        raise _invalid(f'Cannot query {method} on attribute "{attribute}" {reason}')
    if method in _TEXT_METHODS and attribute_type is not AttributeType.STRING:
        raise _invalid(
            f'Cannot query {method} on attribute "{attribute}" because it is not a string.'
        )


def _typed_value(value: object, attribute_type: AttributeType, attribute: str) -> Value:
    converted = _CONVERTERS[attribute_type](value)
    if converted is None:
        raise _invalid(f'Query value is invalid for attribute "{attribute}"')
    return converted


def _as_string(value: object) -> str | None:
    """A string the databases can store: no NUL character (PostgreSQL refuses it)."""
    return value if isinstance(value, str) and "\x00" not in value else None


def _as_boolean(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _as_integer(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if SMALLEST_INTEGER <= value <= LARGEST_INTEGER else None


def _as_datetime(value: object) -> datetime | None:
    """An ISO 8601 date or date-time, as naive UTC, inside years 1..9999."""
    if not isinstance(value, str):
        return None
    try:
        return clock.parse(value)
    except (OverflowError, ValueError):  # a time-zone shift past year 1 or 9999
        return None


_CONVERTERS: dict[AttributeType, Callable[[object], Value | None]] = {
    AttributeType.STRING: _as_string,
    AttributeType.STRING_ARRAY: _as_string,
    AttributeType.BOOLEAN: _as_boolean,
    AttributeType.INTEGER: _as_integer,
    AttributeType.DATETIME: _as_datetime,
}


# Logical -------------------------------------------------------------------------------------


def _parse_logical(query: _RawQuery, schema: Schema, depth: int) -> Logical:
    title = _title(query.method)
    if depth >= MAX_NESTING:
        raise _invalid(f"Queries can be nested at most {MAX_NESTING} levels deep")
    members = [_parse_member(value, schema, depth + 1) for value in query.values]
    conditions: list[Condition] = [
        member for member in members if isinstance(member, Filter | Logical)
    ]
    if len(conditions) != len(members):
        raise _invalid(f"{title} queries can only contain filter queries")
    if len(conditions) < 2:
        raise _invalid(f"{title} queries require at least two queries")
    method: Literal["and", "or"] = "and" if query.method == "and" else "or"
    return Logical(method, tuple(conditions))


def _parse_member(value: object, schema: Schema, depth: int) -> _Parsed:
    """A nested query: an object as the SDKs send it, or a JSON string holding one."""
    if isinstance(value, str):
        value = _decode_object(value)
    if not isinstance(value, dict):
        raise _invalid("Syntax error")
    return _parse_query(value, schema, depth)


# Orders, paging and cursors ------------------------------------------------------------------


def _parse_order(query: _RawQuery, schema: Schema, depth: int) -> Order:
    direction: Literal["asc", "desc"] = "asc" if query.method == "orderAsc" else "desc"
    if not query.attribute:
        return Order(DEFAULT_ORDER_ATTRIBUTE, direction)
    if _attribute_type(query.attribute, schema) is AttributeType.STRING_ARRAY:
        raise _invalid(f'Cannot order by attribute "{query.attribute}" because it is an array.')
    return Order(query.attribute, direction)


def _parse_random_order(query: _RawQuery, schema: Schema, depth: int) -> Order:
    return Order("", "random")


def _parse_limit(query: _RawQuery, schema: Schema, depth: int) -> _Paging:
    limit = _whole_number(_single_value(query))
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        raise _invalid(f"Invalid limit: Value must be an integer between 1 and {MAX_LIMIT}")
    return _Paging("limit", limit)


def _parse_offset(query: _RawQuery, schema: Schema, depth: int) -> _Paging:
    offset = _whole_number(_single_value(query))
    if offset is None or not 0 <= offset <= LARGEST_INTEGER:
        raise _invalid(f"Invalid offset: Value must be an integer between 0 and {LARGEST_INTEGER}")
    return _Paging("offset", offset)


def _parse_cursor(query: _RawQuery, schema: Schema, depth: int) -> Cursor:
    document_id = _single_value(query)
    if not isinstance(document_id, str) or _UID.fullmatch(document_id) is None:
        raise _invalid(
            "Invalid cursor: Value must be a document ID of at most 36 characters from a-z, A-Z,"
            " 0-9, period, hyphen and underscore, not starting with a special character"
        )
    direction: Literal["after", "before"] = "after" if query.method == "cursorAfter" else "before"
    return Cursor(document_id, direction)


def _single_value(query: _RawQuery) -> object:
    if len(query.values) != 1:
        count = len(query.values)
        raise _invalid(f"{_title(query.method)} queries require exactly one value, got {count}")
    return query.values[0]


def _whole_number(value: object) -> int | None:
    """An int, a float with an integral value (SDKs send some numbers as floats), or a
    string of digits (Appwrite's numeric check takes those too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,19}", value):
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


_HANDLERS: dict[str, _Handler] = {
    **dict.fromkeys(FILTER_METHODS, _parse_filter),
    "and": _parse_logical,
    "or": _parse_logical,
    "orderAsc": _parse_order,
    "orderDesc": _parse_order,
    "orderRandom": _parse_random_order,
    "limit": _parse_limit,
    "offset": _parse_offset,
    "cursorAfter": _parse_cursor,
    "cursorBefore": _parse_cursor,
}


# Assembly ------------------------------------------------------------------------------------


def _assemble(parsed: list[_Parsed]) -> ListQuery:
    conditions = tuple(item for item in parsed if isinstance(item, Filter | Logical))
    orders = tuple(item for item in parsed if isinstance(item, Order))
    cursor = next((item for item in parsed if isinstance(item, Cursor)), None)
    return ListQuery(
        conditions=conditions,
        orders=orders,
        limit=_first_paging(parsed, "limit", DEFAULT_LIMIT),
        offset=_first_paging(parsed, "offset", 0),
        cursor=cursor,
    )


def _first_paging(parsed: list[_Parsed], method: str, default: int) -> int:
    for item in parsed:
        if isinstance(item, _Paging) and item.method == method:
            return item.value
    return default
