"""Create projects and API keys; resolve a presented key secret to its key.

Key secrets are `standard_` + 256 hex characters; only their SHA-256 is stored.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rosterd import clock, ids
from rosterd.projects.settings import AuthSettings
from rosterd.store import projects as store
from rosterd.store.database import Database
from rosterd.store.projects import KeyRow

#: Every scope a key may hold (Appwrite's names for the services rosterd serves).
SCOPES: tuple[str, ...] = (
    "users.read",
    "users.write",
    "sessions.read",
    "sessions.write",
    "teams.read",
    "teams.write",
    "targets.read",
    "targets.write",
    "providers.read",
    "providers.write",
    "subscribers.read",
    "subscribers.write",
    "messages.read",
    "messages.write",
    "topics.read",
    "topics.write",
)


class ProjectExists(Exception):
    """A project with that id already exists."""


class UnknownScopes(ValueError):
    """A key was asked for scopes rosterd does not know."""


@dataclass(frozen=True)
class NewKey:
    key: KeyRow
    secret: str


#: How many found keys `Projects.key` remembers (a deployment holds a handful).
KEYS_REMEMBERED = 256


class Projects:
    def __init__(self, database: Database) -> None:
        self._database = database
        #: Keys found by their secret's hash. A key is never changed or deleted once
        #: created (no route or command does either), so a key found stays true; its
        #: expiry is checked on each request. A miss is not remembered, so a key that
        #: another process creates works at once. Should keys ever become revocable,
        #: this must go.
        self._keys: dict[str, KeyRow] = {}

    def create(self, project_id: str, name: str) -> None:
        with self._database.read() as connection:
            if store.project_exists(connection, project_id):
                raise ProjectExists(project_id)
        with self._database.write() as connection:
            store.insert_project(connection, project_id, name, clock.now())

    def auth_settings(self, project_id: str) -> AuthSettings:
        with self._database.read() as connection:
            stored = store.project_auths(connection, project_id)
        return AuthSettings.from_stored(stored or {})

    def update_auth_settings(self, project_id: str, **changes: Any) -> AuthSettings:
        """Change some auth settings of an existing project; the new settings."""
        with self._database.write() as connection:
            stored = store.project_auths(connection, project_id)
            if stored is None:
                raise KeyError(project_id)
            updated = dataclasses.replace(AuthSettings.from_stored(stored), **changes)
            store.update_auths(connection, project_id, updated.stored())
        return updated

    def name(self, project_id: str) -> str:
        """The project's name (`""` when there is no such project)."""
        with self._database.read() as connection:
            return store.project_name(connection, project_id) or ""

    def exists(self, project_id: str) -> bool:
        with self._database.read() as connection:
            return store.project_exists(connection, project_id)

    def is_empty(self) -> bool:
        with self._database.read() as connection:
            return store.count_projects(connection) == 0

    def create_key(
        self,
        project_id: str,
        scopes: list[str],
        name: str,
        expire: datetime | None = None,
    ) -> NewKey:
        unknown = sorted(set(scopes) - set(SCOPES))
        if unknown:
            raise UnknownScopes(", ".join(unknown))
        key = KeyRow(ids.unique(), project_id, name, tuple(dict.fromkeys(scopes)), expire)
        secret = "standard_" + secrets.token_hex(128)
        with self._database.write() as connection:
            store.insert_key(connection, key, ids.secret_hash(secret), clock.now())
        return NewKey(key, secret)

    def key(self, secret: str) -> KeyRow | None:
        """The key with this secret. Remembered once found: the lookup would otherwise
        be a third of the reads of a get."""
        secret_hash = ids.secret_hash(secret)
        found = self._keys.get(secret_hash)
        if found is not None:
            return found
        with self._database.statement() as connection:
            found = store.key_by_hash(connection, secret_hash)
        if found is not None and len(self._keys) < KEYS_REMEMBERED:
            self._keys[secret_hash] = found
        return found
