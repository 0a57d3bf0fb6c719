"""`rosterd serve [--host H] [--port P] [--workers N]`."""

from __future__ import annotations

import os

import click

from rosterd.cli import workers
from rosterd.cli.common import open_services
from rosterd.projects.service import SCOPES
from rosterd.services import Services
from rosterd.sessions import parser_process
from rosterd.settings import Settings

DEFAULT_PROJECT = "default"


def _first_start(services: Services, endpoint: str) -> None:
    """On an empty database: a `default` project and an all-scopes key, shown once."""
    if not services.projects.is_empty():
        return
    services.projects.create(DEFAULT_PROJECT, "Default project")
    new = services.projects.create_key(DEFAULT_PROJECT, list(SCOPES), "default key")
    click.echo(
        "rosterd created a project and an API key with every scope. The key is shown "
        "only now; keep it.\n"
        f"  endpoint:   {endpoint}\n"
        f"  project id: {DEFAULT_PROJECT}\n"
        f"  api key:    {new.secret}"
    )


def _run(settings: Settings) -> None:
    workers.serve(
        "rosterd.app:create_app_from_environ",
        settings.workers,
        factory=True,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        # rosterd decides itself whom to believe (ROSTERD_TRUSTED_PROXIES).
        proxy_headers=False,
    )


@click.command()
@click.option("--host", default=None, help="Address to listen on (ROSTERD_HOST).")
@click.option("--port", type=int, default=None, help="Port to listen on (ROSTERD_PORT).")
@click.option("--workers", type=int, default=None, help="Worker processes (ROSTERD_WORKERS).")
def serve(host: str | None, port: int | None, workers: int | None) -> None:
    """Serve the API under /v1."""
    overrides = {"ROSTERD_HOST": host, "ROSTERD_PORT": port, "ROSTERD_WORKERS": workers}
    for name, value in overrides.items():
        if value is not None:
            os.environ[name] = str(value)
    settings = Settings.from_environ()
    services = open_services(settings)
    endpoint = f"http://{settings.host}:{settings.port}/v1"
    _first_start(services, endpoint)
    click.echo(f"rosterd serves {endpoint} on {settings.database_url}")
    services.database.dispose()
    parser = parser_process.start()  # before the workers, which find it in the environment
    try:
        _run(settings)
    finally:
        if parser is not None:
            parser.stop()
