"""`graph-service report trends`: the commissioners' figures month by month."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from graph_service.graph import open_graph
from graph_service.reports import OPERATOR, ReportFormat
from graph_service.services import Services
from graph_service.services.trends import COLUMNS, TrendsReport, as_csv, as_json
from graph_service.settings import Settings


async def trends_report(settings: Settings, first: str, last: str) -> TrendsReport:
    """The report, suppressed as the GraphQL query gives it."""
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        return await services.trends.report(OPERATOR, first, last)


def render_trends(report: TrendsReport, form: ReportFormat, console: Console) -> str | None:
    """CSV or JSON text to print, or None after drawing a table on the console."""
    if form is ReportFormat.json:
        return as_json(report)
    if form is ReportFormat.csv:
        return as_csv(report)
    table = Table(title=f"The network month by month (counts below {report.min_count} withheld)")
    table.add_column("month")
    for _, heading in COLUMNS:
        table.add_column(heading.replace("_", " "), justify="right")
    for m in report.months:
        table.add_row(m.month, *(m.figures[key].text for key, _ in COLUMNS))
    console.print(table)
    return None
