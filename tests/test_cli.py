"""The CLI contract, run as a user would: real processes on a fresh database."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from appwrite.client import Client
from appwrite.services.users import Users

from tests.conftest import FAST_ARGON2

ROSTERD = [sys.executable, "-m", "rosterd"]


def environment(database: Path) -> dict[str, str]:
    env = {**os.environ, "ROSTERD_DATABASE_URL": f"sqlite:///{database}"}
    env.update({f"ROSTERD_{name.upper()}": str(value) for name, value in FAST_ARGON2.items()})
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(database: Path, port: int) -> Iterator[subprocess.Popen[str]]:
    process = subprocess.Popen(
        [*ROSTERD, "serve", "--port", str(port)],
        env=environment(database),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=20)


def read_until_serving(process: subprocess.Popen[str]) -> str:
    assert process.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        lines.append(line)
        if "Uvicorn running" in line or not line:
            break
    return "".join(lines)


def test_first_start_prints_what_a_user_needs(tmp_path: Path) -> None:
    database, port = tmp_path / "first.db", free_port()
    with serving(database, port) as process:
        output = read_until_serving(process)
        endpoint = re.search(r"endpoint:\s+(\S+)", output)
        project = re.search(r"project id:\s+(\S+)", output)
        key = re.search(r"api key:\s+(\S+)", output)
        assert endpoint and project and key, output
        assert endpoint[1] == f"http://127.0.0.1:{port}/v1"
        client = Client().set_endpoint(endpoint[1]).set_project(project[1]).set_key(key[1])
        assert Users(client).create(user_id="first").id == "first"
    with serving(database, port) as process:
        again = read_until_serving(process)
        assert "api key:" not in again and "Uvicorn running" in again


def run(database: Path, *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ROSTERD, *arguments],
        env=environment(database),
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
