"""Fragile circles: support hanging on one person, and members who hold the network together.

- ``SINGLE_PERSONAL_SUPPORTER``: an ACTIVE member whose personal support (ACTIVE ties that are
  neither PROFESSIONAL nor ORGANISATION) all runs through exactly one distinct supporter; ``via``
  is that supporter. Members with no personal support at all are the isolation report's concern
  (``ONLY_PAID_SUPPORT``, ``NO_SUPPORTERS``), not this one's.
- ``ARTICULATION_POINT``: an articulation point of the member network of ACTIVE members: were
  they to leave, the part of the network around them would split. ``via`` is None.

A member can appear once for each reason. The list is ordered by member id, then reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import networkx as nx

from graph_service.analysis.network import member_network
from graph_service.analysis.projection import (
    ACTIVE,
    PAID_RELATIONS,
    Projection,
    cyclic_gc_paused,
    members_with_status,
    tie_edges,
)

SINGLE_PERSONAL_SUPPORTER: Final = "SINGLE_PERSONAL_SUPPORTER"
ARTICULATION_POINT: Final = "ARTICULATION_POINT"


@dataclass(frozen=True)
class FragileCircle:
    """A member whose support is fragile, why, and through whom (if one person)."""

    member_id: str
    reason: str
    via: str | None


def _single_personal_supporters(g: Projection) -> dict[str, str]:
    """ACTIVE members whose personal ACTIVE support has exactly one supporter, and who that is."""
    active = frozenset(members_with_status(g, frozenset({ACTIVE})))
    personal: dict[str, set[str]] = {}
    for u, v, data in tie_edges(g):
        if data["status"] == ACTIVE and data["relation"] not in PAID_RELATIONS and u in active:
            personal.setdefault(u, set()).add(v)
    return {member: next(iter(s)) for member, s in personal.items() if len(s) == 1}


@cyclic_gc_paused()
def fragile_circles(g: Projection) -> list[FragileCircle]:
    """Members with a single personal supporter, and articulation points of the member network."""
    found = [
        FragileCircle(member, SINGLE_PERSONAL_SUPPORTER, via)
        for member, via in _single_personal_supporters(g).items()
    ]
    found.extend(
        FragileCircle(member, ARTICULATION_POINT, None)
        for member in nx.articulation_points(member_network(g))
    )
    found.sort(key=lambda f: (f.member_id, f.reason))
    return found
