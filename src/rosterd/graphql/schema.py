"""The GraphQL schema, derived from the REST route table (reference §10.2).

Each operation becomes one field per SDK name (`usersList`, `usersUpdateMfa` and
`usersUpdateMFA`...): GET routes under `Query`, the others under `Mutation`. Arguments are
the REST parameters, typed from their validators, required when the parameter is. A
field's resolver runs the REST endpoint's own code with the outer request's credentials.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from graphql import (
    GraphQLArgument,
    GraphQLBoolean,
    GraphQLError,
    GraphQLField,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLResolveInfo,
    GraphQLSchema,
    GraphQLString,
)

from rosterd.errors import AppwriteError
from rosterd.graphql.context import Context
from rosterd.graphql.scalars import ASSOC
from rosterd.graphql.types import ModelTypes
from rosterd.http import formats
from rosterd.http.endpoint import invoke
from rosterd.http.params import Param
from rosterd.http.routing import Operation
from rosterd.validators import Kind

log = logging.getLogger("rosterd")

_ARGUMENT_TYPES: dict[Kind, GraphQLInputType] = {
    "string": GraphQLString,
    "boolean": GraphQLBoolean,
    "integer": GraphQLInt,
    "strings": GraphQLList(GraphQLString),
    "object": ASSOC,
}


def _argument(param: Param) -> GraphQLArgument:
    """Required parameters are non-null; so are the items of a required array."""
    kind = param.validator.kind
    if param.optional:
        return GraphQLArgument(_ARGUMENT_TYPES[kind])
    if kind == "strings":
        return GraphQLArgument(GraphQLNonNull(GraphQLList(GraphQLNonNull(GraphQLString))))
    return GraphQLArgument(GraphQLNonNull(_ARGUMENT_TYPES[kind]))


def field_names(op: Operation) -> list[str]:
    return [op.namespace + name[:1].upper() + name[1:] for name in op.names]


def _error(error: AppwriteError) -> GraphQLError:
    """The REST error's message, with its type and code for clients that want them."""
    extensions = {"type": error.type, "code": error.code}
    return GraphQLError(error.message, extensions=extensions, original_error=error)


def _resolver(op: Operation) -> Any:
    async def resolve(_root: Any, info: GraphQLResolveInfo, **arguments: Any) -> Any:
        context: Context = info.context
        try:
            result = await invoke(op.spec, context.request, arguments)
        except AppwriteError as error:
            raise _error(error) from error
        except Exception as error:  # what REST answers 500 to: logged, never shown
            log.error("unexpected error in %s", info.field_name, exc_info=error)
            raise _error(AppwriteError()) from error
        output = result.output
        context.via_fallback = context.via_fallback or result.via_fallback
        if output is not None:
            context.keep(output, result.call)
        if output is None or output.status == 204:
            context.no_content = True
            return {}
        return formats.downgrade(output.model, output.data, result.version)

    return resolve


def _field(op: Operation, types: ModelTypes) -> GraphQLField:
    arguments = {param.name: _argument(param) for param in op.spec.params}
    extensions = {"cost": op.cost} if op.cost != 1 else None
    return GraphQLField(types.of(op.model), arguments, resolve=_resolver(op), extensions=extensions)


def build_schema(operations: Iterable[Operation]) -> GraphQLSchema:
    types = ModelTypes()
    queries: dict[str, GraphQLField] = {}
    mutations: dict[str, GraphQLField] = {}
    for op in operations:
        fields = queries if op.http_method == "GET" else mutations
        for name in field_names(op):
            if name in fields:
                raise ValueError(f"two operations are named {name}")
            fields[name] = _field(op, types)
    return GraphQLSchema(
        GraphQLObjectType("Query", queries),
        GraphQLObjectType("Mutation", mutations) if mutations else None,
    )
