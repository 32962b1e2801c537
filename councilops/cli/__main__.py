"""`python -m councilops.cli`: the command line."""

from councilops.cli import main

main()
