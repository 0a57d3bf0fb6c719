"""Engines, transactions and migrations for SQLite and PostgreSQL.

`Database.read()` and `Database.write()` hand out a connection inside one
transaction. On SQLite every write transaction starts with `BEGIN IMMEDIATE`
behind a process-wide lock, so there is one writer at a time and no deadlock
between a reader upgrading to a writer and another writer; the writer, and one
reader at a time, use connections kept out of the pool.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from contextvars import ContextVar
from pathlib import Path
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.exc import InterfaceError, OperationalError

from rosterd import jsoncodec
from rosterd.errors import ServerError

if TYPE_CHECKING:
    from alembic.config import Config

log = logging.getLogger("rosterd.store")
MIGRATIONS = Path(__file__).parent / "migrations"
#: The newest migration. A database already there is not handed to Alembic, so a server
#: does not import it (10 MB); a test holds this equal to Alembic's own head.
HEAD = "0012"
_WRITE = "rosterd_write"


def _normalise_url(url: str) -> str:
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


#: SQLite's page cache per connection, in KiB, unless told otherwise.
SQLITE_CACHE_KIB = 256


def _sqlite_engine(url: str, cache_kib: int) -> Engine:
    engine = sa.create_engine(
        url,
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=8,
        hide_parameters=True,
        json_deserializer=jsoncodec.decoded,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        for pragma in (
            "journal_mode=WAL",
            "synchronous=NORMAL",
            "foreign_keys=ON",
            "busy_timeout=30000",
            "case_sensitive_like=ON",
            f"cache_size=-{cache_kib}",
        ):
            cursor.execute(f"PRAGMA {pragma}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # On the driver's connection: through `exec_driver_sql` the BEGIN alone would
        # cost as much as a primary-key read.
        write = connection.get_execution_options().get(_WRITE, False)
        driver = connection.connection.driver_connection
        assert driver is not None
        driver.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    return engine


class Database:
    """One database, whichever engine it runs on.

    Engines hide bound parameters from their error messages, so that a failing
    statement never writes a password hash or an email into a log.
    """

    def __init__(self, url: str, sqlite_cache_kib: int = SQLITE_CACHE_KIB) -> None:
        self.url = _normalise_url(url)
        if self.url.startswith("sqlite"):
            self.engine = _sqlite_engine(self.url, sqlite_cache_kib)
        else:
            self.engine = sa.create_engine(
                self.url,
                pool_size=10,
                pool_pre_ping=True,
                hide_parameters=True,
                json_deserializer=jsoncodec.decoded,
            )
        self._write_lock = threading.Lock() if self.is_sqlite else None
        self._shared_read: ContextVar[Connection | None] = ContextVar("read", default=None)
        #: On SQLite, a reader's and the writer's connection kept out of the pool: taking
        #: one from the pool and handing it back (with its rollback) costs a point read a
        #: tenth of its time. One holder at a time: the writer's is under `_write_lock`,
        #: the reader's under `_reader_lock`, and a second reader takes the pool's.
        self._kept_reader: Connection | None = None
        self._kept_writer: Connection | None = None
        self._reader_lock = threading.Lock()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def _guard(self) -> AbstractContextManager[None]:
        return unavailable_as_503(self.engine.dialect)

    def read(self) -> AbstractContextManager[Connection]:
        """A connection in a read transaction: the one `one_read()` shares, if any."""
        shared = self._shared_read.get()
        if shared is not None:
            return nullcontext(shared)
        return self._new_read()

    @contextmanager
    def _lent_reader(self) -> Iterator[Connection | None]:
        """SQLite's kept reader while no one else holds it; None on PostgreSQL or when
        it is taken (the caller then takes one from the pool)."""
        if not (self.is_sqlite and self._reader_lock.acquire(blocking=False)):
            yield None
            return
        try:
            with self._guard():
                self._kept_reader = self._usable(self._kept_reader)
                yield self._kept_reader
        finally:
            self._reader_lock.release()

    @contextmanager
    def _new_read(self) -> Iterator[Connection]:
        with self._lent_reader() as kept:
            if kept is not None:
                with kept.begin():
                    yield kept
                return
        with self._guard(), self.engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def statement(self) -> Iterator[Connection]:
        """A connection for one lean SELECT (`rosterd.store.lean`). On SQLite, the kept
        reader outside a transaction: a lone statement is its own, and SQLAlchemy's
        BEGIN and COMMIT around it cost a get a tenth of its time. Inside `one_read()`,
        or with the reader taken, or on PostgreSQL: `read()`."""
        if self._shared_read.get() is None:
            with self._lent_reader() as kept:
                if kept is not None:
                    try:
                        yield kept
                    finally:
                        if kept.in_transaction():  # Core began one: never leave it open
                            kept.rollback()
                    return
        with self.read() as connection:
            yield connection

    def _usable(self, kept: Connection | None, *, write: bool = False) -> Connection:
        """`kept`, or a new connection (a writer's, with `write`) in place of none or of
        one the driver gave up on."""
        if kept is not None and not kept.invalidated:
            return kept
        if kept is not None:
            kept.close()
        connection = self.engine.connect()
        return connection.execution_options(**{_WRITE: True}) if write else connection

    @contextmanager
    def one_read(self) -> Iterator[None]:
        """Every `read()` inside shares one connection and transaction: for requests that
        only read, whose three or four short reads would each pay for their own."""
        with self.read() as connection:
            token = self._shared_read.set(connection)
            try:
                yield
            finally:
                self._shared_read.reset(token)

    @contextmanager
    def write(self) -> Iterator[Connection]:
        if self._write_lock is None:
            with self._guard(), self.engine.begin() as connection:
                yield connection
            return
        with self._guard(), self._write_lock:
            self._kept_writer = self._usable(self._kept_writer, write=True)
            with self._kept_writer.begin():
                yield self._kept_writer

    def delete_in_batches(self, delete: Callable[[Connection, int], int], batch: int = 1000) -> int:
        """Run `delete(connection, batch)` in short write transactions until it deletes
        fewer than `batch` rows, so clean-up never holds the writer for long; the total."""
        total = 0
        while True:
            with self.write() as connection:
                deleted = delete(connection, batch)
            total += deleted
            if deleted < batch:
                return total

    def analyze(self, tables: Sequence[str]) -> None:
        """Refresh PostgreSQL's planner statistics after a bulk load: until autovacuum
        gets to them, a freshly loaded table looks empty to the planner, which then
        sorts a million rows for a page of 25. (SQLite keeps no statistics unless asked,
        and its plans here do not need them.)"""
        if self.is_sqlite:
            return
        with self.write() as connection:
            for table in tables:
                connection.exec_driver_sql(f"ANALYZE {table}")

    def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Processes starting together on one PostgreSQL migrate one at a time.
                connection.execute(sa.text("SELECT pg_advisory_xact_lock(7451002)"))
            if schema_revision(connection) == HEAD:
                return
            from alembic import command

            config = alembic_config()
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def dispose(self) -> None:
        """Close every connection, the kept ones too (the next use opens them again)."""
        with self._reader_lock:
            if self._kept_reader is not None:
                self._kept_reader.close()
                self._kept_reader = None
        if self._write_lock is not None:
            with self._write_lock:
                if self._kept_writer is not None:
                    self._kept_writer.close()
                    self._kept_writer = None
        self.engine.dispose()


@contextmanager
def unavailable_as_503(dialect: Dialect) -> Iterator[None]:
    """A database that cannot be reached (or is busy past the timeout) is a 503, not a 500,
    whether SQLAlchemy or the driver itself (on the lean paths) raised it."""
    driver = dialect.loaded_dbapi
    try:
        yield
    except (
        OperationalError,
        InterfaceError,
        driver.OperationalError,
        driver.InterfaceError,
    ) as error:
        name = type(getattr(error, "orig", None) or error).__name__
        log.warning("database unavailable: %s", name)
        raise ServerError() from error


def schema_revision(connection: Connection) -> str | None:
    """The migration the database is at; None before the first."""
    if not sa.inspect(connection).has_table("alembic_version"):
        return None
    return connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    return config
