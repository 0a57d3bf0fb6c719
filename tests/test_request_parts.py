"""The parts of a request read without building its URL, and SQLite's kept connections:
each answers exactly as the slower way it replaces."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request

from rosterd.http.clients import hostname
from rosterd.http.params import parse_query_string, query_of
from rosterd.store.database import Database


def _request(
    headers: list[tuple[bytes, bytes]],
    server: tuple[str, int] | None = ("127.0.0.1", 8080),
    scheme: str = "http",
    query: bytes = b"",
) -> Request:
    scope: dict[str, Any] = {
        "type": "http",
        "method": "GET",
        "scheme": scheme,
        "path": "/v1/users/ann",
        "query_string": query,
        "root_path": "",
        "headers": headers,
        "server": server,
    }
    return Request(scope)


@pytest.mark.parametrize(
    ("headers", "server", "scheme", "expected"),
    [
        ([(b"host", b"example.com")], ("127.0.0.1", 8080), "http", "example.com"),
        ([(b"host", b"Users.Example.COM:8443")], ("127.0.0.1", 8080), "https", "users.example.com"),
        ([(b"host", b"[::1]:8080")], ("::1", 8080), "http", "::1"),
        ([(b"host", b"127.0.0.1:8080")], ("127.0.0.1", 8080), "http", "127.0.0.1"),
        # A Host header Starlette does not accept: the server's own address.
        ([(b"host", b"")], ("127.0.0.1", 8080), "http", "127.0.0.1"),
        ([(b"host", b"evil.example/x?y#z")], ("127.0.0.1", 8080), "http", "127.0.0.1"),
        ([], ("10.0.0.7", 80), "http", "10.0.0.7"),
        ([], ("10.0.0.7", 8443), "https", "10.0.0.7"),
        ([], None, "http", ""),
    ],
)
def test_hostname_is_starlettes(
    headers: list[tuple[bytes, bytes]],
    server: tuple[str, int] | None,
    scheme: str,
    expected: str,
) -> None:
    request = _request(headers, server, scheme)
    assert hostname(request) == expected
    assert hostname(request) == (_request(headers, server, scheme).url.hostname or "")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (b"", {}),
        (b"total=false", {"total": "false"}),
        (b"queries%5B0%5D=a&queries%5B1%5D=b", {"queries": ["a", "b"]}),
        (b"queries[]=a&queries[]=b&search=ann", {"queries": ["a", "b"], "search": "ann"}),
        (b"search=%C3%A9l%C3%A8ne+b", {"search": "\u00e9l\u00e8ne b"}),
        (b"search=\xc3\xa9", {"search": "\u00e9"}),
        (b"a=1&a=2&b", {"a": ["1", "2"], "b": ""}),
    ],
)
def test_query_of_reads_the_scope_as_the_url_would(query: bytes, expected: object) -> None:
    request = _request([(b"host", b"example.com")], query=query)
    assert query_of(request) == expected
    assert query_of(request) == parse_query_string(_request([], query=query).url.query)


def test_a_query_that_is_not_utf8_is_read_not_refused() -> None:
    request = _request([], query=b"search=\xff")
    assert query_of(request) == {"search": "\ufffd"}


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    database = Database(f"sqlite:///{tmp_path / 'kept.db'}")
    with database.write() as connection:
        connection.exec_driver_sql("CREATE TABLE notes (n INTEGER)")
    yield database
    database.dispose()


def _count(database: Database) -> int:
    with database.read() as connection:
        return int(connection.exec_driver_sql("SELECT count(*) FROM notes").scalar_one())


def _add(database: Database, n: int) -> None:
    with database.write() as connection:
        connection.exec_driver_sql(f"INSERT INTO notes VALUES ({n})")


def test_one_read_shares_one_connection_across_requests(database: Database) -> None:
    seen = []
    for _ in range(2):
        with database.one_read(), database.read() as first, database.read() as second:
            assert first is second
            seen.append(first)
    assert seen[0] is seen[1]


def test_one_read_sees_each_write_made_between_reads(database: Database) -> None:
    for n in range(3):
        with database.one_read():
            assert _count(database) == n
        _add(database, n)


def test_one_read_rolls_back_on_error_and_serves_the_next(database: Database) -> None:
    with pytest.raises(LookupError), database.one_read():
        assert _count(database) == 0
        raise LookupError
    _add(database, 1)
    with database.one_read():
        assert _count(database) == 1


def test_a_second_holder_reads_through_the_pool(database: Database) -> None:
    """Held on one thread, the kept connection is not lent to another: that one reads
    on a pool connection, and both see the same rows."""
    holding, done = threading.Event(), threading.Event()
    found: dict[str, Any] = {}

    def hold() -> None:
        with database.one_read(), database.read() as connection:
            found["kept"] = connection
            found["kept count"] = _count(database)
            holding.set()
            done.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    assert holding.wait(10)
    try:
        with database.one_read(), database.read() as connection:
            found["other"] = connection
            found["other count"] = _count(database)
    finally:
        done.set()
        holder.join(10)
    assert found["other"] is not found["kept"]
    assert found["kept count"] == found["other count"] == 0
    with database.one_read(), database.read() as connection:
        assert connection is found["kept"]


def test_a_read_inside_a_read_takes_its_own_connection(database: Database) -> None:
    _add(database, 1)
    with database.read() as outer, database.read() as inner:
        assert outer is not inner
        for connection in (outer, inner):
            assert connection.exec_driver_sql("SELECT n FROM notes").scalar_one() == 1


def test_the_kept_writer_rolls_back_a_failed_write_and_serves_the_next(
    database: Database,
) -> None:
    with database.write() as connection:
        connection.exec_driver_sql("CREATE UNIQUE INDEX one_n ON notes (n)")
        first = connection
    _add(database, 1)
    with pytest.raises(IntegrityError), database.write() as connection:
        assert connection is first
        connection.exec_driver_sql("INSERT INTO notes VALUES (2)")
        connection.exec_driver_sql("INSERT INTO notes VALUES (1)")
    assert _count(database) == 1
    _add(database, 3)
    with database.read() as connection:
        rows = connection.exec_driver_sql("SELECT n FROM notes ORDER BY n").scalars().all()
    assert rows == [1, 3]


def test_dispose_closes_the_kept_connections(database: Database) -> None:
    with database.one_read(), database.read() as connection:
        reader = connection
    with database.write() as connection:
        writer = connection
    database.dispose()
    assert reader.closed
    assert writer.closed
    _add(database, 1)
    with database.one_read():
        assert _count(database) == 1
