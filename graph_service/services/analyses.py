"""Use-cases for the coordinators' analyses, over a live projection of the graph.

The projection (services.live_projection) is loaded once and patched as changes arrive; the
isolation reports and the summary are kept with it, so a report after a write costs about
what the write touched, not the size of the network.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from graph_service.analysis import (
    FragileCircle,
    IsolatedMember,
    NetworkSummary,
    Projection,
    Suggestion,
    SupporterLoad,
    fragile_circles,
    supporter_load,
    supporter_suggestions,
)
from graph_service.analysis.layout import LayoutEdge, NetworkLayout, drawn, network_layout
from graph_service.analysis.live import IsolationChange, IsolationKey
from graph_service.analysis.stopped import STOPPED_DEFAULTS, StoppedRule
from graph_service.auth import Principal
from graph_service.domain import MemberStatus
from graph_service.errors import InvalidInput
from graph_service.services import access
from graph_service.services.audit import AuditService
from graph_service.services.crisis import MAX_NOT_INVOLVED, suggestable
from graph_service.services.live_projection import LiveProjection
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store.projection import names_of

T = TypeVar("T")
ACTIVE_ONLY = frozenset({MemberStatus.ACTIVE})

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


def _within(value: int, low: int, high: int, name: str) -> int:
    if not low <= value <= high:
        raise InvalidInput(f"{name} must be between {low} and {high}")
    return value


class AnalysisService:
    """Isolation, summary, load, fragility and suggestions, for coordinators."""

    def __init__(
        self,
        store: Store,
        audit: AuditService,
        *,
        max_age: float = 60.0,
        stopped: StoppedRule = STOPPED_DEFAULTS,
    ) -> None:
        self.store = store
        self.audit = audit
        self.live = LiveProjection(store, max_age=max_age, stopped=stopped)
        # The map, and the projection's revision it was drawn at.
        self._map: tuple[int, NetworkMap] | None = None
        self._map_lock = asyncio.Lock()

    @property
    def stopped(self) -> StoppedRule:
        """The STOPPED_ATTENDING rule this service's reports use."""
        return self.live.stopped

    @property
    def loads(self) -> int:
        """How often the projection was loaded whole (tests prove changes apply in place)."""
        return self.live.loads

    async def projection(self) -> Projection:
        """The projection, current with every change this process has heard of."""
        return await self.live.graph()

    async def computed(self, work: Callable[[Projection], T]) -> T:
        """``work(projection)`` in a thread, safe from changes being patched in meanwhile."""
        return await self.live.computed(work)

    async def watch_isolation(
        self,
        principal: Principal,
        watcher: Callable[[list[IsolationChange]], None],
        *,
        min_supporters: int = 2,
        component_size: int = 3,
        statuses: frozenset[MemberStatus] = ACTIVE_ONLY,
    ) -> Callable[[], None]:
        """Have ``watcher`` told of members whose isolation reasons change; how to stop."""
        access.require_coordinator(principal)
        _within(min_supporters, 0, 5, "minSupporters")
        _within(component_size, 1, 10_000, "componentSize")
        values = frozenset(s.value for s in statuses)
        stop = await self.live.watch((min_supporters, component_size, values), watcher)
        await self.audit.record_reads([(principal, "analysis.isolation", NETWORK)])
        return stop

    async def isolation(
        self,
        principal: Principal,
        *,
        min_supporters: int = 2,
        component_size: int = 3,
        statuses: frozenset[MemberStatus] = frozenset({MemberStatus.ACTIVE}),
    ) -> Sequence[IsolatedMember]:
        """Members who may be isolated, with their reasons."""
        access.require_coordinator(principal)
        _within(min_supporters, 0, 5, "minSupporters")
        _within(component_size, 1, 10_000, "componentSize")
        if not statuses:
            raise InvalidInput("includeStatuses must name at least one status")
        values = frozenset(s.value for s in statuses)
        key = IsolationKey(min_supporters, component_size, values, today(), stopped=self.stopped)
        live = await self.live.isolation(key)
        await self.audit.record_reads([(principal, "analysis.isolation", NETWORK)])
        return live.report()

    async def summary(self, principal: Principal) -> NetworkSummary:
        """Counts over the network."""
        access.require_coordinator(principal)
        live = await self.live.summary()
        await self.audit.record_reads([(principal, "analysis.summary", NETWORK)])
        return live.summary()

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
        found = await self.computed(fragile_circles)
        await self.audit.record_reads([(principal, "analysis.fragility", NETWORK)])
        return found

    async def suggestions(
        self, principal: Principal, member_id: str, *, first: int = 5
    ) -> list[Suggestion]:
        """Peers who could be invited into a member's circle, with why (never a kept-out name)."""
        access.require_coordinator(principal)
        _within(first, 1, 50, "first")
        await self.audit.record_reads([(principal, "circle.suggestions", member_id)])
        # Nobody the member's crisis plan keeps out is ever suggested to them. Names are not in
        # the projection, so ask for enough to spare the kept-out ones (a name is usually one
        # member), and for more only when that was not enough and more are to be had.
        wanted, day = first + MAX_NOT_INVOLVED, today()
        while True:
            g = await self.projection()
            found = supporter_suggestions(g, member_id, first=wanted, today=day)
            allowed = set(await suggestable(self.store, member_id, [s.member_id for s in found]))
            kept = [s for s in found if s.member_id in allowed]
            if len(kept) >= first or len(found) < wanted:
                return kept[:first]
            wanted *= 2

    async def network_map(self, principal: Principal) -> NetworkMap | int:
        """The network laid out for drawing (kept as long as its projection), or, for a
        network too large to draw legibly, how many members it has."""
        access.require_coordinator(principal)
        g = await self.projection()
        members = sum(1 for _, data in g.nodes(data=True) if data["kind"] == "member")
        if members > MAP_MEMBERS:
            return members
        async with self._map_lock:
            revision = self.live.revision
            if self._map is None or self._map[0] != revision:
                self._map = (revision, await self._draw(self._map[1] if self._map else None))
            found = self._map[1]
        await self.audit.record_reads([(principal, "analysis.network", NETWORK)])
        return found

    async def _draw(self, last: NetworkMap | None) -> NetworkMap:
        g = await self.projection()
        structure = await self.computed(drawn)
        layout: Awaitable[NetworkLayout]
        if last is not None and last.structure == structure:
            # Most writes (help, status, courses, tools) leave what the map draws unchanged.
            layout = asyncio.sleep(0, last.layout)
        else:
            # Starting from the last positions keeps the picture calm after a small change.
            previous = last.layout.positions() if last else None
            layout = self.computed(lambda g: network_layout(g, previous=previous))
        # The names are read while the layout is computed: neither waits for the other.
        ids = [n for n, d in g.nodes(data=True) if isinstance(n, str) and d["kind"] in DRAWN]
        laid, flagged, names = await asyncio.gather(
            layout,
            self.live.isolation(
                IsolationKey(2, 3, frozenset({"ACTIVE"}), today(), stopped=self.stopped)
            ),
            names_of(self.store, ids),
        )
        lacking = frozenset(
            e.member_id for e in flagged.report() if LACKING_SUPPORT.intersection(e.reasons)
        )
        return NetworkMap(laid, names, lacking, structure)

    async def names(self, ids: list[str]) -> dict[str, str]:
        """Display names of non-member supporters named in a report."""
        return await names_of(self.store, ids)
