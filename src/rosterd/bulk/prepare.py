"""Read an import file and turn its records into rows ready to store, batch by batch.

This is the part of an import that needs no database: parsing, the REST API's checks on
each record, and each user's row in the form the database stores it (timestamps as
SQLite keeps them, JSON as text). The importer (`rosterd.bulk.importer`) then only
settles conflicts and writes. For a large file the two run side by side: `prepared_apart`
prepares in a process of its own and hands over finished batches through a short queue,
so reading and checking take one core and the database the other, and memory stays a
few batches whatever the file's size.
"""

from __future__ import annotations

import io
import json
import multiprocessing
import operator
import os
import pickle
import queue
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, NamedTuple

import sqlalchemy as sa
from sqlalchemy.dialects import sqlite

from rosterd import clock
from rosterd.audit import Actor, Entry
from rosterd.bulk.formats import READERS
from rosterd.bulk.records import Incoming, Line, Record, Rejected
from rosterd.passwords import StoredPassword
from rosterd.store.audit import entry_values
from rosterd.store.tables import audit_logs, targets, users
from rosterd.store.users import search_words
from rosterd.targets.service import own_target_values
from rosterd.users.service import NewUser, user_values
from rosterd.validators import UID, Assoc, Email, Invalid, Labels, Phone, Text

#: The columns of a prepared users row: all but `sequence`, which the importer assigns.
COLUMNS = tuple(column.name for column in users.columns if column.name != "sequence")
#: The columns of a prepared target row: all but `sequence` and `user_sequence`.
TARGET_COLUMNS = tuple(
    c.name for c in targets.columns if c.name not in ("sequence", "user_sequence")
)
#: The columns of a prepared activity record: all but `sequence`.
LOG_COLUMNS = tuple(column.name for column in audit_logs.columns if column.name != "sequence")

#: The actor of what an import does (`rosterd users import`, run by an operator).
IMPORT = Actor(type="system", id="import", email="", name="rosterd users import")

#: From this size on, a file is prepared in a process of its own (`prepared_apart`).
APART_FROM = 4 << 20

_CHECKS = (
    ("user_id", "id", UID()),
    ("name", "name", Text(128, minimum=0)),
    ("labels", "labels", Labels()),
    ("prefs", "prefs", Assoc()),
)
_EMAIL, _PHONE = Email(), Phone()


@dataclass(frozen=True)
class Plan:
    """Everything the preparing side needs; it crosses to another process."""

    path: str
    format: str
    project_id: str
    dialect: str
    passwordless: StoredPassword
    options: Mapping[str, str] = field(default_factory=dict)
    skip: int = 0
    size: int = 1000


class Ready(NamedTuple):
    """A user that passed every check, with its row (`COLUMNS`, as stored)."""

    position: int
    user_id: str
    email: str | None
    phone: str | None
    labels: tuple[str, ...]
    row: tuple[Any, ...]
    has_password: bool
    #: The targets of its email and phone (`TARGET_COLUMNS`), should it be created.
    targets: tuple[tuple[Any, ...], ...]
    #: The activity record of its creation (`LOG_COLUMNS`).
    created: tuple[Any, ...]


@dataclass
class Prepared:
    """One batch: its rejected records, its users, the position after it, and how many
    bytes of the file had been read when it was made (for the progress display)."""

    rejected: list[Line]
    ready: list[Ready]
    end: int
    read: int


def checked(record: Incoming) -> Incoming | Rejected:
    """The record with its values as the REST API would take them, or why not."""
    for attribute, name, validator in _CHECKS:
        try:
            validator(getattr(record, attribute) if attribute != "labels" else list(record.labels))
        except Invalid as invalid:
            return Rejected(record.position, record.user_id, f"invalid {name}: {invalid}")
    email, phone = record.email or None, record.phone or None
    try:
        email = _EMAIL(email) if email else None
    except Invalid:
        return Rejected(record.position, record.user_id, f"invalid email: {record.email!r}")
    try:
        phone = _PHONE(phone) if phone else None
    except Invalid:
        return Rejected(record.position, record.user_id, f"invalid phone: {record.phone!r}")
    labels = list(dict.fromkeys(record.labels))
    return Incoming(
        position=record.position,
        user_id=record.user_id,
        email=email,
        phone=phone,
        name=record.name,
        password=record.password,
        email_verification=record.email_verification,
        phone_verification=record.phone_verification,
        status=record.status,
        labels=labels,
        prefs=record.prefs,
        registration=record.registration,
        accessed_at=record.accessed_at,
    )


def stored_form(
    dialect: str, columns: tuple[sa.Column[Any], ...]
) -> Callable[[Mapping[str, Any]], tuple[Any, ...]]:
    """A function from a mapping of `columns`' values to the tuple the driver takes: on
    SQLite what SQLAlchemy would bind, on PostgreSQL JSON as text (for `COPY`)."""
    convert: list[Callable[[Any], Any] | None]
    if dialect == "sqlite":
        engine_dialect = sqlite.dialect()
        convert = [
            _quick(c.type, c.type.dialect_impl(engine_dialect).bind_processor(engine_dialect))
            for c in columns
        ]
    else:
        convert = [
            _quick(c.type, json.dumps if isinstance(c.type, sa.JSON) else None) for c in columns
        ]
    picked = operator.itemgetter(*(column.name for column in columns))
    converted = [(at, to) for at, to in enumerate(convert) if to is not None]

    def row(values: Mapping[str, Any]) -> tuple[Any, ...]:
        found = list(picked(values))
        for at, to in converted:
            found[at] = to(found[at])
        return tuple(found)

    return row


def _quick(
    column_type: sa.types.TypeEngine[Any], convert: Callable[[Any], Any] | None
) -> Callable[[Any], Any] | None:
    """`convert`, or nothing where the driver stores the value as it would: Python's
    sqlite3 binds a bool as the integer SQLAlchemy's Boolean makes of it. Faster for what
    a batch repeats: a timestamp (most are the batch's "now") and an empty JSON array
    or object."""
    if convert is None or isinstance(column_type, sa.Boolean):
        return None
    if isinstance(column_type, sa.DateTime):
        last: list[Any] = [None, convert(None)]

        def timestamp(value: Any) -> Any:
            if value is not last[0]:
                last[:] = [value, convert(value)]
            return last[1]

        return timestamp
    if isinstance(column_type, sa.JSON):
        empty: dict[type, Any] = {list: convert([]), dict: convert({})}

        def document(value: Any) -> Any:
            return convert(value) if value or type(value) not in empty else empty[type(value)]

        return document
    return None


class _Preparer:
    def __init__(self, plan: Plan) -> None:
        self._plan = plan
        self._row = stored_form(plan.dialect, tuple(users.c[name] for name in COLUMNS))
        self._target = stored_form(plan.dialect, tuple(targets.c[n] for n in TARGET_COLUMNS))
        self._log = stored_form(plan.dialect, tuple(audit_logs.c[n] for n in LOG_COLUMNS))

    def batch(self, records: list[Record], read: int) -> Prepared:
        now = clock.now()
        rejected: list[Line] = []
        ready: list[Ready] = []
        for record in records:
            found = record if isinstance(record, Rejected) else checked(record)
            if isinstance(found, Rejected):
                rejected.append(Line(found.position, found.user_id, "rejected", found.reason))
            else:
                ready.append(self._ready(found, now))
        return Prepared(rejected, ready, records[-1].position + 1, read)

    def _ready(self, record: Incoming, now: datetime) -> Ready:
        new = NewUser(
            user_id=record.user_id, email=record.email, phone=record.phone, name=record.name
        )
        project_id = self._plan.project_id
        values = user_values(project_id, new, record.password, self._plan.passwordless, now)
        labels = tuple(record.labels)
        values.update(
            status=record.status,
            labels=list(labels),
            prefs=dict(record.prefs),
            email_verification=record.email_verification,
            phone_verification=record.phone_verification,
            registration=record.registration or now,
            accessed_at=record.accessed_at,
            search=search_words(record.user_id, record.email, record.name, record.phone, labels),
        )
        return Ready(
            record.position,
            record.user_id,
            record.email,
            record.phone,
            labels,
            self._row(values),
            record.password is not None,
            self._targets(record, now),
            self._log(entry_values(project_id, Entry(IMPORT, "user.create", record.user_id), now)),
        )

    def _targets(self, record: Incoming, now: datetime) -> tuple[tuple[Any, ...], ...]:
        project_id = self._plan.project_id
        return tuple(
            self._target(own_target_values(project_id, 0, kind, identifier, now))
            for kind, identifier in (("email", record.email), ("sms", record.phone))
            if identifier
        )


class Counting(io.RawIOBase):
    """A file read through, counting the bytes (the progress of an import)."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._raw.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        return len(data)


def prepared(plan: Plan) -> Iterator[Prepared]:
    """The file's batches, prepared in this process."""
    preparer = _Preparer(plan)
    with open(plan.path, "rb") as raw:
        counting = Counting(raw)
        source = io.BufferedReader(counting, buffer_size=1 << 16)
        batch: list[Record] = []
        for record in READERS[plan.format](source, plan.options):
            if record.position < plan.skip:
                continue
            batch.append(record)
            if len(batch) >= plan.size:
                yield preparer.batch(batch, counting.count)
                batch = []
        if batch:
            yield preparer.batch(batch, counting.count)


def prepared_apart(plan: Plan) -> Iterator[Prepared]:
    """`prepared`, run in a process of its own (see the module's text). An error there
    (a `ReaderError`, say) is raised here; the process ends with this iterator, and
    ends itself if this process dies."""
    context = multiprocessing.get_context("spawn")
    handover: multiprocessing.Queue[Prepared | BaseException | None] = context.Queue(maxsize=4)
    child = context.Process(target=_prepare, args=(plan, handover, os.getpid()), daemon=True)
    child.start()
    try:
        while (item := _take(handover, child)) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        child.kill()
        child.join()
        handover.close()


def _take(handover: multiprocessing.Queue[Any], child: Any) -> Any:
    while True:
        try:
            return handover.get(timeout=1)
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError("the import's reading process ended unexpectedly") from None


def _prepare(plan: Plan, handover: multiprocessing.Queue[Any], parent: int) -> None:
    """The child's work: every batch, then None; or the error that stopped it."""
    try:
        for batch in prepared(plan):
            _give(handover, batch, parent)
    except Exception as error:  # any failure is the importing process's to report
        _give(handover, _portable(error), parent)
        return
    _give(handover, None, parent)


def _give(handover: multiprocessing.Queue[Any], item: Any, parent: int) -> None:
    """Hand `item` over; give up (and end) once the importing process is gone."""
    while True:
        try:
            handover.put(item, timeout=1)
            return
        except queue.Full:
            if os.getppid() != parent:
                os._exit(1)


def _portable(error: Exception) -> Exception:
    """`error` if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:
        return RuntimeError(f"{type(error).__name__}: {error}")
    return error
