"""Store, read and remove providers."""

from __future__ import annotations

from rosterd import clock, ids
from rosterd.errors import ProviderAlreadyExists, ProviderNotFound
from rosterd.store import targets as store
from rosterd.store.database import Database
from rosterd.store.targets import ProviderRow


class Providers:
    def __init__(self, database: Database) -> None:
        self._database = database

    def create(
        self, project_id: str, provider_id: str, name: str, *, kind: str, kind_type: str,
        enabled: bool,
    ) -> ProviderRow:  # fmt: skip
        now = clock.now()
        row = ProviderRow(ids.resolve(provider_id), name, kind, kind_type, enabled, now, now)
        with self._database.write() as connection:
            if not store.insert_provider(connection, project_id, row):
                raise ProviderAlreadyExists()
        return row

    def list(self, project_id: str) -> list[ProviderRow]:
        with self._database.read() as connection:
            return store.list_providers(connection, project_id)

    def get(self, project_id: str, provider_id: str) -> ProviderRow:
        with self._database.read() as connection:
            row = store.get_provider(connection, project_id, provider_id)
        if row is None:
            raise ProviderNotFound()
        return row

    def delete(self, project_id: str, provider_id: str) -> None:
        with self._database.write() as connection:
            if not store.delete_provider(connection, project_id, provider_id):
                raise ProviderNotFound()
