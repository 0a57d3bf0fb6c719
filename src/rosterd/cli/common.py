"""What every command needs: settings from the environment and a migrated database."""

from __future__ import annotations

import click
from sqlalchemy.exc import OperationalError

from rosterd.services import Services
from rosterd.settings import Settings


def open_services(settings: Settings | None = None) -> Services:
    """Services over the configured database, migrated; exits 1 if it is unreachable."""
    try:
        services = Services.build(settings or Settings.from_environ())
    except ValueError as error:
        raise click.ClickException(f"invalid setting: {error}") from None
    try:
        services.database.migrate()
    except OperationalError as error:
        reason = str(error.orig).strip().splitlines()[0] if error.orig else str(error)
        raise click.ClickException(f"cannot open the database: {reason}") from None
    return services


def open_project(project_id: str) -> Services:
    """`open_services()`, for a project that must exist (else exits 1)."""
    services = open_services()
    if not services.projects.exists(project_id):
        raise click.ClickException(f"no project {project_id!r}")
    return services
