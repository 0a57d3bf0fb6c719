"""Read a file as a stream of documents, in constant memory whatever its size.

Every reader reads its file through here. A file may be gzip-compressed (Auth0's exports
are), and may start with a UTF-8 byte-order mark. Three layouts:

* a JSON array (`[...]`), or an array under a key of a top-level object (Firebase's
  `{"users": [...]}`), parsed incrementally by `ijson`: one element in memory at a time.
  A syntax error inside an array cannot be skipped (nothing after it can be framed), so it
  ends the read with one `Rejected` record at that position;
* JSON lines (one object per line; blank lines are skipped and not counted): a line that
  is not JSON is one `Rejected` record and the read goes on with the next line;
* CSV with a header row: a row that cannot be read is one `Rejected` record and the read
  goes on.

An empty file (or one of whitespace only) has no records, whatever its format. One limit
comes from the JSON parser (yajl): an integer beyond ±(2**63 - 1) inside a JSON array is a
syntax error to it, so it ends the read like one. JSON lines have no such limit.

Positions count the documents from 0, in file order (for CSV: the data rows after the
header).
"""

from __future__ import annotations

import csv
import gzip
import io
import zlib
from collections.abc import Callable, Iterator
from typing import IO, Any, BinaryIO, Protocol

import ijson  # type: ignore[import-untyped]  # ijson ships no type information

from rosterd.bulk.formats.errors import FileInvalid, ReaderError
from rosterd.bulk.formats.fields import strict_json
from rosterd.bulk.records import Rejected

#: A document and its position, or the rejection of one that could not be read.
Entry = tuple[int, Any] | Rejected

_GZIP_MAGIC = b"\x1f\x8b"
_BYTE_ORDER_MARK = b"\xef\xbb\xbf"
_WHITESPACE = b" \t\r\n"
_SNIFF_CHUNK = 4096


class _Source(Protocol):
    def read(self, size: int = -1, /) -> bytes: ...


class _Prefixed(io.RawIOBase):
    """A binary stream that yields `prefix`, then the rest of `stream`."""

    def __init__(self, prefix: bytes, stream: _Source) -> None:
        self._prefix = prefix
        self._stream = stream

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        view = memoryview(buffer).cast("B")
        data = self._prefix[: len(view)] if self._prefix else self._stream.read(len(view))
        self._prefix = self._prefix[len(data) :] if self._prefix else b""
        view[: len(data)] = data
        return len(data)


class _Decompressed:
    """gzip content, whose damage (a truncated download, say) is a `FileInvalid`."""

    def __init__(self, compressed: IO[bytes]) -> None:
        self._content = gzip.GzipFile(fileobj=compressed, mode="rb")

    def read(self, size: int = -1, /) -> bytes:
        try:
            return self._content.read(size)
        except (OSError, EOFError, zlib.error) as error:
            raise FileInvalid(f"the gzip data is damaged ({error})") from None


def _leading(stream: _Source) -> bytes:
    """Read until the first byte that is not whitespace (or the end); return what was read."""
    prefix = b""
    while True:
        chunk = stream.read(_SNIFF_CHUNK)
        prefix += chunk
        if not chunk or prefix.removeprefix(_BYTE_ORDER_MARK).strip(_WHITESPACE):
            return prefix


def opened(source: BinaryIO) -> tuple[bytes, IO[bytes]]:
    """The first significant byte of `source` (b"" when empty), and its content to read.

    Compressed content is decompressed; a UTF-8 byte-order mark is dropped. `source`
    itself stays open: it belongs to the caller.
    """
    magic = source.read(len(_GZIP_MAGIC))
    whole = io.BufferedReader(_Prefixed(magic, source))
    raw: _Source = _Decompressed(whole) if magic == _GZIP_MAGIC else whole
    prefix = _leading(raw).removeprefix(_BYTE_ORDER_MARK)
    first = prefix.lstrip(_WHITESPACE)[:1]
    return first, io.BufferedReader(_Prefixed(prefix, raw))


def json_documents(source: BinaryIO, *, wrapper_key: str | None = None) -> Iterator[Entry]:
    """The documents of a JSON array, or of JSON lines.

    With `wrapper_key`, content that starts with `{` is one object whose `wrapper_key`
    holds the array (Firebase's `{"users": [...]}`); without it, such content is JSON lines.
    """
    first, stream = opened(source)
    yield from json_stream(first, stream, wrapper_key=wrapper_key)


def json_stream(
    first: bytes, stream: IO[bytes], *, wrapper_key: str | None = None
) -> Iterator[Entry]:
    """`json_documents` of a stream already `opened`, whose first byte is `first`."""
    if first == b"[":
        yield from _array(stream, "item")
    elif first == b"{" and wrapper_key is not None:
        yield from _array(stream, f"{wrapper_key}.item")
    elif first == b"{":
        yield from json_lines(stream)
    elif first:
        raise FileInvalid("the file is neither a JSON array nor JSON lines")


def _array(stream: IO[bytes], prefix: str) -> Iterator[Entry]:
    position = 0
    try:
        for document in ijson.items(stream, prefix, use_float=True):
            yield position, document
            position += 1
    except ReaderError:
        raise
    except (ijson.JSONError, ValueError) as error:
        detail = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        yield Rejected(position, "", f"invalid JSON ({detail}); nothing after it can be read")


def json_lines(stream: IO[bytes]) -> Iterator[Entry]:
    """One document per non-blank line."""
    position = 0
    for line in stream:
        if not line.strip():
            continue
        try:
            document = strict_json(line)
        except UnicodeDecodeError:
            yield Rejected(position, "", "the line is not UTF-8")
        except (ValueError, RecursionError) as error:
            yield Rejected(position, "", f"invalid JSON ({error})")
        else:
            yield position, document
        position += 1


def csv_rows(
    stream: IO[bytes], check_header: Callable[[list[str]], None] | None = None
) -> Iterator[Entry]:
    """Each data row as a dict from the header's column names to cell texts.

    `check_header` sees the column names first, and may raise `FileInvalid`.
    """
    lines = (line.decode("utf-8", "surrogateescape") for line in stream)
    rows = csv.reader(lines, strict=True)
    header = _header(rows)
    if not header:
        return
    if check_header is not None:
        check_header(header)
    position = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as error:
            yield Rejected(position, "", f"invalid CSV ({error})")
            position += 1
            continue
        if row:
            yield _cells(position, header, row)
            position += 1


def _header(rows: Iterator[list[str]]) -> list[str]:
    """The column names; [] for an empty file."""
    try:
        header = next(rows, [])
    except csv.Error as error:
        raise FileInvalid(f"the CSV header cannot be read ({error})") from None
    if any(_has_undecodable(name) for name in header):
        raise FileInvalid("the CSV header is not UTF-8")
    return [name.strip() for name in header]


def _cells(position: int, header: list[str], row: list[str]) -> Entry:
    if len(row) != len(header):
        return Rejected(position, "", f"the row has {len(row)} cells, the header {len(header)}")
    if any(_has_undecodable(cell) for cell in row):
        return Rejected(position, "", "the row is not UTF-8")
    return position, dict(zip(header, row, strict=True))


def _has_undecodable(cell: str) -> bool:
    """Whether decoding with surrogateescape left a lone surrogate (a byte that is not UTF-8)."""
    return any("\udc80" <= character <= "\udcff" for character in cell)
