"""Month-by-month figures for commissioners, from the history the graph keeps (pure).

Each month is looked at as it stood on its last day (today, for the month in progress):

- ``members``: members who had joined (memberSince) and not left (leftAt) by that day.
- A tie counts from its ``since``; an ended one until its ``endedAt``; a tie to a member is
  an invitation until it was answered (``respondedAt``). A declined invitation counts as one
  until it was declined; an ENDED tie with no ``endedAt`` is left out (its dates are unknown).
- ``two_personal``: members with two or more ACTIVE ties to family, friends or peers.
- ``flagged``: members with a circle-based reason of the isolation report (``reason_codes`` of
  ``analysis.isolation``, the same rule: no supporters, fewer than ``min_supporters`` ACTIVE,
  only paid support, only invitations). Activity and components have no history to go on.
- ``member_ties`` / ``returned``: ACTIVE ties between two such members, and how many of them
  the other member returns (the reciprocity rate is their ratio).
- ``help_confirmed``: confirmed help dated in the month; ``sessions_held``: sessions in the
  month with a register taken and not cancelled; ``attendances``: places on their registers.
- ``median_circle``: the median number of ACTIVE ties per member.
"""

from __future__ import annotations

import calendar
import re
import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final

from graph_service.analysis.isolation import reason_codes
from graph_service.analysis.projection import ACTIVE, INVITED, PAID_RELATIONS

MONTH: Final = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class MemberHistory:
    """When a member joined and (if they did) left."""

    id: str
    joined: date
    left: date | None


@dataclass(frozen=True)
class TieHistory:
    """One tie with the dates the graph keeps for it."""

    member_id: str
    supporter_id: str
    supporter_is_member: bool
    relation: str
    status: str
    since: date
    responded: date | None
    ended: date | None
    ended_from: str | None


@dataclass(frozen=True)
class SessionHistory:
    """A session's day, whether it was held (register taken, not cancelled), its attendance."""

    on: date
    held: bool
    attended: int


@dataclass(frozen=True)
class History:
    """Everything the trends are computed from."""

    members: tuple[MemberHistory, ...]
    ties: tuple[TieHistory, ...]
    confirmed_help: tuple[date, ...]
    sessions: tuple[SessionHistory, ...]


@dataclass(frozen=True)
class MonthFigures:
    """The raw (unsuppressed) figures of one month; never shown as they are."""

    month: str  # "2026-01"
    as_of: date
    members: int
    two_personal: int
    flagged: int
    member_ties: int
    returned: int
    help_confirmed: int
    sessions_held: int
    attendances: int
    median_circle: float | None


def parse_month(text: str) -> tuple[int, int]:
    """(year, month) of "YYYY-MM"; ValueError otherwise."""
    match = MONTH.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not a month written YYYY-MM")
    return int(match.group(1)), int(match.group(2))


def months(first: str, last: str) -> list[tuple[str, date, date]]:
    """Each month from ``first`` to ``last`` ("YYYY-MM"): (name, first day, last day)."""
    year, month = parse_month(first)
    end = parse_month(last)
    found = []
    while (year, month) <= end:
        days = calendar.monthrange(year, month)[1]
        found.append((f"{year:04d}-{month:02d}", date(year, month, 1), date(year, month, days)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def _day(value: Any) -> date | None:
    # Dates and ISO timestamps alike: the day is the first ten characters.
    return date.fromisoformat(str(value)[:10]) if value else None


def history_from_rows(
    members: Iterable[dict[str, Any]],
    ties: Iterable[dict[str, Any]],
    confirmed_help: Iterable[dict[str, Any]],
    sessions: Iterable[dict[str, Any]],
) -> History:
    """A History from the store's rows (store.trends); rows without a start date are left out."""
    return History(
        members=tuple(
            MemberHistory(
                row["id"],
                date.fromisoformat(str(row["since"])[:10]),
                # Members who left before leftAt was kept: their last change is the best guess.
                _day(row["leftAt"] or row["updatedAt"]) if row["status"] == "LEFT" else None,
            )
            for row in members
            if row["since"]
        ),
        ties=tuple(
            TieHistory(
                member_id=row["memberId"],
                supporter_id=row["supporterId"],
                supporter_is_member=bool(row["supporterIsMember"]),
                relation=row["relation"],
                status=row["status"],
                since=date.fromisoformat(str(row["since"])[:10]),
                responded=_day(row["respondedAt"]),
                ended=_day(row["endedAt"]),
                ended_from=row["endedFrom"],
            )
            for row in ties
            if row["since"]
        ),
        confirmed_help=tuple(date.fromisoformat(row["on"]) for row in confirmed_help),
        sessions=tuple(
            SessionHistory(
                date.fromisoformat(row["on"]),
                bool(row["takenAt"]) and not row["cancelled"],
                int(row["attended"]),
            )
            for row in sessions
        ),
    )


def tie_state(tie: TieHistory, day: date) -> str | None:
    """ACTIVE or INVITED as the tie stood at the end of ``day``; None when it was not open."""
    if tie.since > day:
        return None
    if tie.status == "ENDED" and (tie.ended is None or tie.ended <= day):
        return None
    if tie.status == "DECLINED":
        return INVITED if tie.responded is not None and tie.responded > day else None
    was = tie.ended_from if tie.status == "ENDED" else tie.status
    if was == INVITED:
        return INVITED
    if tie.supporter_is_member and tie.responded is not None and tie.responded > day:
        return INVITED  # accepted later: still an invitation on this day
    return ACTIVE


def month_figures(
    history: History, name: str, start: date, as_of: date, *, min_supporters: int
) -> MonthFigures:
    """The figures of one month, as things stood at the end of ``as_of``."""
    present = {
        m.id for m in history.members if m.joined <= as_of and (m.left is None or m.left > as_of)
    }
    active: Counter[str] = Counter()
    invited: Counter[str] = Counter()
    personal: Counter[str] = Counter()
    member_pairs: set[tuple[str, str]] = set()
    for tie in history.ties:
        if tie.member_id not in present:
            continue
        state = tie_state(tie, as_of)
        if state == INVITED:
            invited[tie.member_id] += 1
        elif state == ACTIVE:
            active[tie.member_id] += 1
            if tie.relation not in PAID_RELATIONS:
                personal[tie.member_id] += 1
            if tie.supporter_is_member and tie.supporter_id in present:
                member_pairs.add((tie.member_id, tie.supporter_id))
    flagged = sum(
        1
        for member in present
        if reason_codes(
            active=active[member],
            invited=invited[member],
            personal=personal[member] > 0,
            # Only the circle-based reasons: these facts leave the others out.
            gives=False,
            received=False,
            recent=True,
            small=False,
            stopped=False,
            min_supporters=min_supporters,
        )
    )
    held = [s for s in history.sessions if start <= s.on <= as_of and s.held]
    return MonthFigures(
        month=name,
        as_of=as_of,
        members=len(present),
        two_personal=sum(1 for member in present if personal[member] >= 2),
        flagged=flagged,
        member_ties=len(member_pairs),
        returned=sum(1 for u, v in member_pairs if (v, u) in member_pairs),
        help_confirmed=sum(1 for on in history.confirmed_help if start <= on <= as_of),
        sessions_held=len(held),
        attendances=sum(s.attended for s in held),
        median_circle=float(statistics.median(active[m] for m in present)) if present else None,
    )


def trends(
    history: History, first: str, last: str, *, today: date, min_supporters: int = 2
) -> list[MonthFigures]:
    """The figures of each month from ``first`` to ``last`` ("YYYY-MM"), none after today."""
    return [
        month_figures(history, name, start, min(end, today), min_supporters=min_supporters)
        for name, start, end in months(first, last)
        if start <= today
    ]
