"""`python -m rosterd` is the `rosterd` command."""

from rosterd.cli import main

# Guarded: `rosterd users import` starts a process that imports the main module again.
if __name__ == "__main__":
    main()
