"""The `graph-service` command line: serve, token, signin-link, seed, import, report, export."""

from __future__ import annotations

import typer

from graph_service.cli.access import signin_link, token
from graph_service.cli.data import db_app, export_app, export_schema, import_app, seed
from graph_service.cli.reports import report_app, security_events
from graph_service.cli.serve import serve

app = typer.Typer(
    help="Supporter-graph service of the recovery network.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
app.add_typer(report_app, name="report")
app.add_typer(export_app, name="export")

app.command()(serve)
app.command()(token)
app.command("signin-link")(signin_link)
app.command("export-schema")(export_schema)
app.command()(seed)
app.command("security-events")(security_events)


def main() -> None:
    """Entry point of the console script."""
    app()
