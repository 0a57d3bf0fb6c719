"""The comparison harness: rosterd, its peers and the floors, measured side by side.

    .venv/bin/python -m bench run --scale 1000000

One run seeds the same users into every system (rosterd through `rosterd users import`;
PocketBase and better-auth by writing their own SQLite tables), starts each system in
turn, drives every scenario from a separate process with `wrk` (Debian's package) at fixed
concurrency, after a warm-up, for several rounds, and keeps throughput, p50/p99 latency
and the server processes' peak RSS. The floors come from the same run: the same server
stack answering a static body of a user's size, the bare SQL of each read timed in-
process, and the raw Argon2id rate on both cores. Tables go to `docs/benchmarks.md`
(between markers) and plots to `docs/img/`.

Modules: `population` (the seeded users), `load` (wrk and its Lua), `systems` (how
rosterd and the static floor start, stop and are asked), `scenarios` (what is measured),
`peers`, `peer_pocketbase`, `peer_better_auth`, `peer_seed` and `peer_scenarios` (the
peers and their closest equivalent of each scenario), `floors`, `results`, `verdicts`
(issue #10's targets and the ratios) and `report`. `python -m bench seed` times seeding
the peers alone.
"""
