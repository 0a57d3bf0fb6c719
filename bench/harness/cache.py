"""Each system's data brought into memory right before it is measured.

Machines of this kind page out memory that has gone untouched for about a minute (a
DAMON `pageout` scheme, `/sys/kernel/mm/damon/admin`), file cache included, however much
memory is free. A database measured minutes after it was last read is then served partly
from disk: at 1,000,000 users, rosterd with 2 workers, measured after the minutes of
1 worker's other scenarios, answered gets slower than 1 worker had. So every system's
files are read through before each batch of its scenarios, rosterd's and the peers'
alike.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterable
from pathlib import Path

CHUNK = 4 << 20
DAMON = Path("/sys/kernel/mm/damon/admin/kdamonds")
#: Read every block of the database's own relations into the operating system's cache.
PREWARM = (
    "SELECT count(pg_prewarm(c.oid, 'read')) FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i', 'm', 't')"
)


def read_through(paths: Iterable[Path]) -> int:
    """Read each file and its SQLite write-ahead log, if there; the bytes read."""
    total = 0
    for path in paths:
        for part in (path, path.with_name(path.name + "-wal")):
            try:
                with part.open("rb", buffering=0) as file:
                    while chunk := file.read(CHUNK):
                        total += len(chunk)
            except FileNotFoundError:
                continue
    return total


def prewarm_postgres(url: str) -> None:
    """Read a PostgreSQL database's tables and indexes (`pg_prewarm`, in contrib)."""
    subprocess.run(
        ["psql", url, "-qAtc", "CREATE EXTENSION IF NOT EXISTS pg_prewarm", "-c", PREWARM],
        check=True,
        capture_output=True,
    )


def pageout_note() -> str | None:
    """The machine's DAMON page-out scheme, described, when one is running."""
    for kdamond in sorted(DAMON.glob("[0-9]*")):
        if _text(kdamond / "state") != "on":
            continue
        context = kdamond / "contexts" / "0"
        aggregate_us = _number(context / "monitoring_attrs" / "intervals" / "aggr_us")
        for scheme in sorted((context / "schemes").glob("[0-9]*")):
            age = _number(scheme / "access_pattern" / "age" / "min")
            if _text(scheme / "action") == "pageout" and aggregate_us and age:
                seconds = aggregate_us * age / 1e6
                return (
                    f"This machine pages out memory left untouched for about {seconds:.0f} s "
                    "(DAMON `pageout`), file cache included, so each system's database is "
                    "read into the cache right before each batch of its scenarios."
                )
    return None


def _text(path: Path) -> str:
    try:
        return path.read_text().strip()
    except OSError:
        return ""


def _number(path: Path) -> int:
    text = _text(path)
    return int(text) if text.isdigit() else 0
