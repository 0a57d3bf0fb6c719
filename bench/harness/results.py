"""What one run of the harness measured."""

from __future__ import annotations

from dataclasses import dataclass, field

from bench.harness.load import Figures


@dataclass
class Results:
    """Everything one run measured."""

    command: str
    scale: int
    levels: list[int]
    #: system name -> scenario key -> connections -> figures
    load: dict[str, dict[str, dict[int, Figures]]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)
    rss: dict[str, float] = field(default_factory=dict)
    seeding: dict[str, float] = field(default_factory=dict)
    bare_sql: dict[str, float] = field(default_factory=dict)
    argon2: dict[str, float] = field(default_factory=dict)
    #: system -> create-with-password scenario -> the raw Argon2 rate at that system's
    #: costs, measured just before and just after the scenario (the mean of the two).
    ceilings: dict[str, dict[str, float]] = field(default_factory=dict)
    #: `floors.minimal_get_us`: the least in-process work of a get, in microseconds.
    minimal_get_us: float = 0.0
    notes: list[str] = field(default_factory=list)
    #: The commit measured (`report.commit`), read when the run starts.
    commit: str = "unknown"

    def figures(self, system: str, scenario: str, level: int) -> Figures | None:
        return self.load.get(system, {}).get(scenario, {}).get(level)
