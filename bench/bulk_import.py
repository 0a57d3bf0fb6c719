"""Bulk import speed: `rosterd users import` of generated users with pre-hashed passwords
(MD5, so hashing costs nothing), on SQLite and PostgreSQL, as a user runs it (a process
of its own), with the two halves of the work also timed apart:

* preparing: reading the file, the REST API's checks, each user's rows
  (`rosterd.bulk.prepare.prepared`, in this process, nothing written);
* writing: the importer's transactions alone, fed batches prepared beforehand
  (`Importer.write`; only the time inside the transactions counts). This is the ceiling
  of the whole command, since SQLite takes one writer at a time.

Prints users/second, and the importer's peak memory (the largest of its processes).

    .venv/bin/python bench/bulk_import.py --users 1000000 [--engines sqlite,postgresql]

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

from rosterd.bulk.importer import Importer
from rosterd.bulk.prepare import Plan, prepared
from rosterd.cli.common import open_services
from rosterd.settings import Settings

ROSTERD = [sys.executable, "-m", "rosterd"]
BATCH = 5000


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


def command(url: str, path: Path) -> tuple[float, int]:
    """`rosterd users import`: seconds, and its peak RSS in MiB."""
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
    summary: dict[str, int] = json.loads(done.stdout)
    assert summary["created"] > 0 and summary["rejected"] == 0, summary
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    return seconds, peak


def export(url: str, workdir: Path) -> tuple[float, int, int]:
    """`rosterd users export` of what `command` imported: seconds, peak RSS (MiB), lines."""
    env = {**os.environ, "ROSTERD_DATABASE_URL": url}
    target = workdir / "export.jsonl"
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    arguments = ["users", "export", "--project", "bench", "--format", "appwrite"]
    subprocess.run(
        [*ROSTERD, *arguments, "--output", str(target)],
        env=env,
        check=True,
        capture_output=True,
    )
    seconds = time.perf_counter() - started
    peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) // 1024
    with target.open("rb") as lines:
        count = sum(1 for _ in lines)
    target.unlink()
    return seconds, peak, count


def halves(url: str, path: Path) -> tuple[float, float]:
    """Seconds spent preparing, and writing (see the module's text), in this process."""
    services = open_services(Settings.from_environ({"ROSTERD_DATABASE_URL": url}))
    services.projects.create("bench", "bench")
    dialect = services.database.engine.dialect.name
    plan = Plan(str(path), "appwrite", "bench", dialect, services.users.passwordless(), size=BATCH)
    importer = Importer("bench", dialect)
    preparing = writing = 0.0
    batches = prepared(plan)
    while True:
        started = time.perf_counter()
        batch = next(batches, None)
        preparing += time.perf_counter() - started
        if batch is None:
            return preparing, writing
        started = time.perf_counter()
        with services.database.write() as connection:
            importer.write(connection, batch, "fail")
        writing += time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--engines", default="sqlite,postgresql")
    arguments = parser.parse_args()
    count = arguments.users
    with tempfile.TemporaryDirectory() as work:
        workdir = Path(work)
        source = workdir / "users.jsonl"
        generate(source, count)
        size = source.stat().st_size / (1 << 20)
        print(f"{count:,} users, {size:,.0f} MiB of JSON lines\n")
        imports, exports = [], []
        for engine in arguments.engines.split(","):
            name = f"bench_import_{os.getpid()}"
            url = database(engine, workdir, name)
            seconds, peak = command(url, source)
            out_seconds, out_peak, lines = export(url, workdir)
            assert lines == count, lines
            preparing, writing = halves(database(engine, workdir, name + "_halves"), source)
            imports.append(
                f"| {engine} | {count:,} | {seconds:,.1f} | {count / seconds:,.0f} | {peak} "
                f"| {count / preparing:,.0f} | {count / writing:,.0f} |"
            )
            exports.append(
                f"| {engine} | {count:,} | {out_seconds:,.1f} | {count / out_seconds:,.0f} "
                f"| {out_peak} |"
            )
        print("`rosterd users import`, and its halves timed apart (users/s):\n")
        columns = "engine | users | seconds | users/s | peak RSS (MiB)"
        print(f"| {columns} | preparing alone | writing alone |")
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        print("\n".join(imports))
        print("\n`rosterd users export --format appwrite`:\n")
        print(f"| {columns} |")
        print("| --- | ---: | ---: | ---: | ---: |")
        print("\n".join(exports))


if __name__ == "__main__":
    main()
