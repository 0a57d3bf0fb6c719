"""GraphQL object types for the response models (shapes in `rosterd.graphql.shapes`)."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLField,
    GraphQLInt,
    GraphQLList,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    GraphQLUnionType,
)

from rosterd.graphql import shapes
from rosterd.graphql.scalars import JSON

SCALARS: dict[str, GraphQLOutputType] = {
    "String": GraphQLString,
    "Boolean": GraphQLBoolean,
    "Int": GraphQLInt,
    "Json": JSON,
    "[String]": GraphQLList(GraphQLString),
}

Resolver = Callable[[Any, GraphQLResolveInfo], Any]


def field_name(key: str) -> str:
    """`$id` -> `_id`: GraphQL names cannot hold `$`."""
    return key.replace("$", "_")


def type_name(model: str) -> str:
    return model[:1].upper() + model[1:]


def _key_reader(*keys: str) -> Resolver:
    """Read the first of `keys` the document has (argon2 options are stored snake_case)."""

    def resolve(source: Any, _info: GraphQLResolveInfo) -> Any:
        for key in keys:
            if key in source:
                return source[key]
        return None

    return resolve


def _snake(name: str) -> str:
    return "".join("_" + char.lower() if char.isupper() else char for char in name)


class ModelTypes:
    """Builds each model's object type once, on first use."""

    def __init__(self) -> None:
        self._built: dict[str, GraphQLOutputType] = {}

    def of(self, model: str) -> GraphQLOutputType:
        model = shapes.SAME_AS.get(model, model)
        if model not in self._built:
            self._built[model] = self._build(model)
        return self._built[model]

    def _build(self, model: str) -> GraphQLOutputType:
        if model == shapes.NONE_MODEL:
            return _STATUS
        if model in shapes.ANY_MODELS:
            return _any_type(type_name(model))
        if model == "hashOptions":
            return _HASH_OPTIONS
        return GraphQLObjectType(type_name(model), lambda: self._fields(shapes.MODELS[model]))

    def _fields(self, declared: tuple[str, ...]) -> dict[str, GraphQLField]:
        fields = {}
        for entry in declared:
            key, _, kind = entry.partition(":")
            fields[field_name(key)] = GraphQLField(
                self._kind(kind or "String"), resolve=_key_reader(key)
            )
        return fields

    def _kind(self, kind: str) -> GraphQLOutputType:
        if kind.startswith("[@"):
            return GraphQLList(self.of(kind[2:-1]))
        if kind.startswith("@"):
            return self.of(kind[1:])
        return SCALARS[kind]


def _any_type(name: str) -> GraphQLObjectType:
    """An "any" model: its one field `data` is the object as a JSON string."""

    def data(source: Any, _info: GraphQLResolveInfo) -> str:
        # As PHP's json_encode writes it, like Appwrite: `/` and non-ASCII escaped.
        return json.dumps(source, separators=(",", ":")).replace("/", "\\/")

    return GraphQLObjectType(name, {"data": GraphQLField(GraphQLString, resolve=data)})


_STATUS = GraphQLObjectType(
    "None",
    {"status": GraphQLField(GraphQLString, resolve=lambda _source, _info: "OK")},
    description="The answer of an operation with no content (every delete).",
)


def _algorithm_type(name: str, declared: tuple[str, ...]) -> GraphQLObjectType:
    fields = {}
    for entry in declared:
        key, _, kind = entry.partition(":")
        fields[key] = GraphQLField(SCALARS[kind or "String"], resolve=_key_reader(key, _snake(key)))
    return GraphQLObjectType(name, fields)


_ALGORITHM_TYPES = {
    algorithm: _algorithm_type(name, declared)
    for algorithm, (name, declared) in shapes.ALGORITHMS.items()
}


def _algorithm_of(options: Any, _info: GraphQLResolveInfo, _type: Any) -> str | None:
    algorithm = options.get("type") if isinstance(options, dict) else None
    found = _ALGORITHM_TYPES.get(algorithm or "sha")
    return found.name if found else None


_HASH_OPTIONS = GraphQLUnionType(
    "HashOptions", list(_ALGORITHM_TYPES.values()), resolve_type=_algorithm_of
)
