"""Ratios and targets: rosterd against its peers and the floors, from one run's figures.

The targets are issue #10's, for rosterd on SQLite. Latency targets are judged at one
connection (at 16 the p50 is mostly time spent queueing behind the other 15); throughput
targets at the highest concurrency level measured, where the server is saturated.
"""

from __future__ import annotations

import statistics
from collections.abc import Callable
from dataclasses import dataclass

from bench.harness.load import Figures
from bench.harness.results import Results

PRIMARY = "rosterd (sqlite, 1 worker)"
STATIC = "static body ({workers} worker{s})"
ROSTERD_SQLITE = ("rosterd (sqlite, 1 worker)", "rosterd (sqlite, 2 workers)")
LISTS = ("list_email", "list_labels", "list_status")
#: The raw Argon2 rate (`Results.argon2`) each create-with-password scenario is held to,
#: unless the run measured one next to it (`Results.ceilings`).
CEILINGS = {
    "create_password": "Appwrite's costs (64 MiB, t=4, p=3)",
    "create_password_account": "account flow (7 MiB, t=5, p=1)",
}


@dataclass(frozen=True)
class Verdict:
    target: str
    measured: str
    met: bool | None  # None: not measured in this run


def peers(results: Results) -> list[str]:
    return [name for name in results.load if not name.startswith(("rosterd", "static"))]


def ratio_table(results: Results, level: int) -> list[str]:
    """rosterd (SQLite, 1 worker) throughput divided by each peer's, per scenario."""
    others = peers(results)
    if not others:
        return []
    lines = [
        f"**rosterd ÷ peer, requests/s at {level} connection{'s' if level > 1 else ''}** "
        "(above 1: rosterd is faster)",
        "",
        "| scenario | " + " | ".join(others) + " |",
        "| --- |" + " ---: |" * len(others),
    ]
    for key, title in results.titles.items():
        ours = results.figures(PRIMARY, key, level)
        cells = [_ratio(ours, results.figures(peer, key, level)) for peer in others]
        if any(cell != "-" for cell in cells):
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _ratio(ours: Figures | None, theirs: Figures | None) -> str:
    if ours is None or theirs is None or theirs.throughput == 0:
        return "-"
    return f"{ours.throughput / theirs.throughput:.2f}x"


def floor_table(results: Results) -> list[str]:
    """rosterd against the floors: static body, bare SQL, raw Argon2."""
    lines = [
        "| rosterd (SQLite) against a floor | rosterd | floor | ratio |",
        "| --- | ---: | ---: | ---: |",
    ]
    for level in results.levels:
        for workers, name in enumerate(ROSTERD_SQLITE, start=1):
            ours = results.figures(name, "get", level)
            floor = results.figures(_static(workers), "get", level)
            if ours and floor:
                lines.append(
                    f"| get user, {workers} worker{'s' * (workers > 1)}, {level} conn. "
                    f"(req/s vs static body) | {ours.throughput:,.0f} | "
                    f"{floor.throughput:,.0f} | {ours.throughput / floor.throughput:.0%} |"
                )
    for key, sql_ms in results.bare_sql.items():
        ours = results.figures(PRIMARY, key, 1)
        if ours:
            lines.append(
                f"| {results.titles.get(key, key)}, p50 ms vs bare SQL in-process "
                f"| {ours.p50:.2f} | {sql_ms:.3f} | {_times(ours.p50 / max(sql_ms, 1e-6))} |"
            )
    for key in CEILINGS:
        best = _best(results, PRIMARY, key)
        rate = _ceiling(results, PRIMARY, key)
        if best and rate:
            lines.append(
                f"| {results.titles.get(key, key)} (users/s vs raw Argon2 on every core"
                f"{', measured next to it' if PRIMARY in results.ceilings else ''}) "
                f"| {best.throughput:,.2f} | {rate:,.2f} | {best.throughput / rate:.0%} |"
            )
    return [*lines, ""] if len(lines) > 2 else []


def _times(ratio: float) -> str:
    return f"{ratio:,.0f}x" if ratio >= 10 else f"{ratio:.2f}x"


def _static(workers: int) -> str:
    return STATIC.format(workers=workers, s="s" if workers > 1 else "")


def _best(results: Results, system: str, key: str) -> Figures | None:
    found = [results.figures(system, key, level) for level in results.levels]
    return max((f for f in found if f), key=lambda f: f.throughput, default=None)


def _p50(results: Results, key: str) -> float | None:
    figures = results.figures(PRIMARY, key, 1)
    return figures.p50 if figures else None


def _at_most(target: str, limit: float, value: float | None, unit: str = " ms") -> Verdict:
    if value is None:
        return Verdict(target, "not measured", None)
    return Verdict(target, f"{value:,.2f}{unit}", value <= limit)


def verdicts(results: Results) -> list[Verdict]:
    found = [*_get_verdicts(results)]
    for key in LISTS:
        found.append(_at_most(f"{results.titles.get(key, key)}: p50 ≤ 5 ms", 5, _p50(results, key)))
    found.append(_at_most("search: p50 ≤ 15 ms", 15, _p50(results, "search")))
    ratio = _paired_ratio(results, "page_far_cursor", "page_first")
    target = "far page by cursor: p50 ≤ 1.2 x page 1 (median of paired rounds)"
    found.append(_at_most(target, 1.2, ratio, "x"))
    found.append(_at_most("exact filtered total: p50 ≤ 50 ms", 50, _p50(results, "total")))
    found += _hashing_verdicts(results)
    for name in ROSTERD_SQLITE:
        peak = results.rss.get(name)
        found.append(_at_most(f"peak RSS per worker, {name}: ≤ 150 MB", 150, _mb(peak), " MB"))
    return found


def _paired_ratio(results: Results, key: str, base: str) -> float | None:
    """`key`'s p50 over `base`'s at 1 connection: the median of the ratios of rounds run
    side by side (`load.measure_together`), so that a slow spell of the machine, which
    falls on both of a pair, cancels out; else the ratio of the medians."""
    ours, theirs = results.figures(PRIMARY, key, 1), results.figures(PRIMARY, base, 1)
    if ours is None or theirs is None or not theirs.p50:
        return None
    if ours.p50s and len(ours.p50s) == len(theirs.p50s) and min(theirs.p50s) > 0:
        return statistics.median(a / b for a, b in zip(ours.p50s, theirs.p50s, strict=True))
    return ours.p50 / theirs.p50


def _mb(mib: float | None) -> float | None:
    return None if mib is None else mib * 1.048576


def _get_verdicts(results: Results) -> list[Verdict]:
    found = []
    for workers, name in enumerate(ROSTERD_SQLITE, start=1):
        for level in results.levels:
            ours = results.figures(name, "get", level)
            floor = results.figures(_static(workers), "get", level)
            share = ours.throughput / floor.throughput if ours and floor else None
            target = f"get user, {workers} worker(s), {level} conn.: ≥ 60% of the static body"
            found.append(_at_least(target, 0.6, share, _percent))
    return found + _peer_verdicts(results)


def _peer_verdicts(results: Results) -> list[Verdict]:
    """Get user against each peer, for 1 and for 2 workers: a peer serves on every core."""
    found = []
    for peer in peers(results):
        for workers, name in enumerate(ROSTERD_SQLITE, start=1):
            for level in results.levels:
                ours = results.figures(name, "get", level)
                theirs = results.figures(peer, "get", level)
                share = ours.throughput / theirs.throughput if ours and theirs else None
                target = f"get user, {workers} worker(s), {level} conn.: ahead of {peer}"
                found.append(_at_least(target, 1.0, share, lambda v: f"{v:.2f}x"))
    return found


def _hashing_verdicts(results: Results) -> list[Verdict]:
    """Per rosterd on SQLite: the raw rate runs a hash on every core, which one worker
    (one hash at Appwrite's costs at a time, under its memory budget) cannot."""
    found = []
    for key, ceiling in CEILINGS.items():
        for name in ROSTERD_SQLITE:
            rate = _ceiling(results, name, key)
            best = _best(results, name, key)
            if best is None and name != PRIMARY:
                continue
            share = best.throughput / rate if best and rate else None
            target = f"{results.titles.get(key, key)}, {name}: ≥ 90% of raw Argon2 ({ceiling})"
            found.append(_at_least(target, 0.9, share, _percent))
    return found


def _ceiling(results: Results, system: str, key: str) -> float | None:
    """The raw rate measured next to `system`'s `key`, else the run's own at its costs."""
    return results.ceilings.get(system, {}).get(key) or results.argon2.get(CEILINGS[key])


def _percent(value: float) -> str:
    return f"{value:.0%}"


def _at_least(
    target: str, limit: float, value: float | None, shown: Callable[[float], str]
) -> Verdict:
    if value is None:
        return Verdict(target, "not measured", None)
    return Verdict(target, shown(value), value >= limit)


def verdict_table(results: Results) -> list[str]:
    marks = {True: "met", False: "**missed**", None: "-"}
    lines = ["| target (rosterd on SQLite) | measured | |", "| --- | ---: | --- |"]
    lines += [f"| {v.target} | {v.measured} | {marks[v.met]} |" for v in verdicts(results)]
    return [*lines, ""]


def get_proof(results: Results) -> list[str]:
    """Whether 60% of the static body is within reach of any Python server at all: the
    time the static body takes per request, the most a get may add to it, and the least
    in-process work of a get (`floors.minimal_get_us`)."""
    lines = []
    for level in results.levels:
        floor = results.figures(_static(1), "get", level)
        if floor is None or not results.minimal_get_us:
            continue
        per_request = 1e6 / floor.throughput
        allowance = per_request / 0.6 - per_request
        lines.append(
            f"- {level} connection{'s' * (level > 1)}, 1 worker: the static body costs "
            f"{per_request:.0f} us a request, so 60% of its rate leaves a get {allowance:.0f} us "
            f"of its own; the least in-process work of a get (hash the key and find it among "
            f"those remembered, read the user with their targets in one statement on the bare "
            f"driver, encode JSON) takes "
            f"{results.minimal_get_us:.0f} us."
        )
    return [*lines, ""] if lines else []
