"""One decorator turns a plain function into an authenticated, validated endpoint.

    @endpoint(scopes=("users.read",), params=(Param("search", Text(256), optional=True),))
    def list_users(call: Call) -> Output: ...

The function runs in a worker thread (services block on the database and on
password hashing) and returns an `Output`, or None for a 204.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rosterd.http import formats
from rosterd.http.auth import Caller, authenticate
from rosterd.http.params import Param, parse_query_string, read_body, validate
from rosterd.http.responses import json_response, no_content
from rosterd.services import Services


@dataclass(frozen=True)
class Output:
    model: str
    data: Any
    status: int = 200


@dataclass(frozen=True)
class Call:
    caller: Caller
    params: dict[str, Any]
    services: Services
    response_format: formats.Version

    @property
    def project_id(self) -> str:
        return self.caller.project_id


Handler = Callable[[Call], Output | None]
Endpoint = Callable[[Request], Awaitable[Response]]


async def _supplied(request: Request, services: Services) -> dict[str, Any]:
    if request.method in ("GET", "HEAD"):
        supplied = parse_query_string(request.url.query)
    else:
        supplied = await read_body(request, services.settings.max_body_bytes)
    return {**supplied, **request.path_params}


def endpoint(
    *, scopes: Sequence[str], params: Sequence[Param] = ()
) -> Callable[[Handler], Endpoint]:
    def decorate(handler: Handler) -> Endpoint:
        async def respond(request: Request) -> Response:
            services: Services = request.app.state.services
            caller = await run_in_threadpool(authenticate, request, services.projects)
            caller.require(*scopes)
            values = validate(params, await _supplied(request, services))
            version = formats.parse_version(request.headers.get("x-appwrite-response-format"))
            output = await run_in_threadpool(handler, Call(caller, values, services, version))
            if output is None:
                return no_content()
            return json_response(
                formats.downgrade(output.model, output.data, version), output.status
            )

        respond.__name__ = handler.__name__
        respond.__doc__ = handler.__doc__
        return respond

    return decorate
