"""Network summary: how many members, how big their circles are, how connected they are.

Figures are over ACTIVE members unless said otherwise:

- ``members``: ACTIVE members; ``members_by_status``: every member by status (ACTIVE, PAUSED
  and LEFT always present, with 0 when there are none).
- ``active_ties``: ACTIVE ties of ACTIVE members (to any supporter).
- ``mean_circle_size`` and ``circle_size_distribution``: ACTIVE ties per ACTIVE member; the
  distribution's index is the size (0 to ``CIRCLE_MAX``; larger sizes count as ``CIRCLE_MAX``).
- ``reciprocity_rate``: among ACTIVE ties between two ACTIVE members, the fraction whose
  reverse tie is ACTIVE too (0.0 when there are none).
- ``components`` and ``component_sizes``: of the member network of ACTIVE members.
- ``isolates``: ACTIVE members with no ACTIVE tie in either direction (no ACTIVE supporter and
  supporting nobody, whatever the status of the other end).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Final

from graph_service.analysis.network import component_sizes
from graph_service.analysis.projection import (
    ACTIVE,
    MEMBER,
    PAID_RELATIONS,
    SUPPORTED_BY,
    Projection,
    cyclic_gc_paused,
    members_with_status,
    tie_edges,
)

CIRCLE_MAX: Final = 5
MEMBER_STATUSES: Final = ("ACTIVE", "PAUSED", "LEFT")


@dataclass(frozen=True)
class NetworkSummary:
    """Headline figures of the network (see the module docstring for each)."""

    members: int
    members_by_status: dict[str, int]
    active_ties: int
    mean_circle_size: float
    circle_size_distribution: tuple[int, ...]
    reciprocity_rate: float
    components: int
    component_sizes: tuple[int, ...]
    isolates: int


def _members_by_status(g: Projection) -> tuple[dict[str, int], list[str]]:
    """Members by status over all members, and the ids of the ACTIVE ones."""
    by_status: dict[str, int] = dict.fromkeys(MEMBER_STATUSES, 0)
    active: list[str] = []
    for node, data in g.nodes(data=True):
        if data["kind"] != MEMBER or not isinstance(node, str):
            continue
        status = data["status"]
        by_status[status] = by_status.get(status, 0) + 1
        if status == ACTIVE:
            active.append(node)
    return by_status, active


def _reciprocity(pairs: set[tuple[str, str]]) -> float:
    """The fraction of directed ties whose reverse is there too."""
    if not pairs:
        return 0.0
    return sum((v, u) in pairs for u, v in pairs) / len(pairs)


@cyclic_gc_paused()
def network_summary(g: Projection) -> NetworkSummary:
    """Members, ties, circle sizes, reciprocity and components of the network."""
    by_status, active_members = _members_by_status(g)
    members = frozenset(active_members)

    circle: dict[str, int] = {}  # ACTIVE ties of each ACTIVE member who has any
    supporting: set[str] = set()  # ACTIVE members at the supporter end of an ACTIVE tie
    links: set[tuple[str, str]] = set()  # ACTIVE ties between two ACTIVE members
    tie, active = SUPPORTED_BY, ACTIVE
    # One loop over networkx's own dicts, with locals: a pass per figure would add up to
    # seconds at 100k members.
    for u, neighbours in g.adjacency():
        if not neighbours or not isinstance(u, str):
            continue  # people, organisations, courses and tools have no edges out
        size, from_active = 0, u in members
        for v, keyed in neighbours.items():
            if isinstance(v, tuple):
                continue  # courses and tools
            for data in keyed.values():
                if data["type"] == tie and data["status"] == active:
                    size += 1
                    if v in members:
                        supporting.add(v)
                        if from_active:
                            links.add((u, v))
        if size and from_active:
            circle[u] = size

    distribution = [0] * (CIRCLE_MAX + 1)
    for member in members:
        distribution[min(circle.get(member, 0), CIRCLE_MAX)] += 1
    active_ties = sum(circle.values())
    linked = component_sizes(links)
    # Each member carries its component's size, so a size-k component shows up k times.
    per_size = Counter(linked.values())
    per_size[1] += len(members) - len(linked)  # members in no link are components of one
    components = [
        size for size, count in sorted(per_size.items(), reverse=True) for _ in range(count // size)
    ]

    return NetworkSummary(
        members=len(members),
        members_by_status=by_status,
        active_ties=active_ties,
        mean_circle_size=active_ties / len(members) if members else 0.0,
        circle_size_distribution=tuple(distribution),
        reciprocity_rate=_reciprocity(links),
        components=len(components),
        component_sizes=tuple(components),
        isolates=len(members - supporting - circle.keys()),
    )


@cyclic_gc_paused()
def personal_support(g: Projection, *, at_least: int = 2) -> int:
    """ACTIVE members with at least ``at_least`` distinct supporters on ACTIVE personal ties.

    Personal means neither PROFESSIONAL nor ORGANISATION: the support a paid worker or a
    service gives is not the kind a circle is for.
    """
    active_members = frozenset(members_with_status(g, frozenset({ACTIVE})))
    people: dict[str, set[str]] = {}
    for member, supporter, data in tie_edges(g):
        if (
            member in active_members
            and data["status"] == ACTIVE
            and data["relation"] not in PAID_RELATIONS
        ):
            people.setdefault(member, set()).add(supporter)
    return sum(len(found) >= at_least for found in people.values())
