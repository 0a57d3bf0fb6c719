"""The official `appwrite-cli`, unchanged, pointed at rosterd with a throwaway HOME.

The CLI is pinned in tests/cli/package.json and installed by scripts/test. Every run
preloads tests/cli/offline.cjs, which refuses (and reports) any connection that is not
to the loopback test server, so the CLI can never reach the internet from a test.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from appwrite.services.users import Users

from tests.conftest import Project
from tests.test_signin import PASSWORD

CLI_DIRECTORY = Path(__file__).parent / "cli"
APPWRITE = CLI_DIRECTORY / "node_modules" / ".bin" / "appwrite"
OFFLINE = CLI_DIRECTORY / "offline.cjs"
BLOCKED = "offline.cjs blocked a connection"
VERSION = json.loads((CLI_DIRECTORY / "package.json").read_text())["dependencies"]["appwrite-cli"]
#: Seconds one CLI command may take; a local command finishes in about one.
TIMEOUT = 30
NOT_FOUND = "User with the requested ID could not be found."


@pytest.fixture
def appwrite_cli() -> None:
    """appwrite-cli is installed by scripts/test; without it, skip (in CI: fail)."""
    if shutil.which("node") and APPWRITE.is_file():
        return
    reason = "node, or appwrite-cli in tests/cli (npm ci --prefix tests/cli), is missing"
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(reason)
    pytest.skip(reason)


@dataclass(frozen=True)
class Cli:
    """Runs `appwrite` with its own HOME and working directory, nothing inherited."""

    home: Path
    work: Path

    def unchecked(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        environment = {
            "PATH": os.environ.get("PATH", os.defpath),
            "HOME": str(self.home),
            "NODE_OPTIONS": f'--require "{OFFLINE}"',
            "FORCE_COLOR": "0",
        }
        return subprocess.run(
            [str(APPWRITE), *arguments], cwd=self.work, env=environment, capture_output=True,
            text=True, timeout=TIMEOUT, check=False,
        )  # fmt: skip

    def run(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        """One command, which must not have tried to leave the machine."""
        result = self.unchecked(*arguments)
        assert BLOCKED not in result.stderr, result.stderr
        return result

    def json(self, *arguments: str) -> Any:
        """The command's `--json` output; the command must succeed."""
        result = self.run("--json", *arguments)
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout)

    def fails(self, *arguments: str) -> subprocess.CompletedProcess[str]:
        result = self.run(*arguments)
        assert result.returncode == 1, result.stdout + result.stderr
        return result


@pytest.fixture
def cli(appwrite_cli: None, tmp_path: Path) -> Cli:
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    return Cli(home, work)


def configure(cli: Cli, project: Project) -> None:
    """`appwrite client`: the endpoint is checked (GET /health/version), then saved."""
    endpoint = project.server.endpoint
    result = cli.run(
        "client", "--endpoint", endpoint, "--project-id", project.id, "--key", project.key
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "✓ Success: Setting client"
    prefs = json.loads((cli.home / ".appwrite" / "prefs.json").read_text())
    assert prefs[prefs["current"]] == {"endpoint": endpoint, "key": project.key}
    local = json.loads((cli.work / "appwrite.config.json").read_text())
    assert local == {"projectId": project.id}


def test_users_commands_against_rosterd(cli: Cli, project: Project, users: Users) -> None:
    configure(cli, project)
    assert cli.json("users", "list") == {"total": 0, "users": []}

    created = cli.json(
        "users", "create", "--user-id", "cli-ada", "--email", "Ada@Example.com",
        "--password", PASSWORD, "--name", "Ada Lovelace",
    )  # fmt: skip
    assert (created["$id"], created["email"], created["name"]) == (
        "cli-ada",
        "ada@example.com",
        "Ada Lovelace",
    )
    assert created["status"] is True
    assert created["password"].startswith("$argon2id$")
    assert created["hash"] == "argon2"
    assert [target["identifier"] for target in created["targets"]] == ["ada@example.com"]
    assert users.get("cli-ada").email == "ada@example.com"
    other = cli.json("users", "create", "--user-id", "cli-bob", "--name", "Bob")
    assert (other["$id"], other["name"], other["email"]) == ("cli-bob", "Bob", "")

    listed = cli.json("users", "list")
    assert listed["total"] == 2
    assert [user["$id"] for user in listed["users"]] == ["cli-ada", "cli-bob"]
    assert listed["users"][0] == created
    searched = cli.json("users", "list", "--search", "Lovelace")
    assert (searched["total"], [user["$id"] for user in searched["users"]]) == (1, ["cli-ada"])

    assert cli.json("users", "get", "--user-id", "cli-ada") == created

    renamed = cli.json("users", "update-name", "--user-id", "cli-ada", "--name", "Ada King")
    assert (renamed["$id"], renamed["name"], renamed["email"]) == (
        "cli-ada",
        "Ada King",
        "ada@example.com",
    )
    assert renamed["$updatedAt"] >= created["$updatedAt"]
    assert users.get("cli-ada").name == "Ada King"
    assert cli.json("users", "get", "--user-id", "cli-ada")["name"] == "Ada King"

    assert cli.json("users", "list-sessions", "--user-id", "cli-ada") == {
        "total": 0,
        "sessions": [],
    }
    session = users.create_session("cli-ada")
    sessions = cli.json("users", "list-sessions", "--user-id", "cli-ada")
    assert sessions["total"] == 1
    [listed_session] = sessions["sessions"]
    assert (listed_session["$id"], listed_session["userId"]) == (session.id, "cli-ada")
    assert (listed_session["provider"], listed_session["factors"]) == ("server", ["server"])
    assert (listed_session["current"], listed_session["secret"]) == (False, "")

    # DELETE answers 204 with no body; the CLI prints that empty text as a JSON string.
    assert cli.json("users", "delete", "--user-id", "cli-ada") == ""
    assert [user.id for user in users.list().users] == ["cli-bob"]
    listed = cli.json("users", "list")
    assert (listed["total"], [user["$id"] for user in listed["users"]]) == (1, ["cli-bob"])

    gone = cli.fails("users", "get", "--user-id", "cli-ada")
    assert gone.stderr.strip() == f"✗ Error: {NOT_FOUND}"
    assert "For detailed error pass the --verbose or --report flag" in gone.stdout
    verbose = cli.fails("--verbose", "users", "get", "--user-id", "cli-ada")
    assert f"AppwriteException [Error]: {NOT_FOUND}" in verbose.stderr
    assert "code: 404" in verbose.stderr
    assert "response: 'user_not_found'" in verbose.stderr
    assert cli.fails("users", "delete", "--user-id", "cli-ada").stderr.strip() == (
        f"✗ Error: {NOT_FOUND}"
    )


def test_the_cli_cannot_reach_the_internet(cli: Cli) -> None:
    """`--version` asks registry.npmjs.org for the latest release: the guard stops it."""
    result = cli.unchecked("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"appwrite version {VERSION}",
        "",
        "(Unable to check for updates)",
    ]
    assert result.stderr == f"{BLOCKED} to registry.npmjs.org:443\n"
