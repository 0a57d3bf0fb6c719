"""Write prepared batches (`rosterd.bulk.prepare`): settle each user against what the
project has, then write the batch in one transaction together with the run's checkpoint.

A run is resumable because its checkpoint (how many records are done, how long the report
is) is written in the same transaction as the batch: after a crash, `--resume` starts
after the last committed batch, cuts the report back to what that batch left, and no user
is written twice or skipped.

Rows go to the database as the driver takes them, without SQLAlchemy's per-row work:
an executemany on SQLite, `COPY` on PostgreSQL (see `rosterd.bulk.loading`). Each new
user's sequence is assigned here, so its labels, targets and activity record are written
in the same pass.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rosterd import clock
from rosterd.audit import Actor, Entry
from rosterd.bulk import loading
from rosterd.bulk.prepare import COLUMNS, Prepared, Ready, stored_form
from rosterd.bulk.records import Line
from rosterd.store import audit as audit_store
from rosterd.store import search
from rosterd.store.tables import audit_logs, identities, targets, user_labels, users
from rosterd.targets.service import own_target_values

OnConflict = Literal["skip", "update", "fail"]

#: The actor of what an import does (`rosterd users import`, run by an operator).
IMPORT = Actor(type="system", id="import", email="", name="rosterd users import")

# What an update leaves as it was; without a new password, the password's columns too.
_KEPT = {"id", "project_id", "created_at", "password_history", "mfa"}
_PASSWORD = {"password", "hash", "hash_options", "password_update"}


class ImportFailed(Exception):
    """`--on-conflict fail` met a user that exists; nothing of its batch was written."""


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    rejected: int = 0

    def add(self, lines: Iterable[Line]) -> None:
        for line in lines:
            setattr(self, line.outcome, getattr(self, line.outcome) + 1)

    def as_dict(self) -> dict[str, int]:
        return {name: getattr(self, name) for name in ("created", "updated", "skipped", "rejected")}


@dataclass
class _Batch:
    """A batch on its way: what to create, to update, and every line of the report."""

    create: list[Ready] = field(default_factory=list)
    update: list[tuple[Ready, int]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)


class Importer:
    def __init__(self, project_id: str, dialect: str) -> None:
        self.project_id = project_id
        self._dialect = dialect
        self._target_row = stored_form(dialect, tuple(targets.c)[1:])
        self._audit_row = stored_form(dialect, tuple(audit_logs.c)[1:])

    def write(self, connection: Connection, batch: Prepared, on_conflict: OnConflict) -> list[Line]:
        """Write one batch in `connection`'s transaction; the report's lines, in order."""
        settled = self._settle(connection, batch, on_conflict)
        now = clock.now()
        self._create(connection, settled.create, now)
        self._update(connection, settled.update, now)
        return sorted(settled.lines, key=lambda line: line.position)

    def _settle(self, connection: Connection, batch: Prepared, on_conflict: OnConflict) -> _Batch:
        settled = _Batch(lines=list(batch.rejected))
        taken = _Taken.read(connection, self.project_id, batch.ready)
        for user in batch.ready:
            _place(settled, taken, user, on_conflict)
        return settled

    def _create(self, connection: Connection, created: list[Ready], now: datetime) -> None:
        if not created:
            return
        sequences = loading.next_sequences(connection, users, len(created))
        with search.indexed_in_bulk(connection, users):
            loading.insert(
                connection,
                users,
                ("sequence", *COLUMNS),
                [(sequence, *user.row) for sequence, user in zip(sequences, created, strict=True)],
            )
        owned = list(zip(sequences, created, strict=True))
        _write_labels(connection, [(sequence, user.labels) for sequence, user in owned])
        self._write_targets(connection, owned, now)
        self._write_log(connection, "user.create", [user.user_id for user in created], now)

    def _update(
        self, connection: Connection, updated: list[tuple[Ready, int]], now: datetime
    ) -> None:
        if not updated:
            return
        for with_password in (True, False):
            chosen = [(u, s) for u, s in updated if u.has_password == with_password]
            kept = _KEPT if with_password else _KEPT | _PASSWORD
            names = [name for name in COLUMNS if name not in kept]
            at = [COLUMNS.index(name) for name in names]
            rows = [(*(user.row[i] for i in at), sequence) for user, sequence in chosen]
            loading.update(connection, users, names, rows)
        sequences = [sequence for _, sequence in updated]
        connection.execute(user_labels.delete().where(user_labels.c.user_sequence.in_(sequences)))
        _write_labels(connection, [(sequence, user.labels) for user, sequence in updated])
        self._write_log(connection, "user.update", [user.user_id for user, _ in updated], now)

    def _write_targets(
        self, connection: Connection, owned: list[tuple[int, Ready]], now: datetime
    ) -> None:
        rows = [
            self._target_row(own_target_values(self.project_id, sequence, kind, identifier, now))
            for sequence, user in owned
            for kind, identifier in (("email", user.email), ("sms", user.phone))
            if identifier
        ]
        loading.insert(connection, targets, _names(targets), rows, skip_conflicts=True)

    def _write_log(
        self, connection: Connection, event: str, user_ids: list[str], now: datetime
    ) -> None:
        rows = [
            self._audit_row(
                audit_store.entry_values(self.project_id, Entry(IMPORT, event, user_id), now)
            )
            for user_id in user_ids
        ]
        loading.insert(connection, audit_logs, _names(audit_logs), rows)


def _names(table: sa.Table) -> tuple[str, ...]:
    """The columns of `table` but its sequence."""
    return tuple(column.name for column in table.columns)[1:]


def _place(batch: _Batch, taken: _Taken, user: Ready, on_conflict: OnConflict) -> None:
    existing = taken.ids.get(user.user_id)
    clash = taken.clash(user, existing)
    if clash:
        batch.lines.append(Line(user.position, user.user_id, "rejected", clash))
        return
    taken.claim(user, existing)
    if existing is None:
        batch.create.append(user)
        batch.lines.append(Line(user.position, user.user_id, "created"))
    elif on_conflict == "fail":
        raise ImportFailed(f"user {user.user_id!r} exists (record {user.position})")
    elif on_conflict == "skip":
        batch.lines.append(Line(user.position, user.user_id, "skipped", "exists"))
    else:
        batch.update.append((user, existing))
        batch.lines.append(Line(user.position, user.user_id, "updated"))


@dataclass
class _Taken:
    """What the batch's ids, emails and phones already belong to (user sequences), and
    the emails OAuth2 identities hold; kept up to date as the batch claims values."""

    ids: dict[str, int]
    emails: dict[str, int]
    phones: dict[str, int]
    identity_emails: set[str]

    @classmethod
    def read(cls, connection: Connection, project_id: str, records: list[Ready]) -> _Taken:
        wanted_ids = [r.user_id for r in records]
        emails = [r.email for r in records if r.email]
        phones = [r.phone for r in records if r.phone]
        in_project = users.c.project_id == project_id
        return cls(
            ids=_lookup(connection, in_project, users.c.id, wanted_ids),
            emails=_lookup(connection, in_project, users.c.email, emails),
            phones=_lookup(connection, in_project, users.c.phone, phones),
            identity_emails=set(
                connection.execute(
                    sa.select(identities.c.provider_email).where(
                        identities.c.project_id == project_id,
                        identities.c.provider_email.in_(emails),
                    )
                ).scalars()
            )
            if emails
            else set(),
        )

    def clash(self, record: Ready, existing: int | None) -> str:
        """Why the record's email or phone cannot be its ("" when they can)."""
        if existing == -1:
            return "duplicate id in the file"
        for value, owners, what in (
            (record.email, self.emails, "email"),
            (record.phone, self.phones, "phone"),
        ):
            owner = owners.get(value) if value else None
            if owner is not None and owner != existing:
                return f"{what} {value} belongs to another user"
        if record.email and record.email in self.identity_emails:
            return f"email {record.email} is an OAuth2 identity's"
        return ""

    def claim(self, record: Ready, existing: int | None) -> None:
        """Mark the record's values as taken by it (-1: a user this batch makes)."""
        owner = -1 if existing is None else existing
        self.ids[record.user_id] = -1
        if record.email:
            self.emails[record.email] = owner
        if record.phone:
            self.phones[record.phone] = owner


def _lookup(connection: Connection, scope: Any, column: Any, values: list[str]) -> dict[str, int]:
    if not values:
        return {}
    query = sa.select(column, users.c.sequence).where(scope, column.in_(values))
    return {value: sequence for value, sequence in connection.execute(query)}


def _write_labels(connection: Connection, owned: list[tuple[int, tuple[str, ...]]]) -> None:
    rows = [(sequence, label) for sequence, labels in owned for label in labels]
    loading.insert(connection, user_labels, ("user_sequence", "label"), rows)
