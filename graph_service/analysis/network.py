"""The member network: members joined wherever one supports the other through an ACTIVE tie.

It is undirected, and holds only members whose status is in the chosen set (ACTIVE by
default), so a member with no such tie is a component of size 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from collections.abc import Set as AbstractSet

import networkx as nx

from graph_service.analysis.projection import (
    ACTIVE,
    SUPPORTED_BY,
    Projection,
    member_edges,
    members_with_status,
)

ACTIVE_ONLY = frozenset({ACTIVE})


def active_links(g: Projection, members: AbstractSet[str]) -> list[tuple[str, str]]:
    """(member, supporter) of every ACTIVE tie between two of ``members``."""
    return [
        (u, v)
        for u, v, data in member_edges(g)
        if data["type"] == SUPPORTED_BY
        and data["status"] == ACTIVE
        and u in members
        and v in members
    ]


def member_network(g: Projection, statuses: frozenset[str] = ACTIVE_ONLY) -> nx.Graph[str]:
    """The member network as a networkx graph (for algorithms such as articulation points)."""
    members = members_with_status(g, statuses)
    net: nx.Graph[str] = nx.Graph()
    net.add_nodes_from(members)
    net.add_edges_from(active_links(g, frozenset(members)))
    return net


def component_sizes(links: Iterable[tuple[str, str]]) -> dict[str, int]:
    """The size of the connected component of each member named in ``links``.

    A member in no link is alone in a component of size 1: ``sizes.get(member, 1)``.
    """
    # Union-find on plain dicts, over linked members only: a few times faster than building an
    # nx.Graph to count components, which matters at 100k members.
    parent: dict[str, str] = {}

    def root(node: str) -> str:
        top = node
        while parent[top] != top:
            top = parent[top]
        while parent[node] != top:  # path compression keeps later look-ups short
            parent[node], node = top, parent[node]
        return top

    for a, b in links:
        parent.setdefault(a, a)
        parent.setdefault(b, b)
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    roots = {member: root(member) for member in parent}
    sizes = Counter(roots.values())
    return {member: sizes[top] for member, top in roots.items()}
