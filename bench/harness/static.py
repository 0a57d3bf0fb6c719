"""The static-body floor: Starlette under uvicorn, answering `BENCH_STATIC_BODY`'s bytes
(a user as `GET /v1/users/{id}` returns it) as JSON, for any path, with its workers
arranged as rosterd's (`rosterd.cli.workers`)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from rosterd.cli import workers

BODY = Path(os.environ["BENCH_STATIC_BODY"]).read_bytes()


async def static(_request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", static)])


def main() -> None:
    """`python -m bench.harness.static PORT WORKERS`: served as `rosterd serve` serves,
    on the same server stack and the same worker arrangement."""
    port, count = int(sys.argv[1]), int(sys.argv[2])
    workers.serve("bench.harness.static:app", count, port=port, log_level="warning")


if __name__ == "__main__":
    main()
