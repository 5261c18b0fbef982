"""`python -m graph_service` runs the command line."""

from graph_service.cli import main

main()
