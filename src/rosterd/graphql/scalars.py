"""The custom scalars: `Assoc` (a JSON object, e.g. prefs) and `Json` (any JSON value).

Both take a value as a GraphQL literal (`prefs: {theme: "dark"}`) or as a string holding
JSON (`prefs: "{}"`, as the Appwrite documentation writes it), in a query or a variable.
"""

from __future__ import annotations

import json
from typing import Any

from graphql import GraphQLScalarType, StringValueNode, Undefined, ValueNode, value_from_ast_untyped


def _decoded(value: Any) -> Any:
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value)
    except ValueError:
        raise ValueError("Value must be a valid JSON string") from None


def _object(value: Any) -> dict[str, Any]:
    decoded = _decoded(value)
    if not isinstance(decoded, dict):
        raise TypeError("Value must be a valid object")
    return decoded


def _literal(node: ValueNode, variables: dict[str, Any] | None = None) -> Any:
    if isinstance(node, StringValueNode):
        return _decoded(node.value)
    value = value_from_ast_untyped(node, variables)
    if _has_undefined(value):
        raise ValueError("Value refers to a variable that was not given")
    return value


def _has_undefined(value: Any) -> bool:
    if value is Undefined:
        return True
    if isinstance(value, dict):
        return any(_has_undefined(item) for item in value.values())
    if isinstance(value, list):
        return any(_has_undefined(item) for item in value)
    return False


def _object_literal(node: ValueNode, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    return _object(_literal(node, variables))


def _identity(value: Any) -> Any:
    return value


ASSOC = GraphQLScalarType(
    "Assoc",
    description="A JSON object, written as an object or as a string of JSON.",
    serialize=_identity,
    parse_value=_object,
    parse_literal=_object_literal,
)

JSON = GraphQLScalarType(
    "Json",
    description="Any JSON value, written as a literal or as a string of JSON.",
    serialize=_identity,
    parse_value=_decoded,
    parse_literal=_literal,
)
