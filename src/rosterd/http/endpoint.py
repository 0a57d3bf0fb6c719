"""One decorator turns a plain function into an authenticated, validated endpoint.

    @endpoint(scopes=("users.read",), params=(Param("search", Text(256), optional=True),))
    def list_users(call: Call) -> Output: ...

The function runs in a worker thread (services block on the database and on
password hashing) and returns an `Output`, or None for a 204.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, Literal
from urllib.parse import urlsplit

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from rosterd.audit import Actor
from rosterd.errors import UserBlocked, UserMoreFactorsRequired
from rosterd.http import formats
from rosterd.http.auth import Caller, authenticate
from rosterd.http.params import Param, query_of, read_body, validate
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
class Site:
    """Where the request was sent, and from which page (the Origin header)."""

    host: str
    secure: bool
    origin_host: str
    #: `scheme://host[:port]` of the request, as the client sent it.
    base_url: str = ""

    @property
    def cookie_domain(self) -> str | None:
        """`.host` so subdomains share the session; none for localhost and IP addresses."""
        if self.host == "localhost" or _is_ip(self.host):
            return None
        return "." + self.host

    @property
    def cross_site(self) -> bool:
        """The page's registrable domain differs from the API's (cookies may be blocked)."""
        return bool(self.origin_host) and _registrable(self.origin_host) != _registrable(self.host)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def _registrable(host: str) -> str:
    return host if _is_ip(host) else ".".join(host.split(".")[-2:])


@dataclass(frozen=True)
class Output:
    model: str
    data: Any
    status: int = 200
    cookies: tuple[Cookie, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Call:
    """What a handler is given. Who sent the request (`client`), where to (`site`) and
    who acts (`actor`) are read from the request when first asked for: most reads never
    ask, and reading them costs a get a tenth of its time."""

    caller: Caller
    params: dict[str, Any]
    services: Services
    response_format: formats.Version
    request: Request

    @property
    def project_id(self) -> str:
        return self.caller.project_id

    @cached_property
    def site(self) -> Site:
        return request_site(self.request)

    @cached_property
    def client(self) -> Client:
        return _client(self.request, self.caller, self.services)

    @cached_property
    def actor(self) -> Actor:
        mode = self.request.headers.get("x-appwrite-mode", "default")
        return self.caller.actor(self.client, mode if mode in MODES else "default", self.site.host)

    @property
    def user(self) -> UserRow:
        """The signed-in user (only on routes whose scopes only users hold)."""
        assert self.caller.user is not None
        return self.caller.user


Handler = Callable[[Call], Output | None]
MODES = ("default", "admin")
Endpoint = Callable[[Request], Awaitable[Response]]


async def _supplied(request: Request, services: Services) -> dict[str, Any]:
    if request.method in ("GET", "HEAD"):
        supplied = query_of(request)
    else:
        supplied = await read_body(request, services.settings.max_body_bytes)
    return {**supplied, **request.path_params}


def _client(request: Request, caller: Caller, services: Services) -> Client:
    """Who sent the request; a server (an API key) may name its own client's user agent."""
    client = request_client(request, services)
    forwarded = request.headers.get("x-forwarded-user-agent", "") if caller.is_key else ""
    return Client(client.ip, forwarded) if forwarded else client


def request_site(request: Request) -> Site:
    origin = urlsplit(request.headers.get("origin", "")).hostname or ""
    base = f"{request.url.scheme}://{request.url.netloc}"
    return Site(request.url.hostname or "", request.url.scheme == "https", origin, base)


def request_client(request: Request, services: Services) -> Client:
    """Who sent the request: address (through trusted proxies) and user agent."""
    peer = request.client.host if request.client else ""
    ip = services.proxies.client_ip(peer, request.headers.get("x-forwarded-for", ""))
    return Client(ip=ip, user_agent=request.headers.get("user-agent", "") or "UNKNOWN")


def set_cookie(response: Response, cookie: Cookie, site: Site) -> None:
    domain, secure = site.cookie_domain, site.secure
    if cookie.value is None:
        response.delete_cookie(cookie.name, "/", domain, secure, httponly=True)
        return
    response.set_cookie(
        cookie.name,
        cookie.value,
        expires=cookie.expires.replace(tzinfo=UTC) if cookie.expires else None,
        path="/",
        domain=domain,
        secure=secure,
        httponly=True,
        samesite=cookie.same_site,
    )


def needs_more_factors(caller: Caller, services: Services) -> bool:
    """A user with MFA on and a verified factor, whose session has fewer than two factors
    (reference §1.3 step 6). Keys are exempt; the factors are looked up only when MFA is on."""
    owner = caller.session_owner
    if caller.is_key or owner is None or not owner.mfa:
        return False
    factors = caller.session.factors if caller.session is not None else []
    return len(factors) < 2 and services.mfa.has_verified_factors(owner)


@dataclass(frozen=True)
class Spec:
    """What an endpoint declares: the REST route and the GraphQL field both read it."""

    handler: Handler
    scopes: Sequence[str]
    params: Sequence[Param]
    keys_only: bool
    mfa_exempt: bool
    point_read: bool = False
    #: For a handler that only reads: whether these parameters make its read as short
    #: as a point read (`_on_the_loop`). Its reads share one transaction either way.
    short_read: Callable[[Mapping[str, Any]], bool] | None = None


@dataclass(frozen=True)
class Result:
    """A handler's output with the version it is to be shaped for."""

    output: Output | None
    version: formats.Version
    call: Call
    via_fallback: bool


_SPECS: dict[Endpoint, Spec] = {}


def spec_of(route_endpoint: Callable[..., Any]) -> Spec | None:
    """The declaration behind an endpoint made by `@endpoint` (None for any other)."""
    return _SPECS.get(route_endpoint)


async def invoke(spec: Spec, request: Request, supplied: dict[str, Any]) -> Result:
    """Authenticate the request, validate `supplied` and run the handler.

    REST passes the request's own parameters; GraphQL passes a field's arguments with
    the outer request, so both share authentication, validation and errors. All of it
    runs in one worker-thread call (each hop to the thread pool costs more than a
    primary-key read), or on the event loop for a short read (`_on_the_loop`)."""
    if _on_the_loop(request) and _is_short(spec, supplied):
        # A point read reads one or two statements, each its own transaction.
        return _run(spec, request, supplied) if spec.point_read else _read(spec, request, supplied)
    if spec.short_read is not None:
        return await run_in_threadpool(_read, spec, request, supplied)
    return await run_in_threadpool(_run, spec, request, supplied)


def _is_short(spec: Spec, supplied: Mapping[str, Any]) -> bool:
    return spec.point_read or (spec.short_read is not None and spec.short_read(supplied))


def _read(spec: Spec, request: Request, supplied: dict[str, Any]) -> Result:
    """`_run` for a handler that only reads: its reads share one connection and
    transaction, which would each cost more than a short read."""
    services: Services = request.app.state.services
    with services.database.one_read():
        return _run(spec, request, supplied)


def _on_the_loop(request: Request) -> bool:
    """Whether a short read may run on the event loop: on SQLite, for an API key.

    A hop to the thread pool costs more than the whole read, and threads fighting over
    the GIL halve throughput under concurrency. On SQLite the read is local and short,
    and a key caller's authentication writes nothing (a session's may wait for the
    writer). PostgreSQL reads wait on the network, so they keep the thread."""
    services: Services = request.app.state.services
    return services.database.is_sqlite and bool(request.headers.get("x-appwrite-key"))


def _run(spec: Spec, request: Request, supplied: dict[str, Any]) -> Result:
    services: Services = request.app.state.services
    caller = authenticate(request, services)
    caller.require(*spec.scopes)
    if spec.keys_only and not caller.is_key:
        caller.refuse(*spec.scopes)
    if any(person is not None and not person.status for person in caller.people):
        raise UserBlocked()
    if not spec.mfa_exempt and needs_more_factors(caller, services):
        raise UserMoreFactorsRequired()
    values = validate(spec.params, supplied)
    version = formats.parse_version(request.headers.get("x-appwrite-response-format"))
    call = Call(caller, values, services, version, request)
    return Result(spec.handler(call), version, call, caller.via_fallback)


#: Statuses whose answer is only a `Location` header.
REDIRECTS = frozenset({301, 302, 303, 307})


def render(output: Output, version: formats.Version, call: Call) -> Response:
    """The HTTP response for an output: its model shaped for `version`, and its cookies
    (for the call's site)."""
    if output.status == 204:
        response = no_content()
    elif output.status in REDIRECTS:
        response = Response(status_code=output.status, headers=output.headers)
    else:
        data = formats.downgrade(output.model, output.data, version)
        response = json_response(data, output.status, headers=output.headers)
    for cookie in output.cookies:
        set_cookie(response, cookie, call.site)
    return response


def endpoint(
    *,
    scopes: Sequence[str],
    params: Sequence[Param] = (),
    keys_only: bool = False,
    mfa_exempt: bool = False,
    point_read: bool = False,
    short_read: Callable[[Mapping[str, Any]], bool] | None = None,
) -> Callable[[Handler], Endpoint]:
    """`keys_only`: refuse every caller but an API key, whatever scopes it holds (the
    Users API routes that `sessions.*` scopes would otherwise open to users and guests).
    `mfa_exempt`: serve sessions that still owe an MFA challenge (Appwrite's `mfa` group).
    `point_read`: the handler only reads a few rows by key, each statement on its own
    (see `_on_the_loop`; on SQLite a lone statement is its own transaction).
    `short_read`: the handler only reads, and this tells from the request's parameters
    whether it reads as little as a point read."""

    def decorate(handler: Handler) -> Endpoint:
        spec = Spec(
            handler, tuple(scopes), tuple(params), keys_only, mfa_exempt, point_read, short_read
        )

        async def respond(request: Request) -> Response:
            services: Services = request.app.state.services
            result = await invoke(spec, request, await _supplied(request, services))
            if result.output is None:
                response = no_content()
            else:
                response = render(result.output, result.version, result.call)
            if result.via_fallback:
                response.headers["x-debug-fallback"] = "true"
            return response

        respond.__name__ = handler.__name__
        respond.__doc__ = handler.__doc__
        _SPECS[respond] = spec
        return respond

    return decorate
