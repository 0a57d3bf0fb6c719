"""`GET /v1/users/{userId}/logs`: a user's activity, newest first (limit and offset only)."""

from __future__ import annotations

from starlette.routing import BaseRoute, Route

from rosterd.audit import models
from rosterd.errors import ArgumentInvalid
from rosterd.http.endpoint import Call, Output, endpoint
from rosterd.http.params import Param
from rosterd.queries.parser import parse_queries
from rosterd.validators import UID, Boolean, Strings


@endpoint(
    scopes=("users.read",),
    params=(
        Param("userId", UID()),
        Param("queries", Strings(), optional=True, default=[]),
        Param("total", Boolean(loose=True), optional=True, default=True),
    ),
)
def list_logs(call: Call) -> Output:
    query = parse_queries(call.params["queries"], {})
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


ROUTES: list[BaseRoute] = [Route("/users/{userId}/logs", list_logs, methods=["GET"])]
