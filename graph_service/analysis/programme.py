"""The programme in the projection: the sessions held and who came to each.

Kept beside the networkx graph, as ``g.graph["programme"]``, not as nodes and edges: a year
of a large network's attendance is over a million rows, and as networkx edges it more than
doubled the projection's memory and build time (100,000 members and 1.28 million
attendances: 660 MB more and a build of 12.6 s instead of 3.6 s; kept here, about 90 MB and
1 s more). A member holds a tuple of session ids and a session a tuple of members.

Only sessions held (a register taken, not cancelled) are kept, and only members the graph
holds: a row naming anything else is skipped, as the projection's builder skips rows.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

PROGRAMME: Final = "programme"  # the key in ``g.graph``


@dataclass(frozen=True)
class Held:
    """A session that took place: its day and kind."""

    on: date
    kind: str


class Programme:
    """The sessions held, each member's sessions and each session's members."""

    def __init__(self) -> None:
        self.sessions: dict[str, Held] = {}
        self.attended: dict[str, tuple[str, ...]] = {}  # member -> sessions, oldest first
        # session -> members: tuples, a third of the memory of sets, since registers are read
        # whole (suggestions) and change a member at a time.
        self.attendees: dict[str, tuple[str, ...]] = {}
        self._rank: dict[str, int] | None = None  # sessions by day, for sorting (made on use)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Programme):
            return NotImplemented
        return (
            self.sessions == other.sessions
            and self.attended == other.attended
            and {s: set(m) for s, m in self.attendees.items()}
            == {s: set(m) for s, m in other.attendees.items()}
        )

    __hash__ = None  # type: ignore[assignment]

    def facts(self, member: str, since: date, today: date) -> tuple[frozenset[str], bool]:
        """The kinds of session a member came to, and whether they came to one in the period."""
        sessions = self.sessions
        kinds: set[str] = set()
        recent = False
        for session in self.attended.get(member, ()):
            held = sessions[session]
            kinds.add(held.kind)
            recent = recent or since <= held.on <= today
        return frozenset(kinds), recent

    def add_session(self, session_id: str, on: date, kind: str) -> None:
        """Hold a session (or change its day or kind)."""
        self.sessions[sys.intern(session_id)] = Held(on, sys.intern(kind))
        self.attendees.setdefault(session_id, ())
        self._rank = None

    def _in_order(self, session_ids: Iterable[str]) -> tuple[str, ...]:
        rank = self._rank
        if rank is None:
            by_day = sorted(self.sessions, key=lambda s: (self.sessions[s].on, s))
            rank = self._rank = {session: n for n, session in enumerate(by_day)}
        return tuple(sorted({s for s in session_ids if s in rank}, key=rank.__getitem__))

    def set_attended(self, member: str, session_ids: Iterable[str]) -> None:
        """Make a member's sessions these (those not held are left out)."""
        before = set(self.attended.get(member, ()))
        mine = self._in_order(session_ids)
        if mine:
            self.attended[member] = mine
        else:
            self.attended.pop(member, None)
        after = set(mine)
        for session in before - after:
            self.attendees[session] = tuple(m for m in self.attendees[session] if m != member)
        for session in after - before:
            self.attendees[session] += (member,)

    def drop_member(self, member: str) -> None:
        """Forget a member's attendance."""
        self.set_attended(member, ())

    def replace_sessions(
        self, held: Iterable[tuple[str, str | date, str]], as_date: Callable[[str | date], date]
    ) -> set[str]:
        """Make the sessions held these; the members to judge again.

        Registers are not read here: a change that puts a session on the list (its register
        taken, attendance imported) names the members on it, whose own rows bring them. The
        members to judge again are everyone who came to a session of a kind whose run changed
        (a session held, cancelled or moved): who stopped coming is judged on that run.
        """
        wanted = {row[0]: row for row in held}
        kinds: set[str] = set()
        moved: set[str] = set()  # members whose sessions are no longer in date order
        for session in [s for s in self.sessions if s not in wanted]:
            kinds.add(self.sessions.pop(session).kind)
            self._rank = None
            for member in self.attendees.pop(session):
                kept = tuple(s for s in self.attended[member] if s != session)
                if kept:
                    self.attended[member] = kept
                else:
                    del self.attended[member]
        for session_id, on, kind in wanted.values():
            day, was = as_date(on), self.sessions.get(session_id)
            if was is None or was.on != day or was.kind != kind:
                kinds.update({kind} if was is None else {kind, was.kind})
                self.add_session(session_id, day, kind)
                if was is not None and was.on != day:
                    moved.update(self.attendees[session_id])
        for member in moved:
            self.attended[member] = self._in_order(self.attended[member])
        touched: set[str] = set()
        for session, who in self.attendees.items():
            if self.sessions[session].kind in kinds:
                touched.update(who)
        return touched


def build_programme(
    sessions: Iterable[tuple[str, date, str]],
    attendance: Iterable[tuple[str, str]],
    members: Callable[[str], str | None],
) -> Programme:
    """The programme of these rows; ``members`` gives a member's shared id (None: unknown)."""
    programme = Programme()
    for session_id, on, kind in sessions:
        programme.add_session(session_id, on, kind)
    # Lists, not sets, while reading: a set per member was 70 MB more at the peak of a load
    # of a large network (each member's list is sorted, and repeats dropped, once at the end).
    mine: dict[str, list[str]] = {}
    came: dict[str, list[str]] = {}
    for member_id, session_id in attendance:
        member = members(member_id)
        if member is not None and session_id in programme.sessions:
            mine.setdefault(member, []).append(session_id)
    for member, session_ids in mine.items():
        programme.attended[member] = ordered = programme._in_order(session_ids)
        for session in ordered:
            came.setdefault(session, []).append(member)
    for session, who in came.items():
        programme.attendees[session] = tuple(who)
    return programme
