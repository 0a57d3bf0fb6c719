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
from typing import Literal

from sqlalchemy.engine import Connection

from rosterd import clock
from rosterd.audit import Entry
from rosterd.bulk import loading
from rosterd.bulk.prepare import (
    COLUMNS,
    IMPORT,
    LOG_COLUMNS,
    TARGET_COLUMNS,
    Prepared,
    Ready,
    stored_form,
)
from rosterd.bulk.records import Line
from rosterd.store import search
from rosterd.store.audit import entry_values
from rosterd.store.tables import audit_logs, identities, targets, user_labels, users

OnConflict = Literal["skip", "update", "fail"]

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
        self._log_row = stored_form(dialect, tuple(audit_logs.c[n] for n in LOG_COLUMNS))

    def write(self, connection: Connection, batch: Prepared, on_conflict: OnConflict) -> list[Line]:
        """Write one batch in `connection`'s transaction; the report's lines, in order."""
        settled = self._settle(connection, batch, on_conflict)
        _create(connection, settled.create)
        self._update(connection, settled.update)
        return sorted(settled.lines, key=lambda line: line.position)

    def _settle(self, connection: Connection, batch: Prepared, on_conflict: OnConflict) -> _Batch:
        settled = _Batch(lines=list(batch.rejected))
        taken = _Taken.read(connection, self.project_id, batch.ready)
        for user in batch.ready:
            _place(settled, taken, user, on_conflict)
        return settled

    def _update(self, connection: Connection, updated: list[tuple[Ready, int]]) -> None:
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
        now = clock.now()
        logs = [
            self._log_row(
                entry_values(self.project_id, Entry(IMPORT, "user.update", u.user_id), now)
            )
            for u, _ in updated
        ]
        loading.insert(connection, audit_logs, LOG_COLUMNS, logs)


def _create(connection: Connection, created: list[Ready]) -> None:
    """Insert the users with their labels, targets and activity records."""
    if not created:
        return
    sequences = loading.next_sequences(connection, users, len(created))
    owned = list(zip(sequences, created, strict=True))
    with search.indexed_in_bulk(connection, users):
        loading.insert(
            connection, users, ("sequence", *COLUMNS), [(s, *user.row) for s, user in owned]
        )
    _write_labels(connection, [(sequence, user.labels) for sequence, user in owned])
    loading.insert(
        connection,
        targets,
        ("user_sequence", *TARGET_COLUMNS),
        [(sequence, *target) for sequence, user in owned for target in user.targets],
        skip_conflicts=True,
    )
    loading.insert(connection, audit_logs, LOG_COLUMNS, [user.created for user in created])


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
        emails = [r.email for r in records if r.email]
        phones = [r.phone for r in records if r.phone]
        ids = [r.user_id for r in records]
        return cls(
            ids=loading.found(connection, users, "id", project_id, ids),
            emails=loading.found(connection, users, "email", project_id, emails),
            phones=loading.found(connection, users, "phone", project_id, phones),
            identity_emails=set(
                loading.found(connection, identities, "provider_email", project_id, emails)
            ),
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


def _write_labels(connection: Connection, owned: list[tuple[int, tuple[str, ...]]]) -> None:
    rows = [(sequence, label) for sequence, labels in owned for label in labels]
    loading.insert(connection, user_labels, ("user_sequence", "label"), rows)
