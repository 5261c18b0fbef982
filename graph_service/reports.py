"""`graph-service report …`: analyses printed for coordinators at a terminal or in a pipe."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from enum import StrEnum

from rich.console import Console
from rich.table import Table

from graph_service.auth import Principal, Role
from graph_service.events import ChangeKind, change
from graph_service.graph import open_graph
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.settings import Settings
from graph_service.spreadsheet import safe_row
from graph_service.store import changes

# The command line runs with the operator's authority; the trail names it as such.
OPERATOR = Principal(Role.COORDINATOR, subject="cli:report")


class ReportFormat(StrEnum):
    """How to print a report."""

    table = "table"
    csv = "csv"
    json = "json"


@dataclass(frozen=True)
class IsolationRow:
    """One line of the isolation report."""

    member_id: str
    display_name: str
    active_supporters: int
    reasons: list[str]


async def reload_replicas(settings: Settings) -> None:
    """Record a RELOAD change: every running replica loads its projection whole when it reads it."""
    async with open_graph(settings, share_running=True) as graph:
        await changes.record(graph.store, change(ChangeKind.RELOAD))


async def isolation_rows(
    settings: Settings, *, min_supporters: int, component_size: int
) -> list[IsolationRow]:
    """The isolation report with members' names."""
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        report = await services.analyses.isolation(
            OPERATOR, min_supporters=min_supporters, component_size=component_size
        )
        members = await services.members.by_ids([entry.member_id for entry in report])
    return [
        IsolationRow(
            to_global_id("Member", entry.member_id),
            members[entry.member_id].display_name if entry.member_id in members else "",
            entry.active_supporters,
            list(entry.reasons),
        )
        for entry in report
        if entry.member_id in members
    ]


def render(rows: list[IsolationRow], form: ReportFormat, console: Console) -> str | None:
    """CSV or JSON text to print, or None after drawing a table on the console."""
    if form is ReportFormat.json:
        return json.dumps(
            [
                {
                    "memberId": r.member_id,
                    "displayName": r.display_name,
                    "activeSupporters": r.active_supporters,
                    "reasons": r.reasons,
                }
                for r in rows
            ],
            indent=2,
            ensure_ascii=False,
        )
    if form is ReportFormat.csv:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["member_id", "display_name", "active_supporters", "reasons"])
        for r in rows:
            writer.writerow(
                safe_row([r.member_id, r.display_name, r.active_supporters, ";".join(r.reasons)])
            )
        return out.getvalue().rstrip("\n")
    table = Table(title=f"Members who may be isolated: {len(rows)}")
    for column in ("member", "active supporters", "reasons", "id"):
        table.add_column(column)
    for r in rows:
        table.add_row(r.display_name, str(r.active_supporters), ", ".join(r.reasons), r.member_id)
    console.print(table)
    return None
