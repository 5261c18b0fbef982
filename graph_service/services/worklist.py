"""The coordinators' isolation worklist: the isolation report with names, status and last
activity, filtered, sorted and paged for a page, or written whole as CSV."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, replace
from datetime import date
from typing import Final

from graph_service.analysis.activity import last_activity
from graph_service.analysis.isolation import ISOLATION_REASONS
from graph_service.auth import Principal
from graph_service.domain import MemberStatus
from graph_service.errors import InvalidInput
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.spreadsheet import safe_row

PAGE_SIZE: Final = 25
SORTS: Final = ("reasons", "name", "supporters", "activity")
ALL_STATUSES: Final = "ALL"


@dataclass(frozen=True)
class WorklistRow:
    """One flagged member, as the worklist shows them."""

    member_id: str
    display_name: str
    status: MemberStatus
    reasons: tuple[str, ...]
    active_supporters: int
    last_activity: date | None


@dataclass(frozen=True)
class WorklistQuery:
    """What the coordinator asked to see: filters, order and page."""

    reason: str | None = None
    status: str = MemberStatus.ACTIVE.value
    sort: str = "reasons"
    page: int = 1

    def checked(self) -> WorklistQuery:
        """This query, or InvalidInput naming what cannot be used."""
        if self.reason is not None and self.reason not in ISOLATION_REASONS:
            raise InvalidInput(f"unknown reason {self.reason!r}")
        if self.status != ALL_STATUSES and self.status not in MemberStatus.__members__:
            raise InvalidInput(f"unknown status {self.status!r}")
        if self.sort not in SORTS:
            raise InvalidInput(f"unknown order {self.sort!r}")
        if self.page < 1:
            raise InvalidInput("page must be 1 or more")
        return self

    @property
    def statuses(self) -> frozenset[MemberStatus]:
        """The member statuses the report covers."""
        if self.status == ALL_STATUSES:
            return frozenset(MemberStatus)
        return frozenset({MemberStatus(self.status)})


@dataclass(frozen=True)
class Worklist:
    """One page of the worklist, and the figures around it."""

    query: WorklistQuery
    rows: list[WorklistRow]
    total: int  # rows matching the filters
    flagged: int  # members flagged for any reason, before the reason filter
    by_reason: dict[str, int]
    pages: int


def _order(rows: list[WorklistRow], sort: str) -> list[WorklistRow]:
    # Every order ends on the name, so equal rows keep a stable, readable order.
    by_name = sorted(rows, key=lambda r: (r.display_name.casefold(), r.member_id))
    if sort == "name":
        return by_name
    if sort == "supporters":
        return sorted(by_name, key=lambda r: r.active_supporters)
    if sort == "activity":  # longest quiet first; never active before everyone else
        return sorted(by_name, key=lambda r: r.last_activity or date.min)
    return sorted(by_name, key=lambda r: -len(r.reasons))


async def _rows(
    services: Services, principal: Principal, query: WorklistQuery
) -> list[WorklistRow]:
    # The analyses check that the caller is a coordinator, and audit the report.
    report = await services.analyses.isolation(principal, statuses=query.statuses)
    g = await services.analyses.projection()
    activity = last_activity(g)
    names = await services.analyses.names([entry.member_id for entry in report])
    return [
        WorklistRow(
            entry.member_id,
            names[entry.member_id],
            MemberStatus(g.nodes[entry.member_id]["status"]),
            entry.reasons,
            entry.active_supporters,
            activity.get(entry.member_id),
        )
        for entry in report
        if entry.member_id in names  # erased since the projection was loaded
    ]


async def worklist(services: Services, principal: Principal, query: WorklistQuery) -> Worklist:
    """One page of flagged members for these filters and this order (coordinators)."""
    query = query.checked()
    rows = await _rows(services, principal, query)
    by_reason = {code: sum(code in r.reasons for r in rows) for code in ISOLATION_REASONS}
    chosen = [r for r in rows if query.reason is None or query.reason in r.reasons]
    pages = max(1, -(-len(chosen) // PAGE_SIZE))
    query = replace(query, page=min(query.page, pages))
    start = (query.page - 1) * PAGE_SIZE
    shown = _order(chosen, query.sort)[start : start + PAGE_SIZE]
    return Worklist(query, shown, len(chosen), len(rows), by_reason, pages)


async def worklist_csv(services: Services, principal: Principal, query: WorklistQuery) -> str:
    """Every row of the view (all pages) as CSV, safe to open in a spreadsheet."""
    query = query.checked()
    rows = await _rows(services, principal, query)
    chosen = [r for r in rows if query.reason is None or query.reason in r.reasons]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(
        ["member_id", "display_name", "status", "active_supporters", "last_activity", "reasons"]
    )
    for r in _order(chosen, query.sort):
        writer.writerow(
            safe_row(
                [
                    to_global_id("Member", r.member_id),
                    r.display_name,
                    r.status.value,
                    r.active_supporters,
                    r.last_activity.isoformat() if r.last_activity else "",
                    ";".join(r.reasons),
                ]
            )
        )
    return out.getvalue()
