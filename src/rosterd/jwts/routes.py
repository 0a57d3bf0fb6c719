"""`POST /v1/users/{userId}/jwts` and `POST /v1/account/jwts`: JWTs acting as a user."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from rosterd.errors import UserJwtCreationDenied, UserSessionNotFound
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.validators import UID, Range

DURATION = Param("duration", Range(0, 3600), optional=True, default=900)


@endpoint(
    scopes=("users.write",),
    params=(
        Param("userId", UID()),
        Param("sessionId", UID(), optional=True, default="recent"),
        DURATION,
    ),
)
def create_user_jwt(call: Call) -> Output:
    """Bound to the named (or most recent) session when it exists, else to no session."""
    user = call.services.users.get(call.project_id, call.params["userId"])
    session = call.services.sessions.find(user, call.params["sessionId"])
    session_id = session.id if session else ""
    token = call.services.jwts.issue(call.project_id, user.id, session_id, call.params["duration"])
    return Output("jwt", {"jwt": token}, 201)


@endpoint(scopes=("account",), params=(DURATION,))
def create_account_jwt(call: Call) -> Output:
    if call.caller.via_jwt:
        raise UserJwtCreationDenied()
    owner, session = call.caller.session_owner, call.caller.session
    if owner is None or session is None:
        raise UserSessionNotFound()
    token = call.services.jwts.issue(call.project_id, owner.id, session.id, call.params["duration"])
    return Output("jwt", {"jwt": token}, 201)


ROUTES: list[BaseRoute] = [
    operation("POST", "/users/{userId}/jwts", create_user_jwt, "users.createJWT", "jwt"),
    operation("POST", "/account/jwts", create_account_jwt, "account.createJWT", "jwt"),
    Route("/account/jwt", create_account_jwt, methods=["POST"]),
]
