"""ROSTERD_THREADS bounds the worker threads a process runs blocking work on."""

from __future__ import annotations

from pathlib import Path

import anyio
from anyio import to_thread

from rosterd import maintenance
from rosterd.app import create_app
from rosterd.services import Services
from rosterd.settings import Settings


def test_the_thread_limit_follows_the_setting(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'threads.db'}").replace(threads=3)
    services = Services.build(settings)
    services.database.migrate()
    app = create_app(settings, services)

    async def limit_while_serving() -> float:
        async with maintenance.lifespan(app):
            return to_thread.current_default_thread_limiter().total_tokens

    assert anyio.run(limit_while_serving) == 3
    assert Settings().threads == 4
    services.database.dispose()
