"""The CLI contract, run as a user would: real processes on a fresh database."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from appwrite.client import Client
from appwrite.services.users import Users

from tests.processes import (
    ROSTERD,
    environment,
    first_start_values,
    free_port,
    output_until_ready,
    serving,
)


def sqlite_url(path: Path) -> str:
    return f"sqlite:///{path}"


def test_first_start_prints_what_a_user_needs(tmp_path: Path) -> None:
    database, port = sqlite_url(tmp_path / "first.db"), free_port()
    with serving(database, port) as process:
        endpoint, project, key = first_start_values(output_until_ready(process, port))
        assert (endpoint, project) == (f"http://127.0.0.1:{port}/v1", "default")
        client = Client().set_endpoint(endpoint).set_project(project).set_key(key)
        assert Users(client).create(user_id="first").id == "first"
    with serving(database, port) as process:
        again = output_until_ready(process, port)
        assert "api key:" not in again and "Application startup complete" in again


def run(database: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ROSTERD, *arguments],
        env=environment(sqlite_url(database)),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_projects_and_keys_create(tmp_path: Path) -> None:
    database = tmp_path / "cli.db"
    assert run(database, "projects", "create", "--id", "shop", "--name", "Shop").returncode == 0
    duplicate = run(database, "projects", "create", "--id", "shop")
    assert duplicate.returncode == 1 and "already exists" in duplicate.stderr
    created = run(
        database, "keys", "create", "--project", "shop", "--scopes", "users.read,users.write"
    )
    assert created.returncode == 0, created.stderr
    assert re.fullmatch(r"standard_[0-9a-f]{256}\n", created.stdout)
    unknown = run(database, "keys", "create", "--project", "shop", "--scopes", "users.fly")
    assert unknown.returncode == 1 and "unknown scopes: users.fly" in unknown.stderr
    missing = run(database, "keys", "create", "--project", "nope", "--scopes", "users.read")
    assert missing.returncode == 1 and missing.stdout == ""
    bad_id = run(database, "projects", "create", "--id", "-bad")
    assert bad_id.returncode == 2


def test_unreachable_database_exits_non_zero(tmp_path: Path) -> None:
    database = tmp_path / "no" / "such" / "dir" / "x.db"
    result = run(database, "serve", "--port", str(free_port()))
    assert result.returncode == 1
    assert "cannot open the database" in result.stderr
