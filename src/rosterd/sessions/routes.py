"""HTTP handlers for `/v1/users/{userId}/sessions`: administrators manage sessions."""

from __future__ import annotations

from dataclasses import replace

from starlette.routing import BaseRoute

from rosterd.errors import UserSessionNotFound
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.sessions import models
from rosterd.sessions.service import SessionKind
from rosterd.store.users import UserRow
from rosterd.validators import UID, Boolean, CustomId

READ = ("users.read", "sessions.read")
WRITE = ("users.write", "sessions.write")
USER_ID = Param("userId", UID())
SERVER = SessionKind("server", "", ("server",))


def _user(call: Call) -> UserRow:
    return call.services.users.get(call.project_id, call.params["userId"])


@endpoint(scopes=WRITE, params=(Param("userId", CustomId()),), keys_only=True)
def create_session(call: Call) -> Output:
    user = _user(call)
    # Server sessions do not count against the project's per-user cap (Appwrite: §2.17).
    settings = replace(call.services.projects.auth_settings(call.project_id), max_sessions=0)
    new = call.services.sessions.create(user, SERVER, call.client, settings, actor=call.actor)
    secret = new.credentials(user.id) if call.caller.is_key else ""
    return Output(
        "session", models.session(new.session, user.id, secret=secret, current=False), 201
    )


@endpoint(
    scopes=READ,
    params=(USER_ID, Param("total", Boolean(loose=True), optional=True, default=True)),
)
def list_sessions(call: Call) -> Output:
    user = _user(call)
    rows = call.services.sessions.list(user)
    documents = [models.session(row, user.id, secret="", current=False) for row in rows]
    total = len(documents) if call.params["total"] else 0
    return Output("sessionList", {"total": total, "sessions": documents})


@endpoint(scopes=WRITE, params=(USER_ID, Param("sessionId", UID())), keys_only=True)
def delete_session(call: Call) -> None:
    if not call.services.sessions.delete(_user(call), call.params["sessionId"], actor=call.actor):
        raise UserSessionNotFound()


@endpoint(scopes=WRITE, params=(USER_ID,), keys_only=True)
def delete_sessions(call: Call) -> None:
    call.services.sessions.delete_all(_user(call), actor=call.actor)


ROUTES: list[BaseRoute] = [
    operation("POST", "/users/{userId}/sessions", create_session, "users.createSession", "session"),
    operation(
        "GET", "/users/{userId}/sessions", list_sessions, "users.listSessions", "sessionList"
    ),
    operation(
        "DELETE", "/users/{userId}/sessions", delete_sessions, "users.deleteSessions", "none"
    ),
    operation(
        "DELETE",
        "/users/{userId}/sessions/{sessionId}",
        delete_session,
        "users.deleteSession",
        "none",
    ),
]
