"""Who is calling: the project, and the scopes their credentials hold."""

from __future__ import annotations

import json
from dataclasses import dataclass

from starlette.requests import Request

from rosterd import clock
from rosterd.errors import ProjectIdMissing, ProjectKeyExpired, ProjectNotFound, UnauthorizedScope
from rosterd.projects.service import Projects

#: Every API key holds these besides its own scopes.
_KEY_EXTRAS = frozenset({"global", "health.read", "graphql"})
_GUEST_SCOPES = frozenset({"global", "health.read", "graphql", "sessions.write"})


@dataclass(frozen=True)
class Caller:
    project_id: str
    scopes: frozenset[str]
    role: str
    email: str
    is_key: bool

    def require(self, *scopes: str) -> None:
        """Pass when the caller holds at least one of `scopes`."""
        if self.scopes.isdisjoint(scopes):
            missing = json.dumps(list(scopes))
            raise UnauthorizedScope(f"{self.email} (role: {self.role}) missing scopes ({missing})")


def _project_id(request: Request) -> str:
    return request.headers.get("x-appwrite-project") or request.query_params.get("project", "")


def authenticate(request: Request, projects: Projects) -> Caller:
    project_id = _project_id(request)
    secret = request.headers.get("x-appwrite-key", "")
    key = projects.key(secret) if secret else None
    if key is not None and key.project_id != project_id:
        raise ProjectIdMissing()
    if not project_id or project_id == "console":
        return Caller("", _GUEST_SCOPES, "guests", "User", is_key=False)
    if key is None:
        if not projects.exists(project_id):
            raise ProjectNotFound()
        return Caller(project_id, _GUEST_SCOPES, "guests", "User", is_key=False)
    if key.expire is not None and key.expire < clock.now():
        raise ProjectKeyExpired()
    host = request.url.hostname or "localhost"
    email = f"app.{project_id}@service.{host}"
    return Caller(project_id, frozenset(key.scopes) | _KEY_EXTRAS, "applications", email, True)
