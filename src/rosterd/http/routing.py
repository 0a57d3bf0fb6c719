"""The route table: each REST route with the SDK operation it serves.

    operation("POST", "/users", create_user, "users.create", "user")

An operation is named as the official SDKs name it (`<namespace>.<method>`, with any
deprecated spellings after a `|`), and says which response model it returns ("none" for
a 204). The GraphQL schema is derived from these routes and the endpoints' declarations.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from starlette.routing import BaseRoute, Match, Mount, Route, Router
from starlette.types import Receive, Scope, Send

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


class IndexedRouter(Router):
    """A router that tries only the routes with the request's first segment (`users` in
    `/users/{userId}`) and number of segments, in their declared order; a route with a
    `{name:path}` parameter, which may span segments, is tried for any number.

    Starlette's router tries every route in turn: with a few hundred routes that is
    about 34 regular expressions before `GET /users/{userId}`. A request that no route
    of its group matches fully goes to Starlette's own walk over every route, so 404s,
    405s and slash redirects are answered exactly as before."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        super().__init__(routes=list(routes))
        shapes = [_shape(getattr(route, "path", "")) for route in self.routes]
        if any(first.startswith("{") for first, _ in shapes):
            raise ValueError("every route must start with a fixed segment")
        self._groups: dict[tuple[str, int], list[BaseRoute]] = {}
        for first, count in set(shapes):
            wanted = {(first, count), (first, _ANY)}
            members = [r for r, shape in zip(self.routes, shapes, strict=True) if shape in wanted]
            self._groups[first, count] = members
        methods = set().union(*(getattr(route, "methods", None) or () for route in self.routes))
        #: Each group narrowed to the routes that take a method (a route without a method
        #: list takes any): only these can match in full.
        self._by_method = {
            (*shape, method): [r for r in group if _takes(r, method)]
            for shape, group in self._groups.items()
            for method in methods
        }

    def _group(self, scope: Scope) -> list[BaseRoute]:
        first, count = _shape(_route_path(scope))
        for shape in ((first, count), (first, _ANY)):
            group = self._by_method.get((*shape, scope["method"]))
            if group is None:  # a method no route names: every route of the shape
                group = self._groups.get(shape)
            if group:
                return group
        return []

    async def app(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for route in self._group(scope):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:
                    scope.setdefault("router", self)
                    scope["route"] = route
                    scope.update(child_scope)
                    await route.handle(scope, receive, send)
                    return
        await super().app(scope, receive, send)


_ANY = -1


def _takes(route: BaseRoute, method: str) -> bool:
    methods = getattr(route, "methods", None)
    return methods is None or method in methods


def _shape(path: str) -> tuple[str, int]:
    """The first segment and the number of segments (`_ANY` when a parameter spans them)."""
    segments = path.strip("/").split("/")
    return segments[0], _ANY if ":path}" in path else len(segments)


def _route_path(scope: Scope) -> str:
    """The path below the mount (as Starlette's router sees it)."""
    path: str = scope["path"]
    root: str = scope.get("root_path", "")
    if root and path.startswith(root) and path[len(root) : len(root) + 1] in ("/", ""):
        return path[len(root) :]
    return path
