"""`GET /v1/users/{userId}/logs`: a user's activity, newest first (limit and offset only)."""

from __future__ import annotations

from starlette.routing import BaseRoute

from rosterd.audit import models
from rosterd.errors import ArgumentInvalid
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.listing import QUERIES, TOTAL, list_query
from rosterd.http.params import Param
from rosterd.http.routing import operation
from rosterd.validators import UID


@endpoint(
    scopes=("users.read",),
    params=(
        Param("userId", UID()),
        QUERIES,
        TOTAL,
    ),
)
def list_logs(call: Call) -> Output:
    query = list_query(call, {})
    if query.conditions or query.orders or query.cursor:
        raise ArgumentInvalid(
            "Invalid `queries` param: Invalid query: only limit and offset are allowed"
        )
    user = call.services.users.get(call.project_id, call.params["userId"])
    rows, total = call.services.audit.about(
        call.project_id, user.id, query.limit, query.offset, call.params["total"]
    )
    documents = [models.log(row, call.services.countries) for row in rows]
    return Output("logList", {"total": total, "logs": documents})


ROUTES: list[BaseRoute] = [
    operation("GET", "/users/{userId}/logs", list_logs, "users.listLogs", "logList")
]
