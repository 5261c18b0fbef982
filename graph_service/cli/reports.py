"""`graph-service report ...` (analyses) and `graph-service security-events`, for coordinators."""

from __future__ import annotations

import asyncio
import json
from typing import Annotated

import typer
from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.cli.common import err, run_or_exit, settings_or_exit
from graph_service.errors import GraphServiceError, InvalidInput
from graph_service.graph import open_graph
from graph_service.security_events import SecurityEvent, SecurityEventKind
from graph_service.services import Services
from graph_service.settings import Settings

report_app = typer.Typer(help="Analyses for coordinators.", no_args_is_help=True)


@report_app.callback(invoke_without_command=True)
def report_options(
    reload: Annotated[
        bool,
        typer.Option(
            "--reload",
            help="Have every running replica load its projection afresh (after writes made "
            "outside the service, such as a restore).",
        ),
    ] = False,
) -> None:
    """Analyses for coordinators."""
    if reload:
        from graph_service.reports import reload_replicas

        run_or_exit(reload_replicas(settings_or_exit()))
        err.print("Asked every running replica to reload its projection (through the change log).")


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


@report_app.command("trends")
def report_trends(
    first: Annotated[str, typer.Option("--from", help="The first month, YYYY-MM.")],
    last: Annotated[str, typer.Option("--to", help="The last month, YYYY-MM.")],
    format: Annotated[str, typer.Option(help="csv, json or table.")] = "csv",
) -> None:
    """Figures month by month for commissioners, small counts withheld (as programmeTrends)."""
    from graph_service.reports import ReportFormat
    from graph_service.trend_report import render_trends, trends_report

    try:
        form = ReportFormat(format)
    except ValueError:
        err.print("[red]error:[/red] --format must be csv, json or table")
        raise typer.Exit(2) from None
    settings = settings_or_exit()
    try:
        report = asyncio.run(trends_report(settings, first, last))
    except InvalidInput as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    text = render_trends(report, form, Console())
    if text is not None:
        print(text)


async def _security_events(
    settings: Settings, kind: SecurityEventKind | None, first: int
) -> list[SecurityEvent]:
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        operator = Principal(Role.COORDINATOR, subject="cli:security-events")
        page = await services.security.log(operator, offset=0, limit=first, kind=kind)
    return page.items


def security_events(
    kind: Annotated[
        SecurityEventKind | None, typer.Option(help="UNAUTHENTICATED or FORBIDDEN.")
    ] = None,
    first: Annotated[int, typer.Option(min=1, max=1000, help="How many, newest first.")] = 50,
) -> None:
    """Refused requests (security events), newest first, one JSON object a line."""
    for event in run_or_exit(_security_events(settings_or_exit(), kind, first)):
        record = {
            "at": event.at,
            "lastAt": event.last_at,
            "kind": event.kind.value,
            "reason": event.reason,
            "actorId": event.actor_id,
            "clientHash": event.client_hash,
            "requestId": event.request_id,
            "count": event.count,
        }
        print(json.dumps(record))
