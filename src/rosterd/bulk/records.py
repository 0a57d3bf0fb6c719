"""What every import format reads into: one `Incoming` user per record, or a `Rejected`
record with the reason, each with its position in the file (0, 1, 2, ...).

Readers stream: they yield records one at a time and never hold the file in memory.
A reader checks what only it can (its format's fields, its hash encoding, building the
`StoredPassword` with `rosterd.passwords.schemes`); the importer checks the rest (ids,
emails, phones, labels, prefs) the way the REST API does.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO, Literal, Protocol

from rosterd.passwords import StoredPassword


@dataclass(frozen=True)
class Incoming:
    position: int
    user_id: str
    email: str | None = None
    phone: str | None = None
    name: str = ""
    password: StoredPassword | None = None
    email_verification: bool = False
    phone_verification: bool = False
    status: bool = True
    labels: Sequence[str] = ()
    prefs: Mapping[str, Any] = field(default_factory=dict)
    #: When the user signed up at the source (else: now).
    registration: datetime | None = None
    #: When the user was last seen at the source.
    accessed_at: datetime | None = None


@dataclass(frozen=True)
class Rejected:
    position: int
    user_id: str
    reason: str


Record = Incoming | Rejected

Outcome = Literal["created", "updated", "skipped", "rejected"]


@dataclass(frozen=True)
class Line:
    """One line of the report: what became of the record at `position`."""

    position: int
    user_id: str
    outcome: Outcome
    reason: str = ""


class Reader(Protocol):
    def __call__(self, source: BinaryIO, options: Mapping[str, str]) -> Iterator[Record]:
        """The records of a file open for binary reading, in order, with the format's
        `options` (e.g. Firebase's `hash_key`)."""
