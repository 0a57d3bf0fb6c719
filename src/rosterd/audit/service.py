"""Read a user's activity log, and drop records older than the retention period."""

from __future__ import annotations

from datetime import timedelta

from rosterd import clock
from rosterd.store import audit as store
from rosterd.store.audit import LogRow
from rosterd.store.database import Database


class AuditLog:
    def __init__(self, database: Database, retention_days: int) -> None:
        self._database = database
        self._retention = timedelta(days=retention_days)

    def about(
        self, project_id: str, user_id: str, limit: int, offset: int, with_total: bool
    ) -> tuple[list[LogRow], int]:
        """Newest first: what happened to the user and what the user did."""
        with self._database.read() as connection:
            rows = store.logs_about(connection, project_id, user_id, limit, offset)
            total = store.count_about(connection, project_id, user_id) if with_total else 0
        return rows, total

    def forget_old(self) -> int:
        """Delete records past the retention period; how many."""
        moment = clock.now() - self._retention
        return self._database.delete_in_batches(
            lambda connection, batch: store.delete_older_than(connection, moment, batch)
        )
