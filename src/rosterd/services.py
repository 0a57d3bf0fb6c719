"""The services one rosterd process runs, built once by `create_app`."""

from __future__ import annotations

from dataclasses import dataclass

from rosterd.passwords.argon2 import Argon2
from rosterd.projects.service import Projects
from rosterd.settings import Settings
from rosterd.store.database import Database
from rosterd.users.service import Users


@dataclass(frozen=True)
class Services:
    settings: Settings
    database: Database
    projects: Projects
    users: Users

    @classmethod
    def build(cls, settings: Settings) -> Services:
        database = Database(settings.database_url)
        argon2 = Argon2(
            settings.argon2_memory_cost, settings.argon2_time_cost, settings.argon2_threads
        )
        return cls(settings, database, Projects(database), Users(database, argon2))
