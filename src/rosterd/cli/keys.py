"""`rosterd keys create --project ID --scopes S1,S2 [--name NAME]`: prints only the secret."""

from __future__ import annotations

import click

from rosterd.cli.common import open_services
from rosterd.projects.service import SCOPES, UnknownScopes


@click.group()
def keys() -> None:
    """Manage API keys."""


@keys.command("create")
@click.option("--project", "project_id", required=True, help="Project the key belongs to.")
@click.option("--scopes", required=True, help="Comma-separated scopes, or 'all'.")
@click.option("--name", default="rosterd key", help="Display name.")
def create(project_id: str, scopes: str, name: str) -> None:
    """Create an API key and print its secret, alone on one line."""
    wanted = (
        list(SCOPES) if scopes == "all" else [s.strip() for s in scopes.split(",") if s.strip()]
    )
    services = open_services()
    if not services.projects.exists(project_id):
        raise click.ClickException(f"no project {project_id!r}")
    try:
        new = services.projects.create_key(project_id, wanted, name)
    except UnknownScopes as unknown:
        raise click.ClickException(f"unknown scopes: {unknown}") from None
    click.echo(new.secret)
