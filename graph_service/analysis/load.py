"""Supporter load: people who support many members, and so may be at risk of burning out.

Counts, for each member or (non-member) person, the distinct ACTIVE members who have an ACTIVE
tie to them. Organisations are left out: supporting many members is what they are for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from graph_service.analysis.projection import (
    ACTIVE,
    MEMBER,
    PERSON,
    Projection,
    cyclic_gc_paused,
    members_with_status,
    tie_edges,
)

PEOPLE: Final = frozenset({MEMBER, PERSON})


@dataclass(frozen=True)
class SupporterLoad:
    """A person or member and how many ACTIVE members they support."""

    supporter_id: str
    kind: str
    supported: int


@cyclic_gc_paused()
def supporter_load(g: Projection, *, min_supported: int = 4) -> list[SupporterLoad]:
    """People supporting at least ``min_supported`` ACTIVE members, most loaded first."""
    active = frozenset(members_with_status(g, frozenset({ACTIVE})))
    nodes = g.nodes
    supported: dict[str, set[str]] = {}
    for u, v, data in tie_edges(g):
        if data["status"] != ACTIVE or u not in active:
            continue
        if nodes[v]["kind"] in PEOPLE:
            supported.setdefault(v, set()).add(u)  # a set: two ties from one member count once
    loads = [
        SupporterLoad(supporter, nodes[supporter]["kind"], len(members))
        for supporter, members in supported.items()
        if len(members) >= min_supported
    ]
    loads.sort(key=lambda load: (-load.supported, load.supporter_id))
    return loads
