"""`graph-service report ...` (analyses) and `graph-service security-events`, for coordinators."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.cli.common import err, run_or_exit, settings_or_exit
from graph_service.graph import open_graph
from graph_service.security_events import SecurityEvent, SecurityEventKind
from graph_service.services import Services
from graph_service.settings import Settings

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
