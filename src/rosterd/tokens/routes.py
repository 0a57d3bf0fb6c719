"""`POST /v1/users/{userId}/tokens`: a single-use secret to exchange for a session."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rosterd.clock import to_wire
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.validators import UID, Range


@endpoint(
    scopes=("users.write",),
    params=(
        Param("userId", UID()),
        Param("length", Range(4, 128), optional=True, default=6),
        Param("expire", Range(60, 31_536_000), optional=True, default=900),
    ),
)
def create_token(call: Call) -> Output:
    user = call.services.users.get(call.project_id, call.params["userId"])
    length, lifetime = call.params["length"], call.params["expire"]
    new = call.services.tokens.create(user, length, lifetime, call.client, actor=call.actor)
    document = {
        "$id": new.token.id,
        "$createdAt": to_wire(new.token.created_at),
        "userId": user.id,
        "secret": new.secret if call.caller.is_key else "",
        "expire": to_wire(new.token.expire),
        "phrase": "",
    }
    return Output("token", document, 201)


ROUTES: list[BaseRoute] = [
    operation("POST", "/users/{userId}/tokens", create_token, "users.createToken", "token")
]
