"""`python -m bench run`: seed, start each system in turn, load it, stop it, report."""

from __future__ import annotations

import argparse
import shlex
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import httpx

from bench.harness import cache, floors, population, report, scenarios
from bench.harness.load import Figures, measure_together
from bench.harness.peer_better_auth import BetterAuth
from bench.harness.peer_pocketbase import PocketBase
from bench.harness.peers import NAMES, Peer, node, pocketbase_binary
from bench.harness.report import Results
from bench.harness.systems import Rosterd, StaticFloor, wait_until_idle
from bench.harness.verdicts import CEILINGS

#: Seconds of raw hashing before and after each create with password (`Run._load`).
CEILING_SECONDS = 5.0
ACCOUNT_ARGON2 = {"memory_cost": 7168, "time_cost": 5, "threads": 1}
#: The fewest rounds of scenarios judged against each other (`scenarios.TOGETHER`), whose
#: verdict is the median of the rounds' ratios: from 2 rounds of 4 s the far page by
#: cursor came out at 1.46 times page 1, where pairs of rounds right after gave 1.06-1.07.
TOGETHER_ROUNDS = 5
DOCS = Path(__file__).resolve().parents[2] / "docs"
ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
PEER_SEEDING = (
    "The peers are seeded by writing their own SQLite tables directly (one transaction, "
    "unjournalled), with one password hash each peer made itself: sign-in is checked on a "
    "seeded user before each peer is measured."
)


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="measure every system and print (or write) the tables")
    run.add_argument("--scale", type=int, default=100_000, help="users seeded into each system")
    run.add_argument("--engines", default="sqlite,postgresql")
    run.add_argument("--connections", default="1,16", help="concurrency levels")
    run.add_argument("--seconds", type=float, default=10.0, help="length of a round")
    run.add_argument("--rounds", type=int, default=3)
    run.add_argument("--only", default="", help="scenario keys to run (default: all)")
    run.add_argument("--peers", default=",".join(NAMES), help="peers measured after rosterd")
    run.add_argument("--port", type=int, default=18700, help="the servers listen above it")
    run.add_argument("--write-docs", action="store_true", help="update docs/benchmarks.md")
    seed = commands.add_parser("seed", help="time seeding the peers alone, and their sign-in")
    seed.add_argument("--scale", type=int, default=1_000_000)
    seed.add_argument("--peers", default=",".join(NAMES))
    seed.add_argument("--port", type=int, default=18700, help="the servers listen above it")
    return parser.parse_args()


def _peer_names(option: str) -> list[str]:
    """The peers asked for, each one's tools checked before anything is seeded."""
    names = [name for name in option.split(",") if name]
    for name in names:
        if name not in NAMES:
            sys.exit(f"no peer {name!r}: the peers are {', '.join(NAMES)}")
        (pocketbase_binary if name == "pocketbase" else node)()
    return names


def _peer(name: str, workdir: Path, port: int) -> Peer:
    home = workdir / name
    home.mkdir()
    return PocketBase(home, port) if name == "pocketbase" else BetterAuth(home, port)


def _postgres_url(name: str) -> str:
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", ADMIN, "-qc", sql], check=True, capture_output=True)
    return ADMIN.rsplit("/", 1)[0] + "/" + name


class Run:
    def __init__(self, options: argparse.Namespace, workdir: Path) -> None:
        self.options = options
        self.workdir = workdir
        self.levels = [int(level) for level in options.connections.split(",")]
        self.results = Results(
            command="python -m bench " + shlex.join(sys.argv[1:]),
            scale=options.scale,
            levels=self.levels,
            commit=report.commit(),
        )
        self.port: int = options.port

    def _next_port(self) -> int:
        self.port += 1
        return self.port

    def _load(
        self,
        name: str,
        url: str,
        chosen: list[scenarios.Scenario],
        warm: Callable[[], None],
        hashing: dict[str, int] | None = None,
    ) -> None:
        """Measure `chosen`, each batch right after `warm` (`cache`); with `hashing` (the
        system's Argon2 costs), the raw hash rate at those costs is measured right before
        and after each create with password."""
        table = self.results.load.setdefault(name, {})
        for batch in scenarios.batches(chosen):
            keys = [s.key for s in batch if s.key in CEILINGS]
            costs = hashing if keys else None
            before = floors.argon2_rate(costs, CEILING_SECONDS) if costs else 0.0
            warm()
            self._measure(name, url, batch, table)
            if costs:
                after = floors.argon2_rate(costs, CEILING_SECONDS)
                for key in keys:
                    self.results.ceilings.setdefault(name, {})[key] = (before + after) / 2
                print(f"  {name:32} raw Argon2: {before:,.1f}/s before, {after:,.1f}/s after")

    def _measure(
        self,
        name: str,
        url: str,
        batch: list[scenarios.Scenario],
        table: dict[str, dict[int, Figures]],
    ) -> None:
        rounds = self.options.rounds
        if len(batch) > 1:
            rounds = max(rounds, TOGETHER_ROUNDS)
        luas = [scenario.lua for scenario in batch]
        for level in self.levels:
            measured = measure_together(
                url, luas, level, self.options.seconds, rounds, settle=wait_until_idle
            )
            for scenario, figures in zip(batch, measured, strict=True):
                self.results.titles.setdefault(scenario.key, scenario.title)
                table.setdefault(scenario.key, {})[level] = figures
                print(
                    f"  {name:32} {scenario.title:38} c={level:<3} "
                    f"{figures.throughput:9,.1f}/s p50 {figures.p50:8.2f} ms "
                    f"p99 {figures.p99:8.2f} ms failed {figures.failed}",
                    flush=True,
                )

    def _only(self, every: list[scenarios.Scenario]) -> list[scenarios.Scenario]:
        only = set(filter(None, self.options.only.split(",")))
        return [s for s in every if not only or s.key in only]

    def _chosen(self, system: Rosterd) -> list[scenarios.Scenario]:
        project = {"X-Appwrite-Project": "bench"}
        return self._only(scenarios.rosterd(self.options.scale, system.headers(), project))

    def peers(self, names: list[str]) -> None:
        """Each peer in turn: seeded, started, its sign-in checked, loaded, stopped."""
        for name in names:
            peer = _peer(name, self.workdir, self._next_port())
            print(f"seeding {peer.name}", flush=True)
            self.results.seeding[peer.name] = peer.seed(self.options.scale)
            peer.start()
            try:
                peer.check_signin()
                chosen = self._only(peer.scenarios(self.options.scale))
                self._load(peer.name, peer.url, chosen, peer.warm)
            finally:
                self.results.rss[peer.name] = peer.stop()
            self.results.notes += peer.notes()
        if names:
            self.results.notes.append(PEER_SEEDING)

    def rosterd(self, users_file: Path) -> Rosterd | None:
        """Every rosterd system; the SQLite one with one worker is returned (the floors use it)."""
        primary = None
        for engine in self.options.engines.split(","):
            url = (
                f"sqlite:///{self.workdir / 'rosterd.db'}"
                if engine == "sqlite"
                else _postgres_url("bench_harness")
            )
            seeded = Rosterd(engine, 1, url, self._next_port())
            self.results.seeding[f"rosterd ({engine})"] = seeded.seed(users_file)
            for workers in (1, 2) if engine == "sqlite" else (1,):
                system = Rosterd(engine, workers, url, self._next_port(), key=seeded.key)
                system.start()
                try:
                    chosen = self._chosen(system)
                    self._load(system.name, system.url, chosen, system.warm, system.argon2)
                finally:
                    self.results.rss[system.name] = system.stop()
                    if system.parser_peak_mib is not None:
                        parser = f"{system.name}: its User-Agent parser process"
                        self.results.rss[parser] = system.parser_peak_mib
                if engine == "sqlite" and workers == 1:
                    primary = system
        return primary

    def account_hashing(self, primary: Rosterd) -> None:
        """Create with password at the account flow's Argon2 costs (7 MiB, t=5, p=1),
        shown as a scenario of rosterd on SQLite with 1 and 2 workers."""
        for workers in (1, 2):
            port = self._next_port()
            argon2 = dict(ACCOUNT_ARGON2)
            system = Rosterd("sqlite", workers, primary.database_url, port, argon2, primary.key)
            chosen = [
                replace(
                    s,
                    key="create_password_account",
                    title="create with password (7 MiB, t=5, p=1)",
                )
                for s in self._chosen(system)
                if s.key == "create_password"
            ]
            system.start()
            try:
                self._load(system.name, system.url, chosen, system.warm, argon2)
            finally:
                system.stop()

    def static_floor(self, primary: Rosterd) -> None:
        primary.start()
        try:
            user = f"{primary.url}/v1/users/{population.user_id(1)}"
            body = httpx.get(user, headers=primary.headers()).content
        finally:
            primary.stop()
        path = self.workdir / "user.json"
        path.write_bytes(body)
        get = scenarios.Scenario("get", "get user by id", 'return wrk.format("GET", "/static")')
        for workers in (1, 2):
            floor = StaticFloor(workers, path, self._next_port())
            floor.start()
            try:
                self._load(floor.name, floor.url, [get], lambda: None)
            finally:
                self.results.rss[floor.name] = floor.stop()
        self.results.notes.append(
            f"The static body is {len(body):,} bytes, a user as rosterd returns it."
        )


def seed_peers(options: argparse.Namespace) -> None:
    """Seed each peer alone and print the seconds; check a seeded user's sign-in."""
    for offset, name in enumerate(_peer_names(options.peers), start=1):
        with tempfile.TemporaryDirectory(prefix="bench-") as work:
            peer = _peer(name, Path(work), options.port + offset)
            seconds = peer.seed(options.scale)
            peer.start()
            try:
                peer.check_signin()
            finally:
                peak = peer.stop()
            print(
                f"{peer.name}: {options.scale:,} users seeded in {seconds:,.1f} s, sign-in ok, "
                f"peak RSS {peak:,.0f} MiB",
                flush=True,
            )


def main() -> None:
    options = _arguments()
    if options.command == "seed":
        seed_peers(options)
        return
    if shutil.which("wrk") is None:
        sys.exit("the harness drives load with wrk: apt-get install wrk")
    peers = _peer_names(options.peers)
    with tempfile.TemporaryDirectory(prefix="bench-") as work:
        run = Run(options, Path(work))
        users_file = Path(work) / "users.jsonl"
        print(f"generating {options.scale:,} users", flush=True)
        population.write(users_file, options.scale, population.shared_hash())
        primary = run.rosterd(users_file)
        if primary is not None:
            # The in-process floors first, and on a database just read into the cache.
            primary.warm()
            database = str(Path(work) / "rosterd.db")
            run.results.bare_sql = floors.bare_sql_ms(database, options.scale)
            run.results.minimal_get_us = floors.minimal_get_us(database, options.scale, primary.key)
            run.account_hashing(primary)
            run.static_floor(primary)
        run.peers(peers)
        for name, costs in (
            ("Appwrite's costs (64 MiB, t=4, p=3)", population.APPWRITE_ARGON2),
            ("account flow (7 MiB, t=5, p=1)", ACCOUNT_ARGON2),
        ):
            run.results.argon2[name] = floors.argon2_rate(costs)
        pageout = cache.pageout_note()
        if pageout:
            run.results.notes.append(pageout)
        print(report.markdown(run.results))
        if options.write_docs:
            report.write_docs(run.results, DOCS / "benchmarks.md", DOCS / "img")
