"""Progress of a long import or export: a `rich` bar (rate and ETA) on a terminal, a plain
line every few seconds otherwise (logs, CI), both on standard error."""

from __future__ import annotations

import sys
import time
from types import TracebackType
from typing import Protocol

from rich.progress import (
    BarColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


class Meter(Protocol):
    def update(self, done: int, users: int) -> None:
        """`done` of the total (bytes read, or users for an export); `users` so far."""

    def __enter__(self) -> Meter: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None: ...


class Bar:
    def __init__(self, label: str, total: int | None) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TaskProgressColumn(),
            TextColumn("{task.fields[users]:,} users"),
            TextColumn("{task.fields[rate]:,.0f}/s"),
            TimeElapsedColumn(),
            TimeRemainingColumn(),
            transient=False,
        )
        self._task = self._progress.add_task(label, total=total, users=0, rate=0.0)
        self._started = time.monotonic()

    def __enter__(self) -> Bar:
        self._progress.start()
        return self

    def update(self, done: int, users: int) -> None:
        rate = users / max(time.monotonic() - self._started, 1e-9)
        self._progress.update(self._task, completed=done, users=users, rate=rate)

    def __exit__(self, *_: object) -> None:
        self._progress.stop()


class Lines:
    """A line every `every` seconds, and one at the end."""

    def __init__(self, label: str, total: int | None, every: float = 5.0) -> None:
        self._label, self._total, self._every = label, total, every
        self._started = self._last = time.monotonic()
        self._done = self._users = 0

    def __enter__(self) -> Lines:
        return self

    def update(self, done: int, users: int) -> None:
        self._done, self._users = done, users
        if time.monotonic() - self._last >= self._every:
            self._say()

    def _say(self) -> None:
        self._last = time.monotonic()
        elapsed = max(self._last - self._started, 1e-9)
        share = f" {100 * self._done / self._total:.1f}%" if self._total else ""
        rate = self._users / elapsed
        print(
            f"{self._label}:{share} {self._users:,} users, {rate:,.0f}/s, {elapsed:.0f} s",
            file=sys.stderr,
            flush=True,
        )

    def __exit__(self, *_: object) -> None:
        self._say()


def meter(label: str, total: int | None) -> Meter:
    return Bar(label, total) if sys.stderr.isatty() else Lines(label, total)
