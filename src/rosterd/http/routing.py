"""The route table: each REST route with the SDK operation it serves.

    operation("POST", "/users", create_user, "users.create", "user")

An operation is named as the official SDKs name it (`<namespace>.<method>`, with any
deprecated spellings after a `|`), and says which response model it returns ("none" for
a 204). The GraphQL schema is derived from these routes and the endpoints' declarations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Mount, Route

from rosterd.http.endpoint import Endpoint, Spec, spec_of


@dataclass(frozen=True)
class Operation:
    namespace: str
    names: tuple[str, ...]
    model: str
    http_method: str
    path: str
    spec: Spec
    #: What one call costs in a GraphQL operation's complexity (1; more for password checks).
    cost: int = 1


class OperationRoute(Route):
    """A Starlette route that also carries the SDK operation it serves."""

    def __init__(self, path: str, handler: Endpoint, op: Operation) -> None:
        super().__init__(path, handler, methods=[op.http_method])
        self.operation = op


def operation(
    http_method: str, path: str, handler: Endpoint, sdk: str, model: str, *, cost: int = 1
) -> Route:
    """A route for `handler`, named `sdk` ("users.create" or "users.updateMfa|updateMFA")."""
    spec = spec_of(handler)
    if spec is None:
        raise TypeError(f"{handler.__name__} is not an @endpoint")
    namespace, _, names = sdk.partition(".")
    op = Operation(namespace, tuple(names.split("|")), model, http_method, path, spec, cost)
    return OperationRoute(path, handler, op)


def operations(routes: Sequence[BaseRoute]) -> Iterator[Operation]:
    """Every operation in a route table, mounts included, in declaration order."""
    for route in routes:
        if isinstance(route, OperationRoute):
            yield route.operation
        elif isinstance(route, Mount):
            yield from operations(route.routes)
