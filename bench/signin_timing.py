"""Does sign-in time reveal whether an email has an account?

Times the sign-in service (default Argon2id cost, a temporary SQLite database, no rate
limit) for an unknown email, a known email with a wrong password, and the right
password. The first two should cost the same. Run: `.venv/bin/python bench/signin_timing.py`.
"""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from rosterd.audit import SYSTEM
from rosterd.errors import AppwriteError
from rosterd.services import Services
from rosterd.sessions.service import Client
from rosterd.settings import Settings
from rosterd.users.service import NewUser

ROUNDS = 15
CLIENT = Client(ip="127.0.0.1", user_agent="bench")


def median_ms(attempt: Callable[[], object]) -> float:
    samples = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        with contextlib.suppress(AppwriteError):
            attempt()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    with tempfile.TemporaryDirectory() as directory:
        url = f"sqlite:///{Path(directory) / 'bench.db'}"
        services = Services.build(Settings(database_url=url, signin_limit=0))
        services.database.migrate()
        services.projects.create("bench", "bench")
        new = NewUser("known", email="known@example.com", password="the right password")
        services.users.create("bench", new, actor=SYSTEM)
        accounts = services.accounts
        cases = {
            "unknown email": lambda: accounts.sign_in(
                "bench", "nobody@example.com", "whatever pw", CLIENT, actor=SYSTEM
            ),
            "known email, wrong password": lambda: accounts.sign_in(
                "bench", "known@example.com", "whatever pw", CLIENT, actor=SYSTEM
            ),
            "known email, right password": lambda: accounts.sign_in(
                "bench", "known@example.com", "the right password", CLIENT, actor=SYSTEM
            ),
        }
        table = Table(title=f"Sign-in time, median of {ROUNDS} (Argon2id m=65536 t=4 p=3)")
        table.add_column("case")
        table.add_column("ms")
        for name, attempt in cases.items():
            table.add_row(name, f"{median_ms(attempt):.1f}")
        Console().print(table)
        services.database.dispose()


if __name__ == "__main__":
    main()
