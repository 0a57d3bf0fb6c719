"""What stops a read before its first record: bad options, or a file no record can come from.

A bad record never stops a read (it becomes a `Rejected` record); these do, and the CLI
shows their message as it is.
"""

from __future__ import annotations


class ReaderError(ValueError):
    """The base of everything a reader raises on purpose."""


class OptionInvalid(ReaderError):
    """A format option is unknown, or its value cannot be used (e.g. `rounds` is 20)."""


class FileInvalid(ReaderError):
    """The file as a whole is not in the format (e.g. a CSV header without an `id` column)."""


class FieldInvalid(Exception):
    """One record's field is bad; the reader turns it into a `Rejected` record."""

    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)
