"""Import users in batches: check each record, settle conflicts, write a batch in one
transaction together with the run's checkpoint, then tell the report.

A run is resumable because its checkpoint (how many records are done, how long the report
is) is written in the same transaction as the batch: after a crash, `--resume` starts
after the last committed batch, cuts the report back to what that batch left, and no user
is written twice or skipped. Memory is one batch, whatever the file's size.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from rosterd import clock
from rosterd.audit import Actor, Entry
from rosterd.bulk.records import Incoming, Record, Rejected
from rosterd.store import audit as audit_store
from rosterd.store import users as user_store
from rosterd.store.database import Database
from rosterd.store.tables import identities, targets, user_labels, users
from rosterd.targets.service import own_target_values
from rosterd.users.service import NewUser, Users
from rosterd.validators import UID, Assoc, Email, Invalid, Labels, Phone, Text

OnConflict = Literal["skip", "update", "fail"]
Outcome = Literal["created", "updated", "skipped", "rejected"]

#: The actor of what an import does (`rosterd users import`, run by an operator).
IMPORT = Actor(type="system", id="import", email="", name="rosterd users import")

_CHECKS = (
    ("user_id", "id", UID()),
    ("name", "name", Text(128, minimum=0)),
    ("labels", "labels", Labels()),
    ("prefs", "prefs", Assoc()),
)


class ImportFailed(Exception):
    """`--on-conflict fail` met a user that exists; nothing of its batch was written."""


@dataclass(frozen=True)
class Line:
    """One line of the report."""

    position: int
    user_id: str
    outcome: Outcome
    reason: str = ""


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


def checked(record: Incoming) -> Incoming | Rejected:
    """The record with its values as the REST API would take them, or why not."""
    for attribute, name, validator in _CHECKS:
        try:
            validator(getattr(record, attribute) if attribute != "labels" else list(record.labels))
        except Invalid as invalid:
            return Rejected(record.position, record.user_id, f"invalid {name}: {invalid}")
    email, phone = record.email or None, record.phone or None
    try:
        email = Email()(email) if email else None
    except Invalid:
        return Rejected(record.position, record.user_id, f"invalid email: {record.email!r}")
    try:
        phone = Phone()(phone) if phone else None
    except Invalid:
        return Rejected(record.position, record.user_id, f"invalid phone: {record.phone!r}")
    labels = list(dict.fromkeys(record.labels))
    return replace(record, email=email, phone=phone, labels=labels)


@dataclass
class _Batch:
    """A batch on its way: what to create, to update, and every line of the report."""

    create: list[Incoming] = field(default_factory=list)
    update: list[tuple[Incoming, int]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)

    def refuse(self, record: Incoming | Rejected, reason: str) -> None:
        self.lines.append(Line(record.position, record.user_id, "rejected", reason))


class Importer:
    def __init__(self, database: Database, users: Users, project_id: str) -> None:
        self._database = database
        self._users = users
        self.project_id = project_id

    def batches(self, records: Iterator[Record], size: int) -> Iterator[list[Record]]:
        batch: list[Record] = []
        for record in records:
            batch.append(record)
            if len(batch) >= size:
                yield batch
                batch = []
        if batch:
            yield batch

    def write(
        self,
        connection: Connection,
        records: list[Record],
        on_conflict: OnConflict,
    ) -> list[Line]:
        """Write one batch in `connection`'s transaction; the report's lines, in order."""
        batch = self._settle(connection, records, on_conflict)
        now = clock.now()
        self._create(connection, batch.create, now)
        self._update(connection, batch.update, now)
        return sorted(batch.lines, key=lambda line: line.position)

    def _settle(
        self, connection: Connection, records: list[Record], on_conflict: OnConflict
    ) -> _Batch:
        batch = _Batch()
        valid: list[Incoming] = []
        for record in records:
            found = record if isinstance(record, Rejected) else checked(record)
            if isinstance(found, Rejected):
                batch.refuse(found, found.reason)
            else:
                valid.append(found)
        taken = _Taken.read(connection, self.project_id, valid)
        for record in valid:
            self._place(batch, taken, record, on_conflict)
        return batch

    def _place(
        self, batch: _Batch, taken: _Taken, record: Incoming, on_conflict: OnConflict
    ) -> None:
        existing = taken.ids.get(record.user_id)
        clash = taken.clash(record, existing)
        if clash:
            batch.refuse(record, clash)
            return
        taken.claim(record, existing)
        if existing is None:
            batch.create.append(record)
            batch.lines.append(Line(record.position, record.user_id, "created"))
        elif on_conflict == "fail":
            raise ImportFailed(f"user {record.user_id!r} exists (record {record.position})")
        elif on_conflict == "skip":
            batch.lines.append(Line(record.position, record.user_id, "skipped", "exists"))
        else:
            batch.update.append((record, existing))
            batch.lines.append(Line(record.position, record.user_id, "updated"))

    def _values(self, record: Incoming, now: datetime) -> dict[str, Any]:
        new = NewUser(
            user_id=record.user_id, email=record.email, phone=record.phone, name=record.name
        )
        values = self._users.new_values(self.project_id, new, record.password, now)
        values.update(
            status=record.status,
            labels=list(record.labels),
            prefs=dict(record.prefs),
            email_verification=record.email_verification,
            phone_verification=record.phone_verification,
            registration=record.registration or now,
            accessed_at=record.accessed_at,
        )
        draft = user_store.row_from_mapping({**values, "sequence": 0, "search": ""})
        values["search"] = user_store.search_text(draft)
        return values

    def _create(self, connection: Connection, records: list[Incoming], now: Any) -> None:
        if not records:
            return
        insert_many(connection, users, [self._values(record, now) for record in records])
        sequences = _sequences(connection, self.project_id, [r.user_id for r in records])
        _write_labels(connection, [(sequences[r.user_id], r.labels) for r in records])
        _write_targets(connection, self.project_id, sequences, records, now)
        created = [Entry(IMPORT, "user.create", record.user_id) for record in records]
        audit_store.record_many(connection, self.project_id, created, now)

    def _update(
        self, connection: Connection, records: list[tuple[Incoming, int]], now: Any
    ) -> None:
        for record, sequence in records:
            values = self._values(record, now)
            for kept in ("id", "project_id", "created_at", "password_history", "mfa"):
                values.pop(kept)
            if record.password is None:
                for kept in ("password", "hash", "hash_options", "password_update"):
                    values.pop(kept)
            connection.execute(users.update().where(users.c.sequence == sequence).values(**values))
        if records:
            connection.execute(
                user_labels.delete().where(user_labels.c.user_sequence.in_([s for _, s in records]))
            )
            _write_labels(connection, [(sequence, record.labels) for record, sequence in records])
            updated = [Entry(IMPORT, "user.update", record.user_id) for record, _ in records]
            audit_store.record_many(connection, self.project_id, updated, now)


def insert_many(
    connection: Connection,
    table: sa.Table,
    rows: list[dict[str, Any]],
    *,
    skip_conflicts: bool = False,
) -> None:
    """Insert rows with one executemany (`skip_conflicts`: leave out rows a unique index
    refuses)."""
    if not rows:
        return
    insert = (sqlite_insert if connection.dialect.name == "sqlite" else postgresql_insert)(table)
    connection.execute(insert.on_conflict_do_nothing() if skip_conflicts else insert, rows)


@dataclass
class _Taken:
    """What the batch's ids, emails and phones already belong to (user sequences), and
    the emails OAuth2 identities hold; kept up to date as the batch claims values."""

    ids: dict[str, int]
    emails: dict[str, int]
    phones: dict[str, int]
    identity_emails: set[str]

    @classmethod
    def read(cls, connection: Connection, project_id: str, records: list[Incoming]) -> _Taken:
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

    def clash(self, record: Incoming, existing: int | None) -> str:
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

    def claim(self, record: Incoming, existing: int | None) -> None:
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


def _sequences(connection: Connection, project_id: str, user_ids: list[str]) -> dict[str, int]:
    query = sa.select(users.c.id, users.c.sequence).where(
        users.c.project_id == project_id, users.c.id.in_(user_ids)
    )
    return {user_id: sequence for user_id, sequence in connection.execute(query)}


def _write_labels(connection: Connection, owned: list[tuple[int, Any]]) -> None:
    rows = [{"user_sequence": seq, "label": label} for seq, labels in owned for label in labels]
    insert_many(connection, user_labels, rows)


def _write_targets(
    connection: Connection,
    project_id: str,
    sequences: Mapping[str, int],
    records: list[Incoming],
    now: datetime,
) -> None:
    rows = [
        own_target_values(project_id, sequences[record.user_id], kind, identifier, now)
        for record in records
        for kind, identifier in (("email", record.email), ("sms", record.phone))
        if identifier
    ]
    insert_many(connection, targets, rows, skip_conflicts=True)
