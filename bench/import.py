"""Bulk import speed: `rosterd users import` of generated users with pre-hashed passwords
(MD5, so hashing costs nothing), on SQLite and PostgreSQL, as a user runs it (a process
of its own). Prints users/second and the importer's peak memory.

    .venv/bin/python bench/import.py --users 1000000 [--engines sqlite,postgresql]

PostgreSQL is at 127.0.0.1:5432 (user postgres, trust); a database is made per run.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROSTERD = [sys.executable, "-m", "rosterd"]


def generate(path: Path, count: int) -> None:
    with path.open("w") as out:
        for number in range(count):
            digest = hashlib.md5(f"password{number}".encode()).hexdigest()
            user = {
                "$id": f"u{number}",
                "name": f"User {number}",
                "email": f"u{number}@example.com",
                "password": digest,
                "hash": "md5",
                "hashOptions": {"type": "md5"},
                "labels": ["vip"] if number % 10 == 0 else [],
                "prefs": {"n": number},
            }
            out.write(json.dumps(user) + "\n")


def database(engine: str, workdir: Path, name: str) -> str:
    if engine == "sqlite":
        return f"sqlite:///{workdir / name}.db"
    for sql in (f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def run(url: str, path: Path) -> tuple[float, int, dict[str, int]]:
    """Seconds, the importer's peak RSS in MiB, and its summary."""
    env = {**os.environ, "ROSTERD_DATABASE_URL": url}
    subprocess.run([*ROSTERD, "projects", "create", "--id", "bench"], env=env, check=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [*ROSTERD, "users", "import", str(path), "--project", "bench", "--format", "appwrite"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    summary: dict[str, int] = json.loads(done.stdout)
    return seconds, peak, summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        source = workdir / "users.jsonl"
        generate(source, arguments.users)
        size = source.stat().st_size / (1 << 20)
        print(f"{arguments.users:,} users, {size:,.0f} MiB of JSON lines\n")
        print("| engine | users | seconds | users/s | peak RSS (MiB) |")
        print("| --- | ---: | ---: | ---: | ---: |")
        for engine in arguments.engines.split(","):
            url = database(engine, workdir, f"bench_import_{os.getpid()}")
            seconds, peak, summary = run(url, source)
            assert summary["created"] == arguments.users, summary
            rate = arguments.users / seconds
            print(f"| {engine} | {arguments.users:,} | {seconds:,.1f} | {rate:,.0f} | {peak} |")


if __name__ == "__main__":
    main()
