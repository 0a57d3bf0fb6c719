"""Depth and complexity limits on GraphQL operations (Appwrite: 3 and 250 by default).

Both count the way Appwrite's GraphQL library (webonyx/graphql-php) does:

* depth: only fields with a sub-selection count, the operation's own fields being at 0,
  so `usersList { users { prefs { data } } }` is 2 deep;
* complexity: every field costs 1 plus what its sub-selection costs, and a list operation
  costs that once per page of 25 it asks for (its first `limit` query; 25 by default).
  Appwrite's own count multiplies by the whole page size, which refuses the examples of
  its documentation (`usersList` with a dozen fields) at the default limit of 250; a
  list of the default size here costs what one document does.

Introspection fields (`__schema`, `__type`) are not counted: whether they are served is
the introspection setting's business.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLNamedType,
    GraphQLObjectType,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationContext,
    ValidationRule,
    get_named_type,
    value_from_ast,
)

DEFAULT_PAGE = 25


class _Walker:
    """Measures one operation over the schema, with the request's fragments."""

    def __init__(self, context: ValidationContext, variables: dict[str, Any]) -> None:
        self.context = context
        self.variables = variables

    def _fields(
        self, selections: SelectionSetNode, parent: GraphQLNamedType | None
    ) -> list[tuple[FieldNode, GraphQLNamedType | None, GraphQLField | None]]:
        """The fields of a selection set, fragments flattened, introspection left out."""
        found: list[tuple[FieldNode, GraphQLNamedType | None, GraphQLField | None]] = []
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                if not selection.name.value.startswith("__"):
                    definition = _field_def(parent, selection.name.value)
                    found.append((selection, parent, definition))
            else:
                inner, condition = self._fragment(selection)
                if inner is not None:
                    found.extend(self._fields(inner, condition or parent))
        return found

    def _fragment(self, node: Any) -> tuple[SelectionSetNode | None, GraphQLNamedType | None]:
        if isinstance(node, InlineFragmentNode):
            condition = node.type_condition
            return node.selection_set, self._named(condition.name.value if condition else None)
        if isinstance(node, FragmentSpreadNode):
            fragment = self.context.get_fragment(node.name.value)
            if fragment is None:
                return None, None
            return fragment.selection_set, self._named(fragment.type_condition.name.value)
        return None, None

    def _named(self, name: str | None) -> GraphQLNamedType | None:
        return self.context.schema.get_type(name) if name else None

    def depth(self, selections: SelectionSetNode, parent: GraphQLNamedType | None, at: int) -> int:
        deepest = -1
        for node, _, definition in self._fields(selections, parent):
            if node.selection_set is None:
                continue
            child = get_named_type(definition.type) if definition else None
            deepest = max(deepest, at, self.depth(node.selection_set, child, at + 1))
        return deepest

    def complexity(self, selections: SelectionSetNode, parent: GraphQLNamedType | None) -> int:
        total = 0
        for node, _, definition in self._fields(selections, parent):
            child = get_named_type(definition.type) if definition else None
            inner = self.complexity(node.selection_set, child) if node.selection_set else 0
            total += (inner + 1) * self._pages(node, definition)
        return total

    def _pages(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many pages of the default size a list operation asks for (else 1)."""
        if definition is None or "queries" not in definition.args:
            return 1
        queries = _argument(node, definition, "queries", self.variables) or []
        for query in queries if isinstance(queries, list) else []:
            limit = _limit(query)
            if limit is not None:
                return -(-limit // DEFAULT_PAGE)
        return 1


def _field_def(parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
    if isinstance(parent, GraphQLObjectType):
        found: GraphQLField | None = parent.fields.get(name)
        return found
    return None


def _argument(node: FieldNode, definition: GraphQLField, name: str, variables: Any) -> Any:
    for argument in node.arguments or ():
        if argument.name.value == name:
            return value_from_ast(argument.value, definition.args[name].type, variables)
    return None


def _limit(query: Any) -> int | None:
    try:
        decoded = json.loads(query) if isinstance(query, str) else None
    except ValueError:
        return None
    if not isinstance(decoded, dict) or decoded.get("method") != "limit":
        return None
    values = decoded.get("values")
    if isinstance(values, list) and values and isinstance(values[0], int):
        return max(values[0], 1)
    return None


Measure = Callable[[_Walker, OperationDefinitionNode], int]


def _rule(what: str, maximum: int, measure: Measure, variables: dict[str, Any]) -> type:
    class Limit(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            found = measure(_Walker(self.context, variables), node)
            if found > maximum:
                message = f"Max query {what} should be {maximum} but got {found}."
                self.report_error(GraphQLError(message, node))

    return Limit


def depth_rule(maximum: int, variables: dict[str, Any]) -> type:
    return _rule(
        "depth",
        maximum,
        lambda walker, op: walker.depth(op.selection_set, _root(walker, op), 0),
        variables,
    )


def complexity_rule(maximum: int, variables: dict[str, Any]) -> type:
    return _rule(
        "complexity",
        maximum,
        lambda walker, op: walker.complexity(op.selection_set, _root(walker, op)),
        variables,
    )


def _root(walker: _Walker, op: OperationDefinitionNode) -> GraphQLNamedType | None:
    schema = walker.context.schema
    return schema.get_root_type(op.operation)
