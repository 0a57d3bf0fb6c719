"""`python -m rosterd` is the `rosterd` command."""

from rosterd.cli import main

main()
