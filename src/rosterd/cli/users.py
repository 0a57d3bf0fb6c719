"""`rosterd users import FILE ...` and `rosterd users export ...`."""

from __future__ import annotations

import json
import sys
from typing import TextIO

import click

from rosterd.bulk import exporter
from rosterd.bulk.formats import OPTIONS, READERS, ReaderError
from rosterd.bulk.importer import ImportFailed
from rosterd.bulk.run import BATCH, ImportOptions, import_file
from rosterd.cli.common import open_project
from rosterd.errors import AppwriteError


@click.group()
def users() -> None:
    """Move users in and out in bulk."""


@users.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--format", "format_", required=True, type=click.Choice(sorted(READERS)))
@click.option("--dry-run", is_flag=True, help="Check and report everything; write nothing.")
@click.option(
    "--on-conflict",
    type=click.Choice(["skip", "update", "fail"]),
    default="skip",
    show_default=True,
    help="What to do with a user whose id exists.",
)
@click.option("--report", type=click.Path(dir_okay=False), help="JSON lines, one per record.")
@click.option("--resume", is_flag=True, help="Continue the last unfinished import of FILE.")
@click.option("--batch", type=click.IntRange(1, 100_000), default=BATCH, show_default=True)
@click.option("--hash-key", help="firebase: the project's base64_signer_key.")
@click.option("--salt-separator", help="firebase: base64_salt_separator.")
@click.option("--rounds", help="firebase: rounds.")
@click.option("--mem-cost", help="firebase: mem_cost.")
def import_users(file: str, project_id: str, format_: str, **flags: object) -> None:
    """Import FILE's users; prints what happened, as JSON, on standard output."""
    extra = {
        name: str(flags.pop(name))
        for name in ("hash_key", "salt_separator", "rounds", "mem_cost")
        if flags.get(name) is not None
    }
    unknown = set(extra) - set(OPTIONS.get(format_, ()))
    if unknown:
        raise click.UsageError(
            f"--{sorted(unknown)[0].replace('_', '-')} is not a {format_} option"
        )
    options = ImportOptions(
        project_id=project_id,
        path=file,
        format=format_,
        options=extra,
        on_conflict=str(flags["on_conflict"]),  # type: ignore[arg-type]
        dry_run=bool(flags["dry_run"]),
        report=str(flags["report"]) if flags.get("report") else None,
        resume=bool(flags["resume"]),
        batch=int(str(flags["batch"])),
    )
    services = open_project(project_id)
    try:
        summary = import_file(services, options)
    except (ImportFailed, ReaderError) as failed:
        raise click.ClickException(str(failed)) from None
    except AppwriteError as error:
        raise click.ClickException(error.message) from None
    result = {**summary.counts, "resumedAt": summary.resumed_at, "dryRun": summary.dry_run}
    click.echo(json.dumps(result, sort_keys=True))


@users.command("export")
@click.option("--project", "project_id", required=True, help="Project id.")
@click.option("--format", "format_", required=True, type=click.Choice(sorted(exporter.WRITERS)))
@click.option("--query", "queries", multiple=True, help="A query (JSON), as in GET /v1/users.")
@click.option("--output", type=click.Path(dir_okay=False), help="File (default: standard output).")
def export_users(
    project_id: str, format_: str, queries: tuple[str, ...], output: str | None
) -> None:
    """Write the project's users, one after another."""
    services = open_project(project_id)
    out: TextIO = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        writer = exporter.WRITERS[format_]()
        count = exporter.export(services, project_id, out, writer, queries)
    except AppwriteError as error:
        raise click.ClickException(error.message) from None
    finally:
        if output:
            out.close()
    click.echo(f"exported {count} users", err=True)
