"""Tables (Markdown) and plots (PNG) of a run."""

from __future__ import annotations

import os
import platform
import re
import subprocess
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench.harness import verdicts
from bench.harness.load import Figures
from bench.harness.results import Results

__all__ = ["Results", "markdown", "write_docs"]


def _cell(figures: Figures | None) -> str:
    if figures is None:
        return "-"
    failed = f", {figures.failed} failed" if figures.failed else ""
    return f"{figures.throughput:,.0f}/s · {figures.p50:.1f} / {figures.p99:.1f} ms{failed}"


def machine() -> str:
    cpu = "unknown CPU"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            cpu = line.split(":", 1)[1].strip()
            break
    python = platform.python_version()
    return f"{os.cpu_count()} cores ({cpu}), Linux {platform.release()}, Python {python}"


def commit() -> str:
    """The commit measured (`-dirty` with uncommitted changes to src or bench), or
    "unknown" outside a git checkout."""
    git = ["git", "-C", str(Path(__file__).resolve().parents[2])]

    def ask(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*git, *arguments], check=False, capture_output=True, text=True)

    head = ask("rev-parse", "--short", "HEAD")
    if head.returncode != 0:
        return "unknown"
    dirty = ask("status", "--porcelain", "--", "src", "bench").stdout.strip()
    return head.stdout.strip() + ("-dirty" if dirty else "")


def markdown(results: Results) -> str:
    systems = list(results.load)
    lines = [
        f"Machine: {machine()}. Commit: `{results.commit}`. Command: `{results.command}`. "
        f"{results.scale:,} users seeded into every system. Each cell: requests/s · "
        "p50 / p99 latency, the median of the rounds, per concurrency level.",
        "",
    ]
    for level in results.levels:
        lines += [f"**{level} connection{'s' if level > 1 else ''}**", ""]
        lines.append("| scenario | " + " | ".join(systems) + " |")
        lines.append("| --- |" + " ---: |" * len(systems))
        for key, title in results.titles.items():
            cells = [_cell(results.figures(system, key, level)) for system in systems]
            lines.append(f"| {title} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += verdicts.verdict_table(results)
    for level in results.levels:
        lines += verdicts.ratio_table(results, level)
    lines += verdicts.floor_table(results)
    lines += verdicts.get_proof(results)
    lines += ["| system | peak RSS of its largest worker process (MiB) |", "| --- | ---: |"]
    lines += [f"| {name} | {peak:,.0f} |" for name, peak in results.rss.items()]
    lines.append("")
    if results.seeding:
        lines += ["| seeding (`rosterd users import`) | seconds |", "| --- | ---: |"]
        lines += [f"| {name} | {seconds:,.1f} |" for name, seconds in results.seeding.items()]
        lines.append("")
    if results.bare_sql:
        lines += ["| bare SQL on SQLite, in-process (median) | ms |", "| --- | ---: |"]
        lines += [
            f"| {results.titles.get(key, key)} | {ms:.3f} |" for key, ms in results.bare_sql.items()
        ]
        lines.append("")
    if results.argon2:
        lines += ["| raw Argon2id, every core | hashes/s |", "| --- | ---: |"]
        lines += [f"| {name} | {rate:,.2f} |" for name, rate in results.argon2.items()]
        lines.append("")
    if results.ceilings:
        lines += [
            "| raw Argon2id, every core, at the system's costs, around its scenario "
            "(mean of before and after) | hashes/s |",
            "| --- | ---: |",
        ]
        lines += [
            f"| {system}: {results.titles.get(key, key)} | {rate:,.2f} |"
            for system, rates in results.ceilings.items()
            for key, rate in rates.items()
        ]
        lines.append("")
    lines += [f"- {note}" for note in results.notes]
    return "\n".join(lines).rstrip() + "\n"


def write_docs(results: Results, document: Path, images: Path) -> None:
    """Replace this scale's part of `document` (between its markers); draw its plot."""
    start = f"<!-- bench:harness:{results.scale}:start -->"
    end = f"<!-- bench:harness:{results.scale}:end -->"
    image = f"bench-throughput-{results.scale}.png"
    block = f"{start}\n{markdown(results)}\n![throughput](img/{image})\n{end}"
    text = document.read_text()
    if start in text:
        text = re.sub(re.escape(start) + ".*?" + re.escape(end), lambda _m: block, text, flags=re.S)
    else:
        text += f"\n### {results.scale:,} users\n\n{block}\n"
    document.write_text(text)
    plot(results, images / image)


def plot(results: Results, path: Path) -> None:
    level = max(results.levels)
    systems = list(results.load)
    keys = list(results.titles)
    figure, axes = plt.subplots(figsize=(12, 6))
    width = 0.8 / max(1, len(systems))
    for index, system in enumerate(systems):
        values = [
            (results.figures(system, key, level) or Figures(0, 0, 0, 0)).throughput for key in keys
        ]
        axes.bar([k + index * width for k in range(len(keys))], values, width, label=system)
    axes.set_xticks([k + width * (len(systems) - 1) / 2 for k in range(len(keys))])
    axes.set_xticklabels([results.titles[key] for key in keys], rotation=35, ha="right")
    axes.set_yscale("log")
    axes.set_ylabel(f"requests/s at {level} connections (log scale)")
    axes.legend()
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path, dpi=110)
    plt.close(figure)
