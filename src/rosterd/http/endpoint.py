"""One decorator turns a plain function into an authenticated, validated endpoint.

    @endpoint(scopes=("users.read",), params=(Param("search", Text(256), optional=True),))
    def list_users(call: Call) -> Output: ...

The function runs in a worker thread (services block on the database and on
password hashing) and returns an `Output`, or None for a 204.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rosterd.errors import UserBlocked
from rosterd.http import formats
from rosterd.http.auth import Caller, authenticate
from rosterd.http.params import Param, parse_query_string, read_body, validate
from rosterd.http.responses import json_response, no_content
from rosterd.services import Services
from rosterd.sessions.service import Client
from rosterd.store.users import UserRow


@dataclass(frozen=True)
class Cookie:
    """A cookie to set (or, with `value` None, to delete) on the response."""

    name: str
    value: str | None
    expires: datetime | None = None
    same_site: Literal["lax", "strict", "none"] | None = None


@dataclass(frozen=True)
class Output:
    model: str
    data: Any
    status: int = 200
    cookies: tuple[Cookie, ...] = ()


@dataclass(frozen=True)
class Call:
    caller: Caller
    params: dict[str, Any]
    services: Services
    response_format: formats.Version
    client: Client
    secure: bool

    @property
    def project_id(self) -> str:
        return self.caller.project_id

    @property
    def user(self) -> UserRow:
        """The signed-in user (only on routes whose scopes only users hold)."""
        assert self.caller.user is not None
        return self.caller.user


Handler = Callable[[Call], Output | None]
Endpoint = Callable[[Request], Awaitable[Response]]


async def _supplied(request: Request, services: Services) -> dict[str, Any]:
    if request.method in ("GET", "HEAD"):
        supplied = parse_query_string(request.url.query)
    else:
        supplied = await read_body(request, services.settings.max_body_bytes)
    return {**supplied, **request.path_params}


def _client(request: Request, caller: Caller) -> Client:
    """The client's address (the first X-Forwarded-For hop is trusted, as in Appwrite)."""
    forwarded = request.headers.get("x-forwarded-for", "").split(",")[0].strip()
    ip = forwarded or (request.client.host if request.client else "")
    agent = request.headers.get("user-agent", "")
    if caller.is_key:
        agent = request.headers.get("x-forwarded-user-agent", "") or agent
    return Client(ip=ip, user_agent=agent or "UNKNOWN")


def _render(output: Output, version: formats.Version, secure: bool) -> Response:
    if output.status == 204:
        response = no_content()
    else:
        data = formats.downgrade(output.model, output.data, version)
        response = json_response(data, output.status)
    for cookie in output.cookies:
        if cookie.value is None:
            response.delete_cookie(cookie.name, path="/", httponly=True, secure=secure)
            continue
        response.set_cookie(
            cookie.name,
            cookie.value,
            expires=cookie.expires.replace(tzinfo=UTC) if cookie.expires else None,
            path="/",
            httponly=True,
            secure=secure,
            samesite=cookie.same_site,
        )
    return response


def endpoint(
    *, scopes: Sequence[str], params: Sequence[Param] = ()
) -> Callable[[Handler], Endpoint]:
    def decorate(handler: Handler) -> Endpoint:
        async def respond(request: Request) -> Response:
            services: Services = request.app.state.services
            caller = await run_in_threadpool(authenticate, request, services)
            caller.require(*scopes)
            if caller.user is not None and not caller.user.status:
                raise UserBlocked()
            values = validate(params, await _supplied(request, services))
            version = formats.parse_version(request.headers.get("x-appwrite-response-format"))
            secure = request.url.scheme == "https"
            call = Call(caller, values, services, version, _client(request, caller), secure)
            output = await run_in_threadpool(handler, call)
            if output is None:
                return no_content()
            return _render(output, version, secure)

        respond.__name__ = handler.__name__
        respond.__doc__ = handler.__doc__
        return respond

    return decorate
