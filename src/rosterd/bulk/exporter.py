"""`rosterd users export`: every user of a project (or those the queries select), page by
page in keyset order, so memory stays one page whatever the project's size.

`appwrite` writes the User model as JSON lines, hashes and options included (what an API
key sees in `GET /v1/users`), which `rosterd users import --format appwrite` reads back
losslessly. `csv` writes the generic CSV the importer reads (`rosterd.bulk.formats.csv`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator, Sequence
from typing import Any, Protocol, TextIO

from rosterd.bulk.formats.generic_csv import COLUMNS
from rosterd.bulk.progress import meter
from rosterd.clock import to_wire
from rosterd.queries.parser import parse_queries
from rosterd.services import Services
from rosterd.store.targets import TargetRow
from rosterd.store.users import USER_SCHEMA, UserRow
from rosterd.users import models

PAGE = 1000


class Writer(Protocol):
    def begin(self, out: TextIO) -> None:
        """Write what comes before the first user (a CSV header)."""

    def write(self, out: TextIO, row: UserRow, found: Sequence[TargetRow]) -> None:
        """Write one user."""


def _pages(services: Services, project_id: str, queries: Sequence[str]) -> Iterator[list[UserRow]]:
    """The selected users, a page at a time, after one another by cursor."""
    cursor: list[str] = []
    while True:
        page_queries = [*queries, json.dumps({"method": "limit", "values": [PAGE]}), *cursor]
        query = parse_queries(page_queries, USER_SCHEMA)
        page = services.users.list(project_id, query, "", with_total=False)
        if not page.users:
            return
        yield page.users
        if len(page.users) < PAGE:
            return
        last = page.users[-1].id
        cursor = [json.dumps({"method": "cursorAfter", "values": [last]})]


class AppwriteLines:
    """The User model as JSON lines, hashes and options included."""

    def begin(self, out: TextIO) -> None:
        return None

    def write(self, out: TextIO, row: UserRow, found: Sequence[TargetRow]) -> None:
        out.write(json.dumps(models.user(row, found), ensure_ascii=False) + "\n")


#: The hash option -> the CSV column that holds it, per scheme.
_CSV_OPTIONS = {
    "sha": {"version": "sha_version"},
    "scrypt": {
        "salt": "scrypt_salt",
        "costCpu": "scrypt_cpu",
        "costMemory": "scrypt_memory",
        "costParallel": "scrypt_parallel",
        "length": "scrypt_length",
    },
    "scryptMod": {
        "salt": "scrypt_salt",
        "saltSeparator": "scrypt_salt_separator",
        "signerKey": "scrypt_signer_key",
        "rounds": "scrypt_rounds",
        "memCost": "scrypt_mem_cost",
    },
}


class GenericCsv:
    """The generic CSV `rosterd.bulk.formats.generic_csv` reads."""

    def __init__(self) -> None:
        self._writer: Any = None

    def begin(self, out: TextIO) -> None:
        self._writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
        self._writer.writeheader()

    def write(self, out: TextIO, row: UserRow, found: Sequence[TargetRow]) -> None:
        scheme = (row.hash or "") if row.password else ""
        cells: dict[str, object] = {
            "id": row.id,
            "email": row.email or "",
            "phone": row.phone or "",
            "name": row.name,
            "password_hash": row.password or "",
            "password_scheme": scheme,
            "email_verified": str(row.email_verification).lower(),
            "phone_verified": str(row.phone_verification).lower(),
            "status": str(row.status).lower(),
            "labels": ";".join(row.labels),
            "prefs": json.dumps(row.prefs, ensure_ascii=False, separators=(",", ":")),
            "registration": to_wire(row.registration),
            "accessed_at": to_wire(row.accessed_at) if row.accessed_at else "",
        }
        options = row.hash_options or {}
        for option, column in _CSV_OPTIONS.get(scheme, {}).items():
            if option in options:
                cells[column] = options[option]
        self._writer.writerow(cells)


WRITERS: dict[str, Callable[[], Writer]] = {"appwrite": AppwriteLines, "csv": GenericCsv}


def export(
    services: Services,
    project_id: str,
    out: TextIO,
    writer: Writer,
    queries: Sequence[str] = (),
) -> int:
    """Write the users; how many."""
    count = 0
    writer.begin(out)
    with meter("export", None) as progress:
        for page in _pages(services, project_id, queries):
            found = services.targets.of(page)
            for row in page:
                writer.write(out, row, found.get(row.sequence, []))
            count += len(page)
            progress.update(count, count)
    out.flush()
    return count
