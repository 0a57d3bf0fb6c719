"""`rosterd projects create --id ID [--name NAME]`."""

from __future__ import annotations

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
