"""`graph-service report ...`: analyses for coordinators."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from graph_service.cli.common import err, run_or_exit, settings_or_exit

report_app = typer.Typer(help="Analyses for coordinators.", no_args_is_help=True)


@report_app.command("isolation")
def report_isolation(
    min_supporters: Annotated[
        int, typer.Option(help="Fewer active supporters than this is a reason.")
    ] = 2,
    component_size: Annotated[
        int, typer.Option(help="A piece of the peer network smaller than this is a reason.")
    ] = 3,
    format: Annotated[str, typer.Option(help="table, csv or json.")] = "table",
) -> None:
    """Members who may be isolated, with the reasons (as isolationReport)."""
    from graph_service.reports import ReportFormat, isolation_rows, render

    try:
        form = ReportFormat(format)
    except ValueError:
        err.print("[red]error:[/red] --format must be table, csv or json")
        raise typer.Exit(2) from None
    rows = run_or_exit(
        isolation_rows(
            settings_or_exit(), min_supporters=min_supporters, component_size=component_size
        )
    )
    text = render(rows, form, Console())
    if text is not None:
        print(text)
