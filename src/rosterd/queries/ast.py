"""Typed, validated queries. The store compiles these to SQL; nothing here knows SQL."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import Literal, TypeAlias


class AttributeType(Enum):
    """What a queryable attribute holds, which decides the methods and values it accepts."""

    STRING = "string"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    INTEGER = "integer"
    STRING_ARRAY = "string[]"


#: Attribute name as clients spell it (`name`, `$createdAt`) -> its type.
Schema: TypeAlias = Mapping[str, AttributeType]

#: The attributes every collection has.
SYSTEM_ATTRIBUTES: Schema = {
    "$id": AttributeType.STRING,
    "$createdAt": AttributeType.DATETIME,
    "$updatedAt": AttributeType.DATETIME,
    "$sequence": AttributeType.INTEGER,
}

#: A value after validation: strings, booleans, datetimes (naive UTC) or integers.
Value: TypeAlias = str | bool | datetime | int


@dataclass(frozen=True)
class Filter:
    """`equal`, `lessThan`, `contains`, `search`, `isNull`, ... on one attribute."""

    method: str
    attribute: str
    values: tuple[Value, ...] = ()


@dataclass(frozen=True)
class Logical:
    """`and` / `or` over two or more conditions."""

    method: Literal["and", "or"]
    conditions: tuple[Condition, ...]


Condition: TypeAlias = Filter | Logical


@dataclass(frozen=True)
class Order:
    """One ordering; `random` has no attribute."""

    attribute: str
    direction: Literal["asc", "desc", "random"]


@dataclass(frozen=True)
class Cursor:
    """Page strictly after / before the document with this id in the current order."""

    document_id: str
    direction: Literal["after", "before"]


DEFAULT_LIMIT = 25


@dataclass(frozen=True)
class ListQuery:
    """Everything a list endpoint needs: filters AND-ed, orders, and the page."""

    conditions: tuple[Condition, ...] = ()
    orders: tuple[Order, ...] = ()
    limit: int = DEFAULT_LIMIT
    offset: int = 0
    cursor: Cursor | None = None
