"""`rosterd oauth set|list` (a project's OAuth2 providers) and `rosterd platforms
add|list|remove` (the hostnames a sign-in may send the browser back to)."""

from __future__ import annotations

import json
import sys

import click

from rosterd.cli.common import open_project
from rosterd.oauth.providers import PROVIDERS, ProviderSettings
from rosterd.oauth.settings import Change, UnknownProvider

#: Option name -> the `oidc` endpoint setting it sets.
ENDPOINT_OPTIONS = {
    "well_known": "wellKnownEndpoint",
    "authorization_endpoint": "authorizationEndpoint",
    "token_endpoint": "tokenEndpoint",
    "userinfo_endpoint": "userinfoEndpoint",
    "issuer": "issuer",
    "jwks_endpoint": "jwksEndpoint",
}


def _public(found: ProviderSettings) -> dict[str, object]:
    """A provider's settings as printed: the secret only as whether there is one."""
    return {
        "provider": found.provider,
        "enabled": found.enabled,
        "clientId": found.client_id,
        "clientSecret": "(set)" if found.client_secret else "",
        "endpoints": dict(found.endpoints),
    }


@click.group()
def oauth() -> None:
    """Manage a project's OAuth2 providers."""


@oauth.command("set")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option(
    "--provider", required=True, type=click.Choice(sorted(PROVIDERS)), help="Provider name."
)
@click.option("--enable/--disable", "enabled", default=None, help="Switch the provider on or off.")
@click.option("--client-id", default=None, help="The client (app) id the provider issued.")
@click.option(
    "--client-secret",
    default=None,
    help="The client secret (stored encrypted); `-` reads it from standard input.",
)
@click.option("--well-known", default=None, help="oidc: the discovery document's URL.")
@click.option("--authorization-endpoint", default=None, help="oidc: without discovery.")
@click.option("--token-endpoint", default=None, help="oidc: without discovery.")
@click.option("--userinfo-endpoint", default=None, help="oidc: without discovery.")
@click.option("--issuer", default=None, help="oidc: the ID tokens' issuer, without discovery.")
@click.option("--jwks-endpoint", default=None, help="oidc: the signing keys, without discovery.")
def set_provider(project_id: str, provider: str, **options: str | bool | None) -> None:
    """Create or change a provider's settings; prints them (never the secret)."""
    secret = options.pop("client_secret")
    if secret == "-":
        secret = sys.stdin.read().strip()
    endpoints = {
        ENDPOINT_OPTIONS[name]: str(value)
        for name, value in options.items()
        if name in ENDPOINT_OPTIONS and value is not None
    }
    enabled, client_id = options.get("enabled"), options.get("client_id")
    change = Change(
        enabled=enabled if isinstance(enabled, bool) else None,
        client_id=str(client_id) if client_id is not None else None,
        client_secret=str(secret) if secret is not None else None,
        endpoints=endpoints or None,
    )
    services = open_project(project_id)
    try:
        found = services.oauth.settings.configure(project_id, provider, change)
    except UnknownProvider as error:
        raise click.ClickException(f"not a setting of {provider}: {error}") from None
    click.echo(json.dumps(_public(found), sort_keys=True))


@oauth.command("list")
@click.option("--project", "project_id", required=True, help="Project id.")
def list_providers(project_id: str) -> None:
    """The project's providers, one JSON object a line (never the secrets)."""
    for found in open_project(project_id).oauth.settings.providers(project_id):
        click.echo(json.dumps(_public(found), sort_keys=True))


@click.group()
def platforms() -> None:
    """Manage the hostnames a project's OAuth2 sign-ins may return to."""


@platforms.command("add")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--hostname", required=True, help="e.g. app.example.com, or *.example.com.")
@click.option("--name", default="", help="A name for it.")
def add_platform(project_id: str, hostname: str, name: str) -> None:
    """Allow sign-ins to send the browser back to pages on `hostname`."""
    if not hostname or "/" in hostname or ":" in hostname:
        raise click.BadParameter(
            "a hostname, without scheme, port or path", param_hint="--hostname"
        )
    if not open_project(project_id).oauth.settings.add_platform(
        project_id, hostname, name or hostname
    ):
        raise click.ClickException(f"{hostname} is already a platform of {project_id}")
    click.echo(f"added {hostname.lower()}", err=True)


@platforms.command("list")
@click.option("--project", "project_id", required=True, help="Project id.")
def list_platforms(project_id: str) -> None:
    """The project's hostnames, one a line."""
    for hostname in open_project(project_id).oauth.settings.hostnames(project_id):
        click.echo(hostname)


@platforms.command("remove")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--hostname", required=True, help="A hostname added before.")
def remove_platform(project_id: str, hostname: str) -> None:
    if not open_project(project_id).oauth.settings.remove_platform(project_id, hostname):
        raise click.ClickException(f"{hostname} is not a platform of {project_id}")
    click.echo(f"removed {hostname.lower()}", err=True)
