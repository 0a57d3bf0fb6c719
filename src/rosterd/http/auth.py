"""Who is calling: the project, and the scopes their credentials hold.

Credentials, first match wins: an API key (`X-Appwrite-Key`); else a session from the
cookie `a_session_<project>` (or its `_legacy` twin), the `X-Appwrite-Session` header,
or the `X-Fallback-Cookies` header; else a guest.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

from starlette.requests import Request

from rosterd import clock
from rosterd.audit import Actor
from rosterd.errors import (
    ProjectIdMissing,
    ProjectKeyExpired,
    ProjectNotFound,
    UnauthorizedScope,
    UserJwtAndCookieSet,
    UserJwtInvalid,
)
from rosterd.http.clients import hostname
from rosterd.jwts.service import InvalidToken
from rosterd.services import Services
from rosterd.sessions.service import Client
from rosterd.store.projects import KeyRow
from rosterd.store.sessions import SessionRow
from rosterd.store.users import UserRow
from rosterd.validators import is_email, is_phone, is_uid

_COMMON = frozenset({"global", "health.read", "graphql", "locale.read", "avatars.read"})
#: Every API key holds these besides its own scopes.
_KEY_EXTRAS = frozenset({"global", "health.read", "graphql"})
_GUEST_SCOPES = _COMMON | {"sessions.write"}
_MEMBER_SCOPES = _COMMON | {
    "account",
    "sessions.write",
    "teams.read",
    "teams.write",
    "targets.read",
    "targets.write",
    "subscribers.write",
}


@dataclass(frozen=True)
class Caller:
    project_id: str
    scopes: frozenset[str]
    role: str
    email: str
    user: UserRow | None = None
    session: SessionRow | None = None
    #: Authenticated by `X-Appwrite-JWT` rather than a session secret.
    via_jwt: bool = False
    #: The session came from the `X-Fallback-Cookies` header.
    via_fallback: bool = False
    #: The signed-in user acting as `user` through the impersonation headers.
    impersonator: UserRow | None = None
    #: The API key, for key callers.
    key: KeyRow | None = None

    @property
    def is_key(self) -> bool:
        return self.key is not None

    def actor(self, client: Client, mode: str, host: str) -> Actor:
        """Who the activity log names for this request (an impersonator, not their target)."""
        where = {"ip": client.ip, "user_agent": client.user_agent, "mode": mode}
        if self.key is not None:
            return Actor("keyProject", self.key.id, self.email, self.key.name, **where)
        person = self.impersonator or self.user
        if person is None:
            email = f"guest.{self.project_id}@service.{host}"
            return Actor("guest", "", email, "Guest", **where)
        impersonated = self.user.id if self.impersonator and self.user else None
        return Actor(
            "admin" if mode == "admin" else "user",
            person.id,
            person.email or "",
            person.name,
            user_id=person.id,
            impersonated=impersonated,
            **where,
        )

    def require(self, *scopes: str) -> None:
        """Pass when the caller holds at least one of `scopes` (never without a project)."""
        if not self.project_id or self.scopes.isdisjoint(scopes):
            self.refuse(*scopes)

    def refuse(self, *scopes: str) -> NoReturn:
        missing = json.dumps(list(scopes), separators=(",", ":"))
        raise UnauthorizedScope(f"{self.email} (role: {self.role}) missing scopes ({missing})")

    @property
    def people(self) -> tuple[UserRow | None, UserRow | None]:
        """The user acted as, and the impersonator acting (both must not be blocked)."""
        return self.user, self.impersonator

    @property
    def session_owner(self) -> UserRow | None:
        """Whose session authenticated the request: the impersonator when there is one."""
        return self.impersonator or self.user


def _project_id(request: Request) -> str:
    return request.headers.get("x-appwrite-project") or request.query_params.get("project", "")


def session_cookie(project_id: str) -> str:
    return f"a_session_{project_id}"


def _credentials(request: Request, project_id: str) -> tuple[str, bool]:
    """The session credentials sent, and whether they came from `X-Fallback-Cookies`."""
    name = session_cookie(project_id)
    cookie = request.cookies.get(name) or request.cookies.get(name + "_legacy")
    if cookie:
        return cookie, False
    header = request.headers.get("x-appwrite-session", "")
    if header:
        return header, False
    try:
        fallback = json.loads(request.headers.get("x-fallback-cookies", "") or "{}")
    except (ValueError, RecursionError):
        return "", False
    value = fallback.get(name, "") if isinstance(fallback, dict) else ""
    return (value, True) if isinstance(value, str) and value else ("", False)


def authenticate(request: Request, services: Services) -> Caller:
    project_id = _project_id(request)
    secret = request.headers.get("x-appwrite-key", "")
    key = services.projects.key(secret) if secret else None
    if key is not None and key.project_id != project_id:
        raise ProjectIdMissing()
    if not project_id or project_id == "console":
        return Caller("", _GUEST_SCOPES, "guests", "User")
    if not is_uid(project_id):
        raise ProjectNotFound()
    if key is None:
        if not services.projects.exists(project_id):
            raise ProjectNotFound()
        return _session_or_guest(request, services, project_id)
    if key.expire is not None and key.expire < clock.now():
        raise ProjectKeyExpired()
    host = hostname(request) or "localhost"
    email = f"app.{project_id}@service.{host}"
    scopes = frozenset(key.scopes) | _KEY_EXTRAS
    return Caller(project_id, scopes, "applications", email, key=key)


def _session_or_guest(request: Request, services: Services, project_id: str) -> Caller:
    guest = Caller(project_id, _GUEST_SCOPES, "guests", "User")
    credentials, via_fallback = _credentials(request, project_id)
    token = request.headers.get("x-appwrite-jwt", "")
    if token:
        if credentials:
            raise UserJwtAndCookieSet()
        found = _from_jwt(services, project_id, token)
    else:
        found = services.sessions.authenticate(project_id, credentials) if credentials else None
    if found is None:
        return guest
    user, session = found
    target = _impersonated(request, services, user)
    if target is None:
        user = services.users.touch(user)
    return Caller(
        project_id,
        _MEMBER_SCOPES | ({"users.read"} if user.impersonator else set()),
        "users",
        user.email or "User",
        user=target or user,
        session=session,
        via_jwt=bool(token),
        via_fallback=via_fallback,
        impersonator=user if target else None,
    )


def _from_jwt(
    services: Services, project_id: str, token: str
) -> tuple[UserRow, SessionRow | None] | None:
    """The user (and session) a JWT names; None when its session has ended."""
    try:
        claims = services.jwts.check(project_id, token)
    except InvalidToken:
        raise UserJwtInvalid() from None
    user = services.users.find(project_id, "id", claims.user_id)
    if user is None:
        return None
    if not claims.session_id:
        return user, None
    session = services.sessions.find(user, claims.session_id)
    return None if session is None else (user, session)


_IMPERSONATION = (
    ("id", "user-id", "userid"),
    ("email", "email", "email"),
    ("phone", "phone", "phone"),
)


def _impersonated(request: Request, services: Services, user: UserRow) -> UserRow | None:
    """The user an impersonator asks to act as (header, else query parameter), if found."""
    if not user.impersonator:
        return None
    for attribute, header, parameter in _IMPERSONATION:
        value = request.headers.get(f"x-appwrite-impersonate-{header}") or _query_value(
            request, f"impersonate{parameter}"
        )
        if value:
            checked = _IMPERSONATION_VALUES[attribute](value)
            return services.users.find(user.project_id, attribute, checked) if checked else None
    return None


def _valid(check: Callable[[str], bool], value: str, normal: str) -> str:
    return normal if check(value) else ""


_IMPERSONATION_VALUES: dict[str, Callable[[str], str]] = {
    "id": lambda value: _valid(is_uid, value, value),
    "email": lambda value: _valid(is_email, value, value.strip().lower()),
    "phone": lambda value: _valid(is_phone, value, value),
}


def _query_value(request: Request, lowercase_name: str) -> str:
    for name, value in request.query_params.items():
        if name.lower() == lowercase_name:
            return value
    return ""
