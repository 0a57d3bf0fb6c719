"""One `rosterd users import`: open the file, resume or start a run, import batch by
batch (each with its checkpoint), write the report, show progress.

The report is JSON lines, one per record: `{"position", "userId", "outcome", "reason"}`
with outcome `created`, `updated`, `skipped` or `rejected`. A batch's lines are written
(and flushed) before its transaction commits, and the checkpoint keeps the report's
length: on `--resume`, the report is cut back to that length, so it ends up with every
record exactly once however often the import was interrupted.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from typing import IO

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from rosterd import clock, ids
from rosterd.bulk.importer import Counts, Importer, OnConflict
from rosterd.bulk.prepare import APART_FROM, Plan, Prepared, prepared, prepared_apart
from rosterd.bulk.progress import Meter, meter
from rosterd.bulk.records import Line
from rosterd.services import Services
from rosterd.store.tables import import_runs

BATCH = 5000


@dataclass(frozen=True)
class ImportOptions:
    project_id: str
    path: str
    format: str
    options: Mapping[str, str] = field(default_factory=dict)
    on_conflict: OnConflict = "skip"
    dry_run: bool = False
    report: str | None = None
    resume: bool = False
    batch: int = BATCH


@dataclass(frozen=True)
class Summary:
    counts: dict[str, int]
    resumed_at: int
    dry_run: bool


def fingerprint(path: str) -> str:
    """The file's identity for `--resume`: its size and its first and last megabyte."""
    size = os.path.getsize(path)
    digest = hashlib.sha256(str(size).encode())
    with open(path, "rb") as source:
        digest.update(source.read(1 << 20))
        source.seek(max(size - (1 << 20), 0))
        digest.update(source.read(1 << 20))
    return digest.hexdigest()


@dataclass
class _Run:
    id: str
    position: int
    report_offset: int
    counts: Counts


def _start(connection: Connection, options: ImportOptions, mark: str) -> _Run:
    now = clock.now()
    run = _Run(ids.unique(), 0, 0, Counts())
    connection.execute(
        import_runs.insert().values(
            id=run.id,
            project_id=options.project_id,
            fingerprint=mark,
            format=options.format,
            position=0,
            report_offset=0,
            counts=run.counts.as_dict(),
            started_at=now,
            updated_at=now,
        )
    )
    return run


def _unfinished(connection: Connection, options: ImportOptions, mark: str) -> _Run | None:
    found = (
        connection.execute(
            sa.select(import_runs)
            .where(
                import_runs.c.project_id == options.project_id,
                import_runs.c.fingerprint == mark,
                import_runs.c.format == options.format,
                import_runs.c.finished_at.is_(None),
            )
            .order_by(import_runs.c.started_at.desc())
            .limit(1)
        )
        .mappings()
        .first()
    )
    if found is None:
        return None
    return _Run(found["id"], found["position"], found["report_offset"], Counts(**found["counts"]))


def _checkpoint(connection: Connection, run: _Run, *, finished: bool = False) -> None:
    now = clock.now()
    connection.execute(
        import_runs.update()
        .where(import_runs.c.id == run.id)
        .values(
            position=run.position,
            report_offset=run.report_offset,
            counts=run.counts.as_dict(),
            updated_at=now,
            finished_at=now if finished else None,
        )
    )


class _Report:
    def __init__(self, path: str | None, offset: int, stack: ExitStack) -> None:
        self._file: IO[str] | None = None
        if path is not None:
            mode = "r+" if offset and os.path.exists(path) else "w"
            self._file = stack.enter_context(open(path, mode, encoding="utf-8"))  # noqa: SIM115 (the stack closes it)
            self._file.seek(offset)
            self._file.truncate()

    def write(self, lines: list[Line]) -> int:
        if self._file is None:
            return 0
        for line in lines:
            document = {"position": line.position, "userId": line.user_id, "outcome": line.outcome}
            if line.reason:
                document["reason"] = line.reason
            self._file.write(json.dumps(document, ensure_ascii=False) + "\n")
        self._file.flush()
        os.fsync(self._file.fileno())
        return self._file.tell()


def import_file(services: Services, options: ImportOptions) -> Summary:
    """Import the file; `Summary` of what happened (the report has every record)."""
    dialect = services.database.engine.dialect.name
    importer = Importer(options.project_id, dialect)
    mark = fingerprint(options.path)
    run = _Run("", 0, 0, Counts())
    if not options.dry_run:
        with services.database.write() as connection:
            found = _unfinished(connection, options, mark) if options.resume else None
            run = found or _start(connection, options, mark)
    resumed_at = run.position
    plan = Plan(
        path=options.path,
        format=options.format,
        project_id=options.project_id,
        dialect=dialect,
        passwordless=services.users.passwordless(),
        options=dict(options.options),
        skip=run.position,
        size=options.batch,
    )
    size = os.path.getsize(options.path)
    batches = (prepared_apart if size >= APART_FROM else prepared)(plan)
    with ExitStack() as stack:
        stack.callback(getattr(batches, "close", lambda: None))
        runner = _Runner(
            services, importer, options, _Report(options.report, run.report_offset, stack), run
        )
        progress = stack.enter_context(meter("import", size))
        (runner.dry_run if options.dry_run else runner.import_all)(batches, progress)
    return Summary(run.counts.as_dict(), resumed_at, options.dry_run)


#: Tables an import fills, whose planner statistics it brings up to date at the end.
IMPORTED_TABLES = ("users", "user_labels", "targets", "audit_logs")


@dataclass
class _Runner:
    services: Services
    importer: Importer
    options: ImportOptions
    report: _Report
    run: _Run

    def import_all(self, batches: Iterator[Prepared], progress: Meter) -> None:
        run = self.run
        for batch in batches:
            with self.services.database.write() as connection:
                lines = self.importer.write(connection, batch, self.options.on_conflict)
                run.report_offset = self.report.write(lines) or run.report_offset
                run.position = batch.end
                run.counts.add(lines)
                _checkpoint(connection, run)
            progress.update(batch.read, run.counts.created + run.counts.updated)
        with self.services.database.write() as connection:
            _checkpoint(connection, run, finished=True)
        self.services.database.analyze(IMPORTED_TABLES)

    def dry_run(self, batches: Iterator[Prepared], progress: Meter) -> None:
        """Everything an import does, in one transaction rolled back at the end."""
        with self.services.database.write() as connection:
            savepoint = connection.begin_nested()
            for batch in batches:
                lines = self.importer.write(connection, batch, self.options.on_conflict)
                self.report.write(lines)
                self.run.counts.add(lines)
                progress.update(batch.read, self.run.counts.created)
            savepoint.rollback()
