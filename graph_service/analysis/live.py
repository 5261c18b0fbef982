"""An isolation report kept current while its projection is patched (see analysis.patch).

A change can alter the reasons of the members it touched, of their neighbours (a tie or help
record has two ends) and, through SMALL_COMPONENT, of everyone in a small component that one
of them is in, before or after. Those are found by a search that stops at ``component_size``
members (a component that large is not small, however much larger it is), so one change costs
about the size of the neighbourhood, not of the network. A change to the programme's run of
sessions names everyone who came to a session of its kinds (analysis.patch.patch_sessions).
"""

from __future__ import annotations

from bisect import bisect_left, insort
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import overload

from graph_service.analysis.isolation import (
    SMALL_COMPONENT,
    IsolatedMember,
    isolation_report,
    reason_codes,
)
from graph_service.analysis.patch import is_member, linked
from graph_service.analysis.projection import (
    ACTIVE,
    INVITED,
    PAID_RELATIONS,
    SUPPORTED_BY,
    TOOL,
    Projection,
    programme_of,
)
from graph_service.analysis.stopped import STOPPED_DEFAULTS, HeldRuns, StoppedRule

RECENT_DAYS = 90


@dataclass(frozen=True)
class IsolationKey:
    """The parameters of one isolation report."""

    min_supporters: int
    component_size: int
    statuses: frozenset[str]
    today: date
    recent_days: int = RECENT_DAYS
    stopped: StoppedRule = STOPPED_DEFAULTS


@dataclass(frozen=True)
class IsolationChange:
    """A member whose isolation reasons changed (``None``: not in the report)."""

    member_id: str
    before: IsolatedMember | None
    after: IsolatedMember | None


Place = tuple[int, int, str, IsolatedMember]


def _place(entry: IsolatedMember) -> Place:
    # The report's order: most reasons first, then fewest active supporters, then id (unique,
    # so the entry itself is never compared).
    return (-len(entry.reasons), entry.active_supporters, entry.member_id, entry)


def member_entry(
    g: Projection, member: str, key: IsolationKey, small: bool, runs: HeldRuns
) -> IsolatedMember | None:
    """One member's line of the report (None: not reported), from their own edges."""
    data = g.nodes.get(member)
    if data is None or data.get("kind") != "member" or data["status"] not in key.statuses:
        return None
    since, today = key.today - timedelta(days=key.recent_days), key.today
    active = invited = 0
    personal = gave = supports = received = False
    programme = programme_of(g)
    kinds, recent = programme.facts(member, since, today)
    for other, keyed in g.succ[member].items():
        if isinstance(other, tuple):
            if other[0] == TOOL:
                continue
            for e in keyed.values():
                completed = e["completed_on"]
                if since <= e["enrolled_on"] <= today or (
                    completed is not None and since <= completed <= today
                ):
                    recent = True
            continue
        for e in keyed.values():
            if e["type"] == SUPPORTED_BY:
                if e["status"] == ACTIVE:
                    active += 1
                    personal = personal or e["relation"] not in PAID_RELATIONS
                elif e["status"] == INVITED:
                    invited += 1
            elif e["confirmed"]:
                gave = True
                recent = recent or since <= e["on"] <= today
    for _, keyed in g.pred[member].items():
        for e in keyed.values():
            if e["type"] == SUPPORTED_BY:
                supports = supports or e["status"] == ACTIVE
            elif e["confirmed"]:
                received = True
                recent = recent or since <= e["on"] <= today
    reasons = reason_codes(
        active=active,
        invited=invited,
        personal=personal,
        gives=supports or gave,
        received=received,
        recent=recent,
        small=small,
        stopped=bool(kinds) and runs.stopped(programme.attended.get(member, ()), kinds),
        min_supporters=key.min_supporters,
    )
    return IsolatedMember(member, reasons, active) if reasons else None


def small_components(
    g: Projection, seeds: Iterable[str], statuses: frozenset[str], limit: int
) -> set[str]:
    """Members of the components smaller than ``limit`` that hold one of ``seeds``."""
    found: set[str] = set()
    large: set[str] = set()  # members already known to sit in a component of ``limit`` or more
    for seed in seeds:
        if seed in found or seed in large or not is_member(g, seed):
            continue
        if g.nodes[seed]["status"] not in statuses:
            continue
        seen = {seed}
        queue = deque([seed])
        while queue and len(seen) < limit:
            for other in linked(g, queue.popleft(), statuses):
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
        (found if len(seen) < limit else large).update(seen)
    return found


class Report(Sequence[IsolatedMember]):
    """A report as it stood when taken; its lines are looked up as they are read."""

    def __init__(self, places: list[Place]) -> None:
        # A copy of the pointers only: a page of 50 out of 70,000 lines costs 50 look-ups.
        self._places = places

    def __len__(self) -> int:
        return len(self._places)

    @overload
    def __getitem__(self, index: int) -> IsolatedMember: ...

    @overload
    def __getitem__(self, index: slice) -> list[IsolatedMember]: ...

    def __getitem__(self, index: int | slice) -> IsolatedMember | list[IsolatedMember]:
        if isinstance(index, slice):
            return [place[3] for place in self._places[index]]
        return self._places[index][3]

    def __iter__(self) -> Iterator[IsolatedMember]:
        return (place[3] for place in self._places)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other, strict=True))

    __hash__ = None  # type: ignore[assignment]


class LiveIsolation:
    """One isolation report over a projection, patched member by member."""

    def __init__(self, g: Projection, key: IsolationKey) -> None:
        self.key = key
        report = isolation_report(
            g,
            today=key.today,
            min_supporters=key.min_supporters,
            component_size=key.component_size,
            include_statuses=key.statuses,
            recent_days=key.recent_days,
            stopped=key.stopped,
        )
        self.runs = HeldRuns(programme_of(g), key.today, key.stopped)
        self.entries = {entry.member_id: entry for entry in report}
        self._order = [_place(entry) for entry in report]  # already in the report's order
        self._report: Report | None = None

    def report(self) -> Report:
        """The report as it is now, in its order (most reasons first, then fewest supporters)."""
        if self._report is None:
            self._report = Report(list(self._order))
        return self._report

    def before(self, g: Projection, seeds: set[str]) -> set[str]:
        """Run before patching: members in small components near ``seeds``, as they are now."""
        return small_components(g, seeds, self.key.statuses, self.key.component_size)

    def after(
        self,
        g: Projection,
        seeds: set[str],
        before: set[str],
        *,
        sessions: bool = False,
        attenders: set[str] | frozenset[str] = frozenset(),
    ) -> list[IsolationChange]:
        """Run after patching: bring the report up to date; the members whose reasons changed.

        ``sessions``: the programme's sessions were patched too, and ``attenders`` are the
        members to judge again for it. Attendance joins nobody to anybody, so for those not
        among the seeds a component is as it was, and their SMALL_COMPONENT is kept.
        """
        key = self.key
        if sessions:
            self.runs = HeldRuns(programme_of(g), key.today, key.stopped)
        small = small_components(g, seeds, key.statuses, key.component_size)
        changes: list[IsolationChange] = []
        near = seeds | before | small
        for member in sorted(near | attenders):
            old = self.entries.get(member)
            if member in near:
                was_small = member in small
            else:
                was_small = old is not None and SMALL_COMPONENT in old.reasons
            new = member_entry(g, member, key, was_small, self.runs)
            if old == new:
                continue
            self._report = None
            if old is not None:
                at = bisect_left(self._order, _place(old))
                del self._order[at]
                del self.entries[member]
            if new is not None:
                insort(self._order, _place(new))
                self.entries[member] = new
            if (old.reasons if old else ()) != (new.reasons if new else ()):
                changes.append(IsolationChange(member, old, new))
        return changes


def differences(before: LiveIsolation, after: LiveIsolation) -> list[IsolationChange]:
    """The members whose reasons differ between two reports."""
    found = []
    for member in sorted(before.entries.keys() | after.entries.keys()):
        old, new = before.entries.get(member), after.entries.get(member)
        if (old.reasons if old else ()) != (new.reasons if new else ()):
            found.append(IsolationChange(member, old, new))
    return found
