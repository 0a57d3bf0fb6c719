"""The static-body floor: Starlette under uvicorn, answering `BENCH_STATIC_BODY`'s bytes
(a user as `GET /v1/users/{id}` returns it) as JSON, for any path."""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BENCH_STATIC_BODY"]).read_bytes()


async def static(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", static)])
