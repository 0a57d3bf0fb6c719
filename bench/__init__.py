"""rosterd's benchmarks: one-off scripts (`bench/*.py`) and the comparison harness
(`python -m bench run`, in `bench/harness/`)."""
