"""Who stopped coming to the programme: the ``STOPPED_ATTENDING`` rule of the isolation report.

A member's run of sessions is the programme's held sessions (a register taken, not cancelled)
up to today, of the kinds of session they have ever come to: someone who goes to Tuesday's
WRAP class is not expected at Thursday's peer group. The rule looks at the last
``first + last`` sessions of that run: the member came to at least ``at_least`` of the first
``first`` of them, and to none of the last ``last``. A run shorter than the window is judged
on what there is, as long as it is longer than ``last``.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date

from graph_service.analysis.projection import NodeId, Projection, session_nodes


@dataclass(frozen=True)
class StoppedRule:
    """The numbers of the rule (settings STOPPED_ATTENDING_FIRST, _AT_LEAST and _LAST)."""

    first: int = 8
    at_least: int = 3
    last: int = 4


class HeldRuns:
    """The held sessions up to a day, by kind, oldest first: what the rule reads."""

    def __init__(self, g: Projection, today: date, rule: StoppedRule) -> None:
        self.rule = rule
        nodes = g.nodes
        by_kind: dict[str, list[tuple[date, NodeId]]] = {}
        for node in session_nodes(g):
            data = nodes[node]
            if data["on"] <= today:
                by_kind.setdefault(data["session_kind"], []).append((data["on"], node))
        size = rule.first + rule.last
        # Only the tail of each kind's run can fall in a window, however many kinds are merged.
        self._tails = {kind: sorted(run)[-size:] for kind, run in by_kind.items()}
        self._kinds = {node: kind for kind, run in by_kind.items() for _, node in run}
        self._windows: dict[frozenset[str], tuple[NodeId, ...]] = {}

    def window(self, kinds: frozenset[str]) -> tuple[NodeId, ...]:
        """The last sessions of the run of these kinds, oldest first."""
        found = self._windows.get(kinds)
        if found is None:
            size = self.rule.first + self.rule.last
            merged = sorted(entry for kind in kinds for entry in self._tails.get(kind, ()))
            found = self._windows[kinds] = tuple(node for _, node in merged[-size:])
        return found

    def stopped(self, attended: Collection[NodeId]) -> bool:
        """Whether a member who came to these sessions has stopped coming (the rule above)."""
        kinds = frozenset(self._kinds[s] for s in attended if s in self._kinds)
        if not kinds:
            return False
        window, last = self.window(kinds), self.rule.last
        if len(window) <= last:
            return False
        if any(session in attended for session in window[-last:]):
            return False
        early = sum(1 for session in window[:-last] if session in attended)
        return early >= self.rule.at_least


STOPPED_DEFAULTS = StoppedRule()
