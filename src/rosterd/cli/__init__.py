"""The `rosterd` command: one module per command group."""

from __future__ import annotations

import click

from rosterd.cli.keys import keys
from rosterd.cli.oauth import oauth, platforms
from rosterd.cli.projects import projects
from rosterd.cli.serve import serve
from rosterd.cli.users import users


@click.group()
@click.version_option(package_name="rosterd")
def main() -> None:
    """rosterd: a self-hosted users service that speaks the Appwrite Users API."""


main.add_command(serve)
main.add_command(projects)
main.add_command(keys)
main.add_command(oauth)
main.add_command(platforms)
main.add_command(users)
