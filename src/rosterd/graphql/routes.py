"""`/v1/graphql`: GET (queries only), POST and POST `/mutation` (reference §10.1).

A POST body is one operation (`{"query", "operationName", "variables"}`), a batch (an array
of them), or the query text itself (`Content-Type: application/graphql`). With the header
`x-sdk-graphql: true`, as the official SDKs send, the operation is under the key `query`.
The answer is the GraphQL result, or an array of them, with status 200; when a field ran a
route that answers 204 (every delete), the whole answer is 204 with an empty body.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from rosterd.errors import (
    ArgumentInvalid,
    GraphqlMethodUnsupported,
    GraphqlNoQuery,
    GraphqlTooManyQueries,
)
from rosterd.graphql.context import Context
from rosterd.graphql.engine import Engine
from rosterd.graphql.engine import Request as Operation
from rosterd.http.auth import authenticate
from rosterd.http.params import query_of, read_body_bytes
from rosterd.http.responses import error_response, json_response, no_content


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.graphql
    return engine


def _operation(payload: Any) -> Operation:
    if not isinstance(payload, dict):
        raise ArgumentInvalid("Each GraphQL operation must be a JSON object.")
    query = payload.get("query")
    if not isinstance(query, str) or not query.strip():
        raise GraphqlNoQuery()
    variables = payload.get("variables") or {}
    if isinstance(variables, str):
        variables = _json(variables, "variables")
    if not isinstance(variables, dict):
        raise ArgumentInvalid("Invalid `variables` param: Value must be a valid object")
    name = payload.get("operationName") or None
    if name is not None and (not isinstance(name, str) or len(name) > 256):
        raise ArgumentInvalid("Invalid `operationName` param: Value must be a valid string")
    return Operation(query, variables, name)


def _json(text: str, what: str) -> Any:
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        raise ArgumentInvalid(f"The GraphQL {what} is not valid JSON.") from None


async def _posted(request: Request) -> Any:
    """The operation or batch a POST carries."""
    services = request.app.state.services
    raw = await read_body_bytes(request, services.settings.max_body_bytes)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type == "application/graphql":
        return {"query": raw.decode("utf-8", "replace")}
    if not raw.strip():
        raise GraphqlNoQuery()
    payload = _json(raw.decode("utf-8", "replace"), "request body")
    if request.headers.get("x-sdk-graphql", "").lower() == "true" and isinstance(payload, dict):
        payload = payload.get("query")
    return payload


async def _answer(request: Request, payload: Any, *, mutations: bool) -> Response:
    # The project (and credentials) must hold before anything runs, introspection included.
    await run_in_threadpool(authenticate, request, request.app.state.services)
    engine, context = _engine(request), Context(request)
    if isinstance(payload, list):
        if not payload:
            raise GraphqlNoQuery()
        if len(payload) > engine.max_batch:
            raise GraphqlTooManyQueries()
        operations = [_operation(item) for item in payload]
        results: Any = [await engine.run(op, context, mutations) for op in operations]
    else:
        results = await engine.run(_operation(payload), context, mutations)
    response = no_content() if context.no_content else json_response(results)
    return context.apply(response)


async def graphql_post(request: Request) -> Response:
    return await _answer(request, await _posted(request), mutations=True)


async def graphql_get(request: Request) -> Response:
    """Queries only: a mutation over GET is refused with 405 and `Allow: POST`."""
    params = query_of(request)
    try:
        return await _answer(request, params, mutations=False)
    except GraphqlMethodUnsupported as error:
        response = error_response(error)
        response.headers["allow"] = "POST"
        return response


ROUTES: list[BaseRoute] = [
    Route("/graphql", graphql_get, methods=["GET"]),
    Route("/graphql", graphql_post, methods=["POST"]),
    Route("/graphql/mutation", graphql_post, methods=["POST"]),
]
