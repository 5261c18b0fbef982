"""Who stopped coming to the programme: the ``STOPPED_ATTENDING`` rule of the isolation report.

A member's run of sessions is the programme's held sessions (a register taken, not cancelled)
up to today, of the kinds of session they have ever come to: someone who goes to Tuesday's
WRAP class is not expected at Thursday's peer group. The rule looks at the last
``first + last`` sessions of that run: the member came to at least ``at_least`` of the first
``first`` of them, and to none of the last ``last``. A run shorter than the window is judged
on what there is, as long as it is longer than ``last``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from graph_service.analysis.programme import Programme


@dataclass(frozen=True)
class StoppedRule:
    """The numbers of the rule (settings STOPPED_ATTENDING_FIRST, _AT_LEAST and _LAST)."""

    first: int = 8
    at_least: int = 3
    last: int = 4


class HeldRuns:
    """The held sessions up to a day, by kind, oldest first: what the rule reads."""

    def __init__(self, programme: Programme, today: date, rule: StoppedRule) -> None:
        self.rule = rule
        self.today = today
        by_kind: dict[str, list[tuple[date, str]]] = {}
        for session, held in programme.sessions.items():
            if held.on <= today:
                by_kind.setdefault(held.kind, []).append((held.on, session))
        size = rule.first + rule.last
        # Only the tail of each kind's run can fall in a window, however many kinds are merged.
        self._tails = {kind: sorted(run)[-size:] for kind, run in by_kind.items()}
        self._windows: dict[frozenset[str], tuple[frozenset[str], frozenset[str]]] = {}

    def window(self, kinds: frozenset[str]) -> tuple[frozenset[str], frozenset[str]]:
        """The first and the last sessions of the window of the run of these kinds."""
        found = self._windows.get(kinds)
        if found is None:
            size, last = self.rule.first + self.rule.last, self.rule.last
            merged = sorted(entry for kind in kinds for entry in self._tails.get(kind, ()))
            run = [session for _, session in merged[-size:]]
            # A run no longer than the last part has no first part: nobody has stopped yet.
            first = frozenset(run[:-last]) if len(run) > last else frozenset()
            found = self._windows[kinds] = (first, frozenset(run[-last:]))
        return found

    def stopped(self, attended: Sequence[str], kinds: frozenset[str]) -> bool:
        """Whether a member who came to these sessions (oldest first) has stopped coming."""
        first, last = self.window(kinds)
        if not first:
            return False
        early = 0
        for session in reversed(attended):  # the newest first: most members are still coming
            if session in last:
                return False
            early += session in first
        return early >= self.rule.at_least


STOPPED_DEFAULTS = StoppedRule()
