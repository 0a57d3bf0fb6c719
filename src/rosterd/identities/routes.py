"""HTTP handlers for `/v1/users/identities` (project-wide, not under one user)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.listing import LIST_PARAMS, QUERIES, TOTAL, list_query
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.identities import models
from rosterd.store.identities import IDENTITY_SCHEMA
from rosterd.users.routes import READ, WRITE
from rosterd.validators import UID


@endpoint(scopes=READ, params=LIST_PARAMS)
def list_identities(call: Call) -> Output:
    query = list_query(call, IDENTITY_SCHEMA)
    rows, total = call.services.identities.list(
        call.project_id, query, call.params["search"], call.params["total"]
    )
    data = models.identity_list(rows, total, with_tokens=call.caller.is_key)
    return Output("identityList", data)


@endpoint(scopes=WRITE, params=(Param("identityId", UID()),))
def delete_identity(call: Call) -> None:
    call.services.identities.delete(call.project_id, call.params["identityId"], actor=call.actor)


@endpoint(scopes=("account",), params=(QUERIES, TOTAL))
def list_own_identities(call: Call) -> Output:
    query = list_query(call, IDENTITY_SCHEMA)
    identities = call.services.identities
    rows, total = identities.list(call.project_id, query, "", call.params["total"], call.user)
    return Output("identityList", models.identity_list(rows, total, with_tokens=True))


@endpoint(scopes=("account",), params=(Param("identityId", UID()),))
def delete_own_identity(call: Call) -> None:
    identity_id = call.params["identityId"]
    call.services.identities.delete(call.project_id, identity_id, actor=call.actor, owner=call.user)


#: Registered before the Users routes, so that `/users/identities` is not a user id.
ROUTES: list[BaseRoute] = [
    operation("GET", "/users/identities", list_identities, "users.listIdentities", "identityList"),
    operation(
        "DELETE",
        "/users/identities/{identityId}",
        delete_identity,
        "users.deleteIdentity",
        "none",
    ),
    operation(
        "GET",
        "/account/identities",
        list_own_identities,
        "account.listIdentities",
        "identityList",
    ),
    operation(
        "DELETE",
        "/account/identities/{identityId}",
        delete_own_identity,
        "account.deleteIdentity",
        "none",
    ),
]
