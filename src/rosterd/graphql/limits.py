"""Depth and complexity limits on GraphQL operations (Appwrite: 3 and 250 by default).

* depth, as Appwrite's GraphQL library (webonyx/graphql-php) counts it: only fields with a
  sub-selection count, the operation's own fields being at 0, so
  `usersList { users { prefs { data } } }` is 2 deep;
* complexity: every field costs its own cost (1, or more for a field that checks a
  password) plus what its sub-selection costs, and a list operation costs that once per
  page of 25 it asks for (its `limit` query; 25 by default). Appwrite's count multiplies
  by the whole page size, which refuses the examples of its documentation (`usersList`
  with a dozen fields) at the default limit of 250.

Introspection fields count like any other, as in Appwrite. Each fragment is measured
once, however often it is spread, so nesting fragments cannot make the count explode.
"""

from __future__ import annotations

import json
import re
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
    value_from_ast_untyped,
)

from rosterd.queries.parser import MAX_LIMIT

DEFAULT_PAGE = 25
#: What a `limit` this count cannot read is taken to ask for: the most any list gives.
UNREADABLE_PAGES = -(-MAX_LIMIT // DEFAULT_PAGE)
_LEGACY_LIMIT = re.compile(r"\s*limit\(\s*(\d{1,12})\s*\)\s*")

#: (depth below, complexity) of a selection set.
Measure = tuple[int, int]


def field_cost(definition: GraphQLField | None) -> int:
    """A field's own cost: 1, or what its operation declares (signing in checks a password)."""
    if definition is None or not definition.extensions:
        return 1
    return int(definition.extensions.get("cost", 1))


class _Walker:
    """Measures an operation over the schema; fragments are measured once each."""

    def __init__(self, context: ValidationContext, variables: dict[str, Any]) -> None:
        self.context = context
        self.variables = variables
        self._fragments: dict[str, Measure] = {}

    def measure(self, selections: SelectionSetNode, parent: GraphQLNamedType | None) -> Measure:
        """How deep below this set fields with selections go (-1: none), and its cost."""
        deepest, cost = -1, 0
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                below, spent = self._field(selection, parent)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                named = self._named(condition.name.value) if condition else parent
                below, spent = self.measure(selection.selection_set, named)
            elif isinstance(selection, FragmentSpreadNode):
                below, spent = self._fragment(selection.name.value)
            deepest, cost = max(deepest, below), cost + spent
        return deepest, cost

    def _field(self, node: FieldNode, parent: GraphQLNamedType | None) -> Measure:
        definition = _field_def(parent, node.name.value)
        own = field_cost(definition)
        if node.selection_set is None:
            return -1, own
        child = get_named_type(definition.type) if definition else None
        below, inner = self.measure(node.selection_set, child)
        return max(0, below + 1), (inner + own) * self._pages(node, definition)

    def _fragment(self, name: str) -> Measure:
        if name not in self._fragments:
            self._fragments[name] = (-1, 0)  # a cycle (reported by the spec's own rule)
            fragment = self.context.get_fragment(name)
            if fragment is not None:
                named = self._named(fragment.type_condition.name.value)
                self._fragments[name] = self.measure(fragment.selection_set, named)
        return self._fragments[name]

    def _named(self, name: str | None) -> GraphQLNamedType | None:
        return self.context.schema.get_type(name) if name else None

    def _pages(self, node: FieldNode, definition: GraphQLField | None) -> int:
        """How many pages of the default size a list operation asks for (else 1)."""
        if definition is None or "queries" not in definition.args:
            return 1
        queries = _argument(node, definition, "queries", self.variables)
        items = queries if isinstance(queries, list) else [queries]
        pages = [_pages_of(query) for query in items if query is not None]
        return max([page for page in pages if page is not None], default=1)


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


def _pages_of(query: Any) -> int | None:
    """The pages a `limit` query asks for; None for another query. A `limit` this cannot
    read counts as the largest page, so no spelling the REST parser takes slips by."""
    if not isinstance(query, str) or "limit" not in query:
        return None
    legacy = _LEGACY_LIMIT.fullmatch(query)
    if legacy is not None:
        return -(-int(legacy.group(1)) // DEFAULT_PAGE)
    try:
        decoded = json.loads(query)
    except (ValueError, RecursionError):
        return UNREADABLE_PAGES
    if not isinstance(decoded, dict) or decoded.get("method") != "limit":
        return None
    values = decoded.get("values")
    number = values[0] if isinstance(values, list) and values else None
    limit = None
    if isinstance(number, int | float | str) and not isinstance(number, bool):
        try:
            limit = int(float(number))
        except (ValueError, OverflowError):
            limit = None
    if limit is None or not 1 <= limit <= MAX_LIMIT:
        return UNREADABLE_PAGES
    return -(-limit // DEFAULT_PAGE)


def _variables(op: OperationDefinitionNode, given: dict[str, Any]) -> dict[str, Any]:
    """The request's variables over the operation's defaults."""
    defaults = {
        definition.variable.name.value: value_from_ast_untyped(definition.default_value)
        for definition in op.variable_definitions or ()
        if definition.default_value is not None
    }
    return {**defaults, **given}


def limits_rule(max_depth: int, max_complexity: int, variables: dict[str, Any]) -> type:
    """One validation rule for both limits (an operation is measured once)."""

    class Limits(ValidationRule):
        def enter_operation_definition(self, node: OperationDefinitionNode, *_: Any) -> None:
            walker = _Walker(self.context, _variables(node, variables))
            root = self.context.schema.get_root_type(node.operation)
            depth, complexity = walker.measure(node.selection_set, root)
            for what, found, maximum in (
                ("depth", depth, max_depth),
                ("complexity", complexity, max_complexity),
            ):
                if found > maximum:
                    message = f"Max query {what} should be {maximum} but got {found}."
                    self.report_error(GraphQLError(message, node))

    return Limits
