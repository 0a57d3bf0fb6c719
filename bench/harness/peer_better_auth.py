"""better-auth as a peer: its admin plugin's endpoints and email sign-in, served by
`bench/peers/better-auth/server.mjs` (better-auth's node handler on node's http server,
one process) on SQLite through better-sqlite3."""

from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import cache, peer_scenarios, peer_seed, population
from bench.harness.peers import BETTER_AUTH, answer, node
from bench.harness.scenarios import Scenario
from bench.harness.systems import started, stopped

SERVER = BETTER_AUTH / "server.mjs"
#: Where better-auth's scrypt parameters are set (read for the notes, not used).
SCRYPT_SOURCE = BETTER_AUTH / "node_modules/@better-auth/utils/dist/password.node.mjs"
COOKIE = "better-auth.session_token"


@dataclass
class BetterAuth:
    """better-auth with email and password and its admin plugin, asked as an admin."""

    workdir: Path
    port: int
    name: str = "better-auth"
    cookie: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def environment(self) -> dict[str, str]:
        database = str(self.workdir / "better-auth.db")
        return {**os.environ, "BENCH_DB": database, "BENCH_PORT": str(self.port)}

    def _node(self, *arguments: str) -> str:
        command = [node(), str(SERVER), *arguments]
        done = subprocess.run(
            command, env=self.environment(), check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    def seed(self, scale: int) -> float:
        """The schema by better-auth's migrations; the users and their credential accounts
        directly, with one hash better-auth made. The seconds the users took."""
        self._node("migrate")
        password_hash = self._node("hash", population.PASSWORD)
        users = peer_seed.better_auth_users(scale)
        accounts = peer_seed.better_auth_accounts(scale, password_hash)
        return peer_seed.bulk_insert(
            self.workdir / "better-auth.db",
            {
                "user": (peer_seed.BETTER_AUTH_USER, users),
                "account": (peer_seed.BETTER_AUTH_ACCOUNT, accounts),
            },
        )

    def _sign_in(self, email: str) -> httpx.Response:
        body = {"email": email, "password": population.PASSWORD}
        url = f"{self.url}/api/auth/sign-in/email"
        return httpx.post(url, json=body, headers={"Origin": self.url})

    def start(self) -> None:
        command = [node(), str(SERVER), "serve"]
        self.process = started(command, self.environment(), f"{self.url}/api/auth/ok")
        signed = self._sign_in(peer_seed.BETTER_AUTH_ADMIN["email"])
        answer(signed)
        self.cookie = f"{COOKIE}={signed.cookies[COOKIE]}"

    def stop(self) -> float:
        assert self.process is not None
        return stopped(self.process)

    def headers(self) -> dict[str, str]:
        """An admin's session; the Origin better-auth asks of cookie-bearing writes."""
        return {"Cookie": self.cookie, "Origin": self.url}

    def check_signin(self) -> None:
        """A seeded user signs in with `population.PASSWORD`: the seeded hash is right."""
        if not answer(self._sign_in(population.email_of(1))).get("token"):
            raise RuntimeError("better-auth: a seeded user could not sign in")

    def scenarios(self, scale: int) -> list[Scenario]:
        return peer_scenarios.better_auth(scale, self.headers())

    def warm(self) -> None:
        """Bring the database into memory (`cache`)."""
        cache.read_through([self.workdir / "better-auth.db"])

    def notes(self) -> list[str]:
        found = {}
        if SCRYPT_SOURCE.exists():
            source = SCRYPT_SOURCE.read_text()
            found = dict(re.findall(r"\b(N|r|p|dkLen): (\d+)", source))
        costs = ", ".join(f"{k}={found.get(k, '?')}" for k in ("N", "r", "p", "dkLen"))
        hashing = (
            f"better-auth hashes passwords with scrypt ({costs}; 16-byte salt, stored "
            "`salt:key` in hex), on node's libuv thread pool: this bounds create with "
            "password and sign-in."
        )
        return [hashing, *peer_scenarios.BETTER_AUTH_NOTES]
