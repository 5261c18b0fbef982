"""Use-cases for the coordinators' analyses, over a cached projection of the graph.

The projection is loaded with six bulk reads and kept in the process. Every write through
this process's store bumps `Store.version`, which makes the next report reload; writes by
other replicas are picked up when the cached copy is older than `max_age` seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable
from dataclasses import dataclass

from graph_service.analysis import (
    FragileCircle,
    IsolatedMember,
    NetworkSummary,
    Projection,
    Suggestion,
    SupporterLoad,
    build_projection,
    fragile_circles,
    isolation_report,
    network_summary,
    supporter_load,
    supporter_suggestions,
)
from graph_service.analysis.layout import LayoutEdge, NetworkLayout, drawn, network_layout
from graph_service.auth import Principal
from graph_service.domain import MemberStatus
from graph_service.errors import InvalidInput
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store.projection import GraphRows, load_rows, names_of

NETWORK = "all"
# Past this a map is a blur, and its layout (quadratic in the nodes) would hold up the page.
MAP_MEMBERS = 2_000
# The map marks members whose own circle lacks support. Being in a small group or quiet for
# a while flags many more (most of the demo network): marked too, they would drown the rest.
LACKING_SUPPORT = frozenset(
    {"NO_SUPPORTERS", "BELOW_THRESHOLD", "ONLY_PAID_SUPPORT", "ONLY_PENDING", "GIVES_NOT_RECEIVES"}
)
DRAWN = frozenset({"member", "person", "organisation"})  # the kinds of node a map shows


@dataclass(frozen=True)
class NetworkMap:
    """What the network picture draws: positions, names, and who is flagged isolated."""

    layout: NetworkLayout
    names: dict[str, str]
    flagged: frozenset[str]  # members flagged for a reason about their own circle
    structure: tuple[frozenset[str], tuple[LayoutEdge, ...]]  # what the layout was made from


@dataclass(frozen=True)
class _Cached:
    version: int
    loaded_at: float
    graph: Projection


def _build(rows: GraphRows) -> Projection:
    return build_projection(
        rows.members, rows.supporters, rows.ties, rows.help, rows.enrolments, rows.tools
    )


def _within(value: int, low: int, high: int, name: str) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}")
    return value


class AnalysisService:
    """Isolation, summary, load, fragility and suggestions, for coordinators."""

    def __init__(self, store: Store, audit: AuditService, *, max_age: float = 60.0) -> None:
        self.store = store
        self.audit = audit
        self.max_age = max_age
        self.loads = 0  # how often the projection was (re)loaded: tests prove the cache works
        self._cached: _Cached | None = None
        self._lock = asyncio.Lock()
        # The map of the projection it was drawn from (compared by identity).
        self._map: tuple[Projection, NetworkMap] | None = None
        self._map_lock = asyncio.Lock()

    async def projection(self) -> Projection:
        """The cached projection, reloaded after a write or when older than max_age."""
        async with self._lock:
            cached = self._cached
            fresh = time.monotonic()
            if (
                cached is not None
                and cached.version == self.store.version
                and fresh - cached.loaded_at < self.max_age
            ):
                return cached.graph
            # The version before reading: a write during the load makes the copy stale at once.
            version = self.store.version
            rows = await load_rows(self.store)
            graph = await asyncio.to_thread(_build, rows)
            self._cached = _Cached(version, fresh, graph)
            self.loads += 1
            return graph

    async def isolation(
        self,
        principal: Principal,
        *,
        min_supporters: int = 2,
        component_size: int = 3,
        statuses: frozenset[MemberStatus] = frozenset({MemberStatus.ACTIVE}),
    ) -> list[IsolatedMember]:
        """Members who may be isolated, with their reasons."""
        access.require_coordinator(principal)
        _within(min_supporters, 0, 5, "minSupporters")
        _within(component_size, 1, 10_000, "componentSize")
        if not statuses:
            raise InvalidInput("includeStatuses must name at least one status")
        g = await self.projection()
        await self.audit.record_reads([(principal, "analysis.isolation", NETWORK)])
        return await asyncio.to_thread(
            lambda: isolation_report(
                g,
                today=today(),
                min_supporters=min_supporters,
                component_size=component_size,
                include_statuses=frozenset(s.value for s in statuses),
            )
        )

    async def summary(self, principal: Principal) -> NetworkSummary:
        """Counts over the network."""
        access.require_coordinator(principal)
        g = await self.projection()
        await self.audit.record_reads([(principal, "analysis.summary", NETWORK)])
        return await asyncio.to_thread(network_summary, g)

    async def load(self, principal: Principal, *, min_supported: int = 4) -> list[SupporterLoad]:
        """People who support many members (burnout risk)."""
        access.require_coordinator(principal)
        _within(min_supported, 1, 1000, "minSupported")
        g = await self.projection()
        await self.audit.record_reads([(principal, "analysis.load", NETWORK)])
        return supporter_load(g, min_supported=min_supported)

    async def fragile(self, principal: Principal) -> list[FragileCircle]:
        """Circles resting on one person, and members whose departure would split the network."""
        access.require_coordinator(principal)
        g = await self.projection()
        await self.audit.record_reads([(principal, "analysis.fragility", NETWORK)])
        return await asyncio.to_thread(fragile_circles, g)

    async def suggestions(
        self, principal: Principal, member_id: str, *, first: int = 5
    ) -> list[Suggestion]:
        """Peers who could be invited into a member's circle, with why."""
        access.require_coordinator(principal)
        _within(first, 1, 50, "first")
        g = await self.projection()
        await self.audit.record_reads([(principal, "circle.suggestions", member_id)])
        return supporter_suggestions(g, member_id, first=first)

    async def network_map(self, principal: Principal) -> NetworkMap | int:
        """The network laid out for drawing (kept as long as its projection), or, for a
        network too large to draw legibly, how many members it has."""
        access.require_coordinator(principal)
        g = await self.projection()
        members = sum(1 for _, data in g.nodes(data=True) if data["kind"] == "member")
        if members > MAP_MEMBERS:
            return members
        async with self._map_lock:
            if self._map is None or self._map[0] is not g:
                self._map = (g, await self._draw(g, self._map[1] if self._map else None))
            found = self._map[1]
        await self.audit.record_reads([(principal, "analysis.network", NETWORK)])
        return found

    async def _draw(self, g: Projection, last: NetworkMap | None) -> NetworkMap:
        structure = await asyncio.to_thread(drawn, g)
        layout: Awaitable[NetworkLayout]
        if last is not None and last.structure == structure:
            # Most writes (help, status, courses, tools) leave what the map draws unchanged.
            layout = asyncio.sleep(0, last.layout)
        else:
            # Starting from the last positions keeps the picture calm after a small change.
            previous = last.layout.positions() if last else None
            layout = asyncio.to_thread(lambda: network_layout(g, previous=previous))
        # The names are read while the layout is computed: neither waits for the other.
        ids = [n for n, d in g.nodes(data=True) if isinstance(n, str) and d["kind"] in DRAWN]
        laid, flagged, names = await asyncio.gather(
            layout,
            asyncio.to_thread(lambda: isolation_report(g, today=today())),
            names_of(self.store, ids),
        )
        lacking = frozenset(e.member_id for e in flagged if LACKING_SUPPORT.intersection(e.reasons))
        return NetworkMap(laid, names, lacking, structure)

    async def names(self, ids: list[str]) -> dict[str, str]:
        """Display names of non-member supporters named in a report."""
        return await names_of(self.store, ids)
