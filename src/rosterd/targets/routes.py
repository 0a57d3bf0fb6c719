"""HTTP handlers for `/v1/users/{userId}/targets`."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.listing import QUERIES, TOTAL, list_query
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.store.targets import TARGET_SCHEMA, TargetRow
from rosterd.store.users import UserRow
from rosterd.targets import models
from rosterd.targets.service import TYPES, NewTarget
from rosterd.validators import UID, CustomId, Text, WhiteList

READ = ("users.read",)
WRITE = ("users.write",)
USER_ID = Param("userId", UID())
TARGET_ID = Param("targetId", UID())


def _user(call: Call) -> UserRow:
    return call.services.users.get(call.project_id, call.params["userId"])


def _target(row: TargetRow, user: UserRow, status: int = 200) -> Output:
    return Output("target", models.target(row, user.id), status)


@endpoint(
    scopes=WRITE,
    params=(
        USER_ID,
        Param("targetId", CustomId()),
        Param("providerType", WhiteList(TYPES)),
        Param("identifier", Text(255)),
        Param("providerId", UID(), optional=True, default=""),
        Param("name", Text(128), optional=True, default=""),
    ),
)
def create_target(call: Call) -> Output:
    user = _user(call)
    names = ("targetId", "providerType", "identifier", "providerId", "name")
    new = NewTarget(*(call.params[name] for name in names))
    return _target(call.services.targets.create(user, new, actor=call.actor), user, 201)


@endpoint(
    scopes=READ,
    params=(
        USER_ID,
        QUERIES,
        TOTAL,
    ),
)
def list_targets(call: Call) -> Output:
    user = _user(call)
    query = list_query(call, TARGET_SCHEMA, legacy_allowed=False)
    rows, total = call.services.targets.list(user, query, call.params["total"])
    documents = [models.target(row, user.id) for row in rows]
    return Output("targetList", {"total": total, "targets": documents})


@endpoint(scopes=READ, params=(USER_ID, TARGET_ID))
def get_target(call: Call) -> Output:
    user = _user(call)
    return _target(call.services.targets.get(user, call.params["targetId"]), user)


@endpoint(
    scopes=WRITE,
    params=(
        USER_ID,
        TARGET_ID,
        Param("identifier", Text(255), optional=True),
        Param("providerId", UID(), optional=True),
        Param("name", Text(128), optional=True),
    ),
)
def update_target(call: Call) -> Output:
    user = _user(call)
    changes = {name: call.params[name] for name in ("identifier", "providerId", "name")}
    row = call.services.targets.update(user, call.params["targetId"], changes, actor=call.actor)
    return _target(row, user)


@endpoint(scopes=WRITE, params=(USER_ID, TARGET_ID))
def delete_target(call: Call) -> None:
    call.services.targets.delete(_user(call), call.params["targetId"], actor=call.actor)


ROUTES: list[BaseRoute] = [
    operation("POST", "/users/{userId}/targets", create_target, "users.createTarget", "target"),
    operation("GET", "/users/{userId}/targets", list_targets, "users.listTargets", "targetList"),
    operation("GET", "/users/{userId}/targets/{targetId}", get_target, "users.getTarget", "target"),
    operation(
        "PATCH", "/users/{userId}/targets/{targetId}", update_target, "users.updateTarget", "target"
    ),
    operation(
        "DELETE", "/users/{userId}/targets/{targetId}", delete_target, "users.deleteTarget", "none"
    ),
]
