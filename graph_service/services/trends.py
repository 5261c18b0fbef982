"""The trends report for commissioners: figures month by month, with small numbers withheld.

Computed from the history in the graph (analysis.trends), then passed through small-number
suppression (analysis.disclosure) before anyone sees it: no figure leaves this module raw.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
from dataclasses import dataclass
from datetime import date
from typing import Final

from graph_service.analysis import disclosure
from graph_service.analysis.disclosure import Shown
from graph_service.analysis.trends import (
    MonthFigures,
    history_from_rows,
    months,
    parse_month,
    trends,
)
from graph_service.auth import Principal
from graph_service.errors import InvalidInput
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store import trends as store_trends

NETWORK: Final = "all"  # the audit trail's target for reads of the whole network
MAX_MONTHS: Final = 60
# The isolation report's default: fewer active supporters than this is a reason.
MIN_SUPPORTERS: Final = 2
# The figures of a month, in the order of the CSV's columns: (key, column heading).
COLUMNS: Final = (
    ("members", "members"),
    ("two_personal", "with_two_personal_supporters"),
    ("two_personal_share", "share_with_two_personal_supporters"),
    ("flagged", "flagged_isolated"),
    ("reciprocity", "reciprocity_rate"),
    ("help_confirmed", "help_confirmed"),
    ("sessions_held", "sessions_held"),
    ("attendances", "attendances"),
    ("median_circle", "median_circle_size"),
)


@dataclass(frozen=True)
class TrendMonth:
    """One month of the report, every figure as it may be published."""

    month: str
    figures: dict[str, Shown]


@dataclass(frozen=True)
class TrendsReport:
    """The months asked for, and the smallest count shown as itself."""

    months: list[TrendMonth]
    min_count: int


def shown(raw: MonthFigures, k: int) -> TrendMonth:
    """A month's raw figures, suppressed for publication."""
    n = raw.members
    return TrendMonth(
        raw.month,
        {
            "members": disclosure.count(n, k),
            "two_personal": disclosure.part(raw.two_personal, n, k),
            "two_personal_share": disclosure.rate(raw.two_personal, n, k),
            "flagged": disclosure.part(raw.flagged, n, k),
            "reciprocity": disclosure.rate(raw.returned, raw.member_ties, k),
            "help_confirmed": disclosure.count(raw.help_confirmed, k),
            "sessions_held": disclosure.count(raw.sessions_held, k),
            "attendances": disclosure.count(raw.attendances, k),
            "median_circle": disclosure.median(raw.median_circle, n, k),
        },
    )


def window(first: str, last: str, now: date) -> tuple[date, date]:
    """The first and last day the report covers; InvalidInput for months it cannot cover."""
    try:
        start, end = parse_month(first), parse_month(last)
    except ValueError as exc:
        raise InvalidInput(f"{exc}, e.g. 2026-01") from None
    if end < start:
        raise InvalidInput("to must not be before from")
    if start > (now.year, now.month):
        raise InvalidInput("from must not be after this month")
    found = months(first, last)
    if len(found) > MAX_MONTHS:
        raise InvalidInput(f"a report covers at most {MAX_MONTHS} months")
    return found[0][1], min(found[-1][2], now)


class TrendsService:
    """Figures over time, for commissioners."""

    def __init__(self, store: Store, audit: AuditService, min_count: int = 5) -> None:
        self.store = store
        self.audit = audit
        self.min_count = min_count

    async def report(self, principal: Principal, first: str, last: str) -> TrendsReport:
        """Each month from ``first`` to ``last`` ("YYYY-MM"), suppressed (coordinators)."""
        access.require_coordinator(principal)
        now = today()
        start, end = window(first, last, now)
        rows = await store_trends.history_rows(self.store, start, end)
        history = history_from_rows(rows.members, rows.ties, rows.confirmed_help, rows.sessions)
        raw = await asyncio.to_thread(
            trends, history, first.strip(), last.strip(), today=now, min_supporters=MIN_SUPPORTERS
        )
        await self.audit.record_reads([(principal, "analysis.trends", NETWORK)])
        return TrendsReport([shown(month, self.min_count) for month in raw], self.min_count)


def _json_value(figure: Shown) -> float | int | str:
    # Numbers stay numbers (counts whole); a withheld figure keeps its text ("<5" or "*").
    if figure.value is None:
        return figure.text
    return float(figure.value) if "." in figure.text else int(figure.value)


def as_csv(report: TrendsReport) -> str:
    """The report as CSV: a header row, then one row per month (no trailing newline)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["month", *(heading for _, heading in COLUMNS)])
    for m in report.months:
        writer.writerow([m.month, *(m.figures[key].text for key, _ in COLUMNS)])
    return out.getvalue().rstrip("\n")


def as_json(report: TrendsReport) -> str:
    """The report as JSON: numbers as numbers, withheld figures as their text."""
    months = [
        {"month": m.month, **{heading: _json_value(m.figures[key]) for key, heading in COLUMNS}}
        for m in report.months
    ]
    return json.dumps({"minCount": report.min_count, "months": months}, indent=2)
