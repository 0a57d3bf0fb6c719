"""Parse, validate (with the depth, complexity and introspection settings) and execute."""

from __future__ import annotations

from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

from graphql import (
    DocumentNode,
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
from starlette.concurrency import run_in_threadpool

from rosterd.errors import GraphqlMethodUnsupported
from rosterd.graphql.context import Context
from rosterd.graphql.limits import limits_rule
from rosterd.settings import Settings

#: Far more than any real operation has (the longest documented example has under 50;
#: the standard introspection query about 300); parsing stops past it, which also bounds
#: the spec's overlapping-fields check, whose work grows with the square of the fields.
MAX_TOKENS = 2000


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
            limits_rule(self.max_depth, self.max_complexity, variables),
        ]
        if not self.introspection:
            rules.append(NoSchemaIntrospectionCustomRule)
        return rules

    def _checked(self, request: Request) -> DocumentNode | list[GraphQLError]:
        """The parsed document, or why it cannot run (in a worker thread: a large document
        takes a while to parse and validate, and must not hold up other requests)."""
        try:
            document = parse(request.query, max_tokens=MAX_TOKENS)
        except GraphQLError as error:
            return [error]
        errors = validate(self.schema, document, self._rules(request.variables))
        return list(errors) if errors else document

    async def run(self, request: Request, context: Context, mutations: bool) -> dict[str, Any]:
        """The GraphQL result of one operation (`{"data"}` and/or `{"errors"}`).

        With `mutations` false (GET), a mutation is refused before anything runs."""
        checked = await run_in_threadpool(self._checked, request)
        if isinstance(checked, list):
            return {"errors": [error.formatted for error in checked]}
        document = checked
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
