"""Clean-up that keeps the database small: run in the background, never on a request."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from anyio import to_thread
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from rosterd.errors import ServerError
from rosterd.services import Services

log = logging.getLogger("rosterd.maintenance")


def run_once(services: Services) -> dict[str, int]:
    """Delete expired sessions, tokens and MFA challenges, old activity records and past
    abuse counters."""
    return {
        "sessions": services.sessions.delete_expired(),
        "tokens": services.tokens.delete_expired(),
        "challenges": services.mfa.delete_expired_challenges(),
        "sign-ins": services.oauth.delete_expired(),
        "logs": services.audit.forget_old(),
        "counters": services.accounts.prune_counters(),
    }


async def _every(services: Services, seconds: int) -> None:
    while True:
        await asyncio.sleep(seconds)
        try:
            removed = await run_in_threadpool(run_once, services)
        except ServerError:
            log.warning("maintenance skipped: the database is unavailable")
        except Exception:
            log.exception("maintenance failed; it runs again after the interval")
        else:
            log.info("maintenance removed %s", removed)


@asynccontextmanager
async def lifespan(app: Starlette) -> AsyncIterator[None]:
    """Run `run_once` every ROSTERD_MAINTENANCE_INTERVAL seconds while the app serves."""
    services: Services = app.state.services
    to_thread.current_default_thread_limiter().total_tokens = services.settings.threads
    task = asyncio.create_task(_every(services, services.settings.maintenance_interval))
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
