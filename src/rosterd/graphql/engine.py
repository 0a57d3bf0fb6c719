"""Parse, validate (with the depth, complexity and introspection settings) and execute."""

from __future__ import annotations

from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    GraphQLError,
    GraphQLSchema,
    NoSchemaIntrospectionCustomRule,
    OperationType,
    execute,
    get_operation_ast,
    parse,
    specified_rules,
    validate,
)

from rosterd.errors import GraphqlMethodUnsupported
from rosterd.graphql.context import Context
from rosterd.graphql.limits import complexity_rule, depth_rule
from rosterd.settings import Settings


@dataclass(frozen=True)
class Request:
    """One operation of a GraphQL request."""

    query: str
    variables: dict[str, Any]
    operation_name: str | None


class Engine:
    def __init__(self, schema: GraphQLSchema, settings: Settings) -> None:
        self.schema = schema
        self.max_batch = settings.graphql_max_batch
        self.max_depth = settings.graphql_max_depth
        self.max_complexity = settings.graphql_max_complexity
        self.introspection = settings.graphql_introspection

    def _rules(self, variables: dict[str, Any]) -> list[type]:
        rules: list[type] = [
            *specified_rules,
            depth_rule(self.max_depth, variables),
            complexity_rule(self.max_complexity, variables),
        ]
        if not self.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        return rules

    async def run(self, request: Request, context: Context, mutations: bool) -> dict[str, Any]:
        """The GraphQL result of one operation (`{"data"}` and/or `{"errors"}`).

        With `mutations` false (GET), a mutation is refused before anything runs."""
        try:
            document = parse(request.query)
        except GraphQLError as error:
            return {"errors": [error.formatted]}
        errors = validate(self.schema, document, self._rules(request.variables))
        if errors:
            return {"errors": [error.formatted for error in errors]}
        operation = get_operation_ast(document, request.operation_name)
        if not mutations and operation and operation.operation == OperationType.MUTATION:
            raise GraphqlMethodUnsupported()
        result = execute(
            self.schema,
            document,
            context_value=context,
            variable_values=request.variables,
            operation_name=request.operation_name,
        )
        if isawaitable(result):
            result = await result
        return dict(result.formatted)
