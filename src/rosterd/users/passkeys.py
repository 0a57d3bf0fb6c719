"""`/v1/users/{userId}/passkeys`: the 27.x SDK has these methods; rosterd has no passkeys yet.

Each route authenticates and checks its scope as the other Users routes do, then answers
501 `general_not_implemented`.
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.routing import BaseRoute, Route

from rosterd.errors import NotYetImplemented
from rosterd.http.endpoint import Call, Endpoint, endpoint
from rosterd.http.params import Param
from rosterd.users.routes import READ, USER_ID, WRITE
from rosterd.validators import UID

MESSAGE = "Passkeys are not supported by this server yet."
PASSKEY_ID = Param("passkeyId", UID())


def _not_yet(scopes: Sequence[str], *params: Param) -> Endpoint:
    def passkeys(_call: Call) -> None:
        raise NotYetImplemented(MESSAGE)

    return endpoint(scopes=scopes, params=(USER_ID, *params))(passkeys)


ROUTES: list[BaseRoute] = [
    Route("/users/{userId}/passkeys", _not_yet(READ), methods=["GET"]),
    Route("/users/{userId}/passkeys/{passkeyId}", _not_yet(READ, PASSKEY_ID), methods=["GET"]),
    Route("/users/{userId}/passkeys/{passkeyId}", _not_yet(WRITE, PASSKEY_ID), methods=["PATCH"]),
    Route("/users/{userId}/passkeys/{passkeyId}", _not_yet(WRITE, PASSKEY_ID), methods=["DELETE"]),
]
