"""The comparison harness: rosterd, its peers and the floors, measured side by side.

    .venv/bin/python -m bench run --scale 1000000

One run seeds the same users into every system (rosterd through `rosterd users import`),
starts each system in turn, drives every scenario from a separate process with `wrk`
(Debian's package) at fixed concurrency, after a warm-up, for several rounds, and keeps
throughput, p50/p99 latency and the server processes' peak RSS. The floors come from the
same run: the same server stack answering a static body of a user's size, the bare SQL of
each read timed in-process, and the raw Argon2id rate on both cores. Tables go to
`docs/benchmarks.md` (between markers) and plots to `docs/img/`.

Modules: `population` (the seeded users), `load` (wrk and its Lua), `systems` (how each
system starts, stops and is asked), `scenarios` (what is measured), `floors`, `report`.
"""
