"""`python -m bench run --scale N`: see `bench/harness/__init__.py`."""

from bench.harness.cli import main

if __name__ == "__main__":
    main()
