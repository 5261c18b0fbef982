"""Isolation report: members whose circle or activity suggests they are on their own.

Reason codes (a member may have several; they come in the order listed here):

- ``NO_SUPPORTERS``: no open (INVITED or ACTIVE) tie in the member's circle at all.
- ``BELOW_THRESHOLD``: at least one open tie, but fewer ACTIVE ties than ``min_supporters``.
  A member with ``NO_SUPPORTERS`` does not also get this code, so the two never overlap.
- ``ONLY_PAID_SUPPORT``: has ACTIVE ties, and every one is PROFESSIONAL or ORGANISATION.
- ``ONLY_PENDING``: has open ties, all INVITED, none ACTIVE (such a member is also
  ``BELOW_THRESHOLD`` whenever ``min_supporters`` is at least 1: the codes say different things).
- ``GIVES_NOT_RECEIVES``: supports others (is the supporter of another member's ACTIVE tie, that
  member of any status) or gave confirmed help, yet has no ACTIVE supporter and received no
  confirmed help. Only confirmed help counts, on both sides: an unconfirmed record is one
  party's word, and the same rule holds for ``NO_RECENT_ACTIVITY``.
- ``SMALL_COMPONENT``: in a connected component of the member network (members with
  ``include_statuses``, joined by ACTIVE ties between them) smaller than ``component_size``;
  a member with no such tie is a component of size 1.
- ``STOPPED_ATTENDING``: came to the programme's sessions, then stopped: at least N of the
  first sessions of a window of their kinds of session, none of the last M (analysis.stopped).
- ``NO_RECENT_ACTIVITY``: no enrolment (of any status) enrolled or completed, no confirmed help
  given or received, and no programme session attended, in the ``recent_days`` days up to and
  including ``today``.

Only members whose status is in ``include_statuses`` are reported, and only with a reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Final

from graph_service.analysis.network import ACTIVE_ONLY, component_sizes
from graph_service.analysis.projection import (
    ACTIVE,
    INVITED,
    PAID_RELATIONS,
    SUPPORTED_BY,
    TOOL,
    Projection,
    cyclic_gc_paused,
    members_with_status,
    programme_of,
)
from graph_service.analysis.stopped import STOPPED_DEFAULTS, HeldRuns, StoppedRule

NO_SUPPORTERS: Final = "NO_SUPPORTERS"
BELOW_THRESHOLD: Final = "BELOW_THRESHOLD"
ONLY_PAID_SUPPORT: Final = "ONLY_PAID_SUPPORT"
ONLY_PENDING: Final = "ONLY_PENDING"
GIVES_NOT_RECEIVES: Final = "GIVES_NOT_RECEIVES"
SMALL_COMPONENT: Final = "SMALL_COMPONENT"
STOPPED_ATTENDING: Final = "STOPPED_ATTENDING"
NO_RECENT_ACTIVITY: Final = "NO_RECENT_ACTIVITY"
ISOLATION_REASONS: Final = (
    NO_SUPPORTERS,
    BELOW_THRESHOLD,
    ONLY_PAID_SUPPORT,
    ONLY_PENDING,
    GIVES_NOT_RECEIVES,
    SMALL_COMPONENT,
    STOPPED_ATTENDING,
    NO_RECENT_ACTIVITY,
)


@dataclass(frozen=True)
class IsolatedMember:
    """A member of the isolation report, with why they are in it."""

    member_id: str
    reasons: tuple[str, ...]
    active_supporters: int


@dataclass
class _Activity:
    """What one pass over the edges learns about every member (internal scratch)."""

    active: dict[str, int] = field(default_factory=dict)  # ACTIVE ties per member
    invited: dict[str, int] = field(default_factory=dict)  # INVITED ties per member
    personal: set[str] = field(default_factory=set)  # has an ACTIVE non-paid tie
    supports: set[str] = field(default_factory=set)  # included, and support another member
    gave: set[str] = field(default_factory=set)  # gave confirmed help
    received: set[str] = field(default_factory=set)  # received confirmed help
    recent: set[str] = field(default_factory=set)  # any activity inside the window
    links: list[tuple[str, str]] = field(default_factory=list)  # member network edges
    stopped: set[str] = field(default_factory=set)  # stopped coming to the programme


def _scan(g: Projection, included: frozenset[str], since: date, today: date) -> _Activity:
    """Collect circles, giving, receiving, recent activity and links in one pass over the edges."""
    seen = _Activity()
    supports, received, recent, links = seen.supports, seen.received, seen.recent, seen.links
    tie, active_, invited_, paid, tool = SUPPORTED_BY, ACTIVE, INVITED, PAID_RELATIONS, TOOL
    # One loop over networkx's own dicts, with locals for what it reads and counts, storing once
    # per member: at 100k members every extra pass or per-edge store costs a good part of a second.
    for u, neighbours in g.adjacency():
        if not neighbours or not isinstance(u, str):
            continue  # people, organisations, courses and tools have no edges out
        active = invited = 0
        personal = gave = busy = False
        in_network = u in included
        for v, keyed in neighbours.items():
            if isinstance(v, tuple):
                if busy or v[0] == tool:
                    continue  # practising says nothing here; one recent enrolment is enough
                for data in keyed.values():
                    completed = data["completed_on"]
                    if since <= data["enrolled_on"] <= today or (
                        completed is not None and since <= completed <= today
                    ):
                        busy = True
                continue
            for data in keyed.values():
                if data["type"] == tie:
                    status = data["status"]
                    if status == active_:
                        active += 1
                        personal = personal or data["relation"] not in paid
                        if v in included:  # only the reported members' giving matters
                            supports.add(v)
                            if in_network:
                                links.append((u, v))
                    elif status == invited_:
                        invited += 1
                elif data["confirmed"]:  # HELPED: only confirmed help counts
                    gave = True
                    received.add(v)
                    if since <= data["on"] <= today:
                        busy = True
                        recent.add(v)
        if active:
            seen.active[u] = active
        if invited:
            seen.invited[u] = invited
        if personal:
            seen.personal.add(u)
        if gave:
            seen.gave.add(u)
        if busy:
            recent.add(u)
    return seen


def _programme(
    g: Projection, seen: _Activity, included: frozenset[str], runs: HeldRuns, since: date
) -> None:
    """Add the programme's part: sessions attended as activity, and who stopped coming."""
    programme, today = programme_of(g), runs.today
    for member in programme.attended.keys() & included:
        kinds, recent = programme.facts(member, since, today)
        if recent:
            seen.recent.add(member)
        if runs.stopped(programme.attended[member], kinds):
            seen.stopped.add(member)


def _reasons(
    member: str,
    seen: _Activity,
    component: int,
    *,
    min_supporters: int,
    component_size: int,
) -> tuple[str, ...]:
    """The reason codes of one member, in the order of ``ISOLATION_REASONS``."""
    return reason_codes(
        active=seen.active.get(member, 0),
        invited=seen.invited.get(member, 0),
        personal=member in seen.personal,
        gives=member in seen.supports or member in seen.gave,
        received=member in seen.received,
        recent=member in seen.recent,
        small=component < component_size,
        stopped=member in seen.stopped,
        min_supporters=min_supporters,
    )


def reason_codes(
    *,
    active: int,
    invited: int,
    personal: bool,
    gives: bool,
    received: bool,
    recent: bool,
    small: bool,
    stopped: bool,
    min_supporters: int,
) -> tuple[str, ...]:
    """The reason codes these facts about a member give (the rules of the module docstring)."""
    reasons: list[str] = []
    if active + invited == 0:
        reasons.append(NO_SUPPORTERS)
    elif active < min_supporters:
        reasons.append(BELOW_THRESHOLD)
    if active and not personal:
        reasons.append(ONLY_PAID_SUPPORT)
    if invited and not active:
        reasons.append(ONLY_PENDING)
    if gives and not active and not received:
        reasons.append(GIVES_NOT_RECEIVES)
    if small:
        reasons.append(SMALL_COMPONENT)
    if stopped:
        reasons.append(STOPPED_ATTENDING)
    if not recent:
        reasons.append(NO_RECENT_ACTIVITY)
    return tuple(reasons)


@cyclic_gc_paused()
def isolation_report(
    g: Projection,
    *,
    today: date,
    min_supporters: int = 2,
    component_size: int = 3,
    include_statuses: frozenset[str] = ACTIVE_ONLY,
    recent_days: int = 90,
    stopped: StoppedRule = STOPPED_DEFAULTS,
) -> list[IsolatedMember]:
    """Members with at least one isolation reason, most reasons and fewest supporters first."""
    included = members_with_status(g, include_statuses)
    since = today - timedelta(days=recent_days)
    seen = _scan(g, frozenset(included), since, today)
    _programme(g, seen, frozenset(included), HeldRuns(programme_of(g), today, stopped), since)
    sizes = component_sizes(seen.links)
    found: list[tuple[int, int, str, tuple[str, ...]]] = []
    for member in included:
        reasons = _reasons(
            member,
            seen,
            sizes.get(member, 1),
            min_supporters=min_supporters,
            component_size=component_size,
        )
        if reasons:
            found.append((-len(reasons), seen.active.get(member, 0), member, reasons))
    found.sort()  # plain tuples sort without a key function: most reasons first, then fewest
    return [IsolatedMember(member, reasons, active) for _, active, member, reasons in found]
