"""The coordinators' trends page: the commissioners' figures as small charts and a table."""

from __future__ import annotations

from datetime import date
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from graph_service.auth import Role
from graph_service.services.trends import TrendsReport, as_csv
from graph_service.services.validation import today
from graph_service.web.charts import Series, column_chart, month_label
from graph_service.web.session import Visit, page
from graph_service.web.templating import render

SERIES: Final = (
    Series("members", "Members"),
    Series("two_personal_share", "Share with two or more personal supporters", share=True),
    Series("flagged", "Members flagged as maybe isolated"),
    Series("reciprocity", "Support between members that is returned", share=True),
    Series("help_confirmed", "Help given and confirmed"),
    Series("sessions_held", "Programme sessions held"),
    Series("attendances", "Places taken at sessions"),
    Series("median_circle", "Median number of active supporters"),
)
MONTHS_SHOWN: Final = 12


def _default_window(now: date) -> tuple[str, str]:
    """The twelve months up to and including this one."""
    year, month = now.year, now.month - (MONTHS_SHOWN - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year:04d}-{month:02d}", f"{now:%Y-%m}"


async def _report(request: Request, visit: Visit) -> tuple[str, str, TrendsReport]:
    """The months asked for (the last twelve by default) and their report."""
    first, last = _default_window(today())
    first = request.query_params.get("from") or first
    last = request.query_params.get("to") or last
    return first, last, await visit.services.trends.report(visit.principal, first, last)


@page(Role.COORDINATOR)
async def trends(request: Request, visit: Visit) -> Response:
    """Figures month by month, small numbers withheld, as charts and as a table."""
    first, last, report = await _report(request, visit)
    months = [m.month for m in report.months]
    charts = [
        (
            series,
            column_chart(
                series,
                months,
                [m.figures[series.key] for m in report.months],
                f"chart-{series.key}",
            ),
        )
        for series in SERIES
    ]
    return render(
        request,
        "trends.html",
        {
            "visit": visit,
            "report": report,
            "charts": charts,
            "series": SERIES,
            "first": first,
            "last": last,
            "month_label": month_label,
        },
    )


@page(Role.COORDINATOR)
async def trends_csv(request: Request, visit: Visit) -> Response:
    """The same figures as a CSV file, as `graph-service report trends` prints them."""
    first, last, report = await _report(request, visit)
    return Response(
        as_csv(report) + "\n",
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="trends-{first}-to-{last}.csv"'},
    )
