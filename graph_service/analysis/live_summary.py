"""The network summary kept current while its projection is patched (see analysis.summary).

Each member contributes to the counters through their status, their own ACTIVE ties and the
ACTIVE ties into them; a change alters only the contributions of the members it touched and
of their neighbours, which are taken away as they were and added back as they are. The
components of the member network are kept by `Components`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from graph_service.analysis.components import Components
from graph_service.analysis.network import ACTIVE_ONLY
from graph_service.analysis.patch import linked
from graph_service.analysis.projection import ACTIVE, MEMBER, SUPPORTED_BY, Projection
from graph_service.analysis.summary import CIRCLE_MAX, MEMBER_STATUSES, NetworkSummary


@dataclass(frozen=True)
class _Part:
    """What one member adds to the counters."""

    status: str
    circle: int  # ACTIVE ties out, counted for ACTIVE members only
    links: frozenset[str]  # ACTIVE members this ACTIVE member has an ACTIVE tie to
    supported: bool  # an ACTIVE tie from anyone points at this member


def _part(g: Projection, member: str) -> _Part | None:
    data = g.nodes.get(member)
    if data is None or data.get("kind") != MEMBER:
        return None
    status = data["status"]
    circle, links = 0, set()
    nodes = g.nodes
    for other, keyed in g.succ[member].items():
        if isinstance(other, tuple):
            continue
        for e in keyed.values():
            if e["type"] == SUPPORTED_BY and e["status"] == ACTIVE:
                circle += 1
                target = nodes[other]
                if target["kind"] == MEMBER and target["status"] == ACTIVE:
                    links.add(other)
    supported = any(
        e["type"] == SUPPORTED_BY and e["status"] == ACTIVE
        for keyed in g.pred[member].values()
        for e in keyed.values()
    )
    if status != ACTIVE:
        return _Part(status, 0, frozenset(), supported)
    return _Part(status, circle, frozenset(links), supported)


class LiveSummary:
    """Counters behind `network_summary`, patched member by member."""

    def __init__(self, g: Projection) -> None:
        self.by_status: Counter[str] = Counter()
        self.circles: Counter[int] = Counter()  # circle size (capped) -> ACTIVE members
        self.active_ties = 0
        self.isolates = 0
        self.links: set[tuple[str, str]] = set()
        self.returned = 0  # links whose reverse is a link too
        active: list[str] = []
        for node, data in g.nodes(data=True):
            if data["kind"] == MEMBER and isinstance(node, str):
                self._add(node, _part(g, node))
                if data["status"] == ACTIVE:
                    active.append(node)
        self.components = Components(active, self.links)

    def before(self, g: Projection, seeds: Iterable[str]) -> dict[str, _Part | None]:
        """Run before patching: what the members near a change add now."""
        return {member: _part(g, member) for member in seeds}

    def after(self, g: Projection, before: dict[str, _Part | None]) -> None:
        """Run after patching: take the old contributions away and add the new ones."""
        after = {member: _part(g, member) for member in before}
        old_links = {(m, v) for m, part in before.items() if part for v in part.links}
        new_links = {(m, v) for m, part in after.items() if part for v in part.links}
        for member, part in before.items():
            self._remove(member, part)
        for member, part in after.items():
            self._add(member, part)
        comps = self.components
        was_active = {m for m, part in before.items() if part and part.status == ACTIVE}
        now_active = {m for m, part in after.items() if part and part.status == ACTIVE}
        # A member who is no longer ACTIVE leaves with their links: those are among the
        # removed links below, whose ends are searched from.
        for member in was_active - now_active:
            comps.remove_node(member)
        for member in now_active - was_active:
            comps.add_node(member)
        for a, b in new_links - old_links:
            comps.join(a, b)
        ends: list[str] = []
        for a, b in old_links - new_links:
            if (b, a) not in self.links:  # the edge of the member network is gone
                ends.extend((a, b))
        comps.separate(ends, lambda node: linked(g, node, ACTIVE_ONLY))

    def summary(self) -> NetworkSummary:
        """The summary, as `network_summary` computes it from scratch."""
        members = self.by_status[ACTIVE]
        by_status = dict.fromkeys(MEMBER_STATUSES, 0)
        by_status.update({s: n for s, n in self.by_status.items() if n})
        return NetworkSummary(
            members=members,
            members_by_status=by_status,
            active_ties=self.active_ties,
            mean_circle_size=self.active_ties / members if members else 0.0,
            circle_size_distribution=tuple(self.circles[size] for size in range(CIRCLE_MAX + 1)),
            reciprocity_rate=self.returned / len(self.links) if self.links else 0.0,
            components=self.components.count,
            component_sizes=self.components.size_list(),
            isolates=self.isolates,
        )

    def _add(self, member: str, part: _Part | None) -> None:
        self._count(member, part, 1)

    def _remove(self, member: str, part: _Part | None) -> None:
        self._count(member, part, -1)

    def _count(self, member: str, part: _Part | None, sign: int) -> None:
        if part is None:
            return
        self.by_status[part.status] += sign
        if part.status != ACTIVE:
            return
        self.circles[min(part.circle, CIRCLE_MAX)] += sign
        self.active_ties += sign * part.circle
        if not part.supported and not part.circle:
            self.isolates += sign
        for other in part.links:
            pair, reverse = (member, other), (other, member)
            if sign > 0:
                self.links.add(pair)
                self.returned += 2 if reverse in self.links else 0
            else:
                self.links.discard(pair)
                self.returned -= 2 if reverse in self.links else 0
