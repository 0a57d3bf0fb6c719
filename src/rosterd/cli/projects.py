"""`rosterd projects create --id ID [--name NAME]`."""

from __future__ import annotations

import json

import click

from rosterd.cli.common import open_services
from rosterd.projects.service import ProjectExists
from rosterd.validators import UID, Invalid


@click.group()
def projects() -> None:
    """Manage projects."""


@projects.command("create")
@click.option("--id", "project_id", required=True, help="Project id (up to 36 chars).")
@click.option("--name", default=None, help="Display name (defaults to the id).")
def create(project_id: str, name: str | None) -> None:
    """Create a project."""
    try:
        UID()(project_id)
    except Invalid as invalid:
        raise click.BadParameter(str(invalid), param_hint="--id") from None
    services = open_services()
    try:
        services.projects.create(project_id, name or project_id)
    except ProjectExists:
        raise click.ClickException(f"project {project_id!r} already exists") from None
    click.echo(f"created project {project_id}", err=True)


@projects.command("update")
@click.option("--id", "project_id", required=True, help="Project id.")
@click.option(
    "--session-duration",
    type=click.IntRange(60, 31_536_000 * 10),
    default=None,
    help="Seconds a new session lives (default one year).",
)
@click.option(
    "--max-sessions",
    type=click.IntRange(0, 100),
    default=None,
    help="Sessions a user keeps; older ones are dropped at sign-in (0: no limit).",
)
@click.option(
    "--invalidate-sessions/--keep-sessions",
    default=None,
    help="Whether changing a user's password deletes their sessions.",
)
def update(
    project_id: str,
    session_duration: int | None,
    max_sessions: int | None,
    invalidate_sessions: bool | None,
) -> None:
    """Change a project's authentication settings; prints them."""
    changes = {
        name: value
        for name, value in (
            ("session_duration", session_duration),
            ("max_sessions", max_sessions),
            ("invalidate_sessions", invalidate_sessions),
        )
        if value is not None
    }
    services = open_services()
    try:
        settings = services.projects.update_auth_settings(project_id, **changes)
    except KeyError:
        raise click.ClickException(f"no project {project_id!r}") from None
    click.echo(json.dumps(settings.stored(), sort_keys=True))
