"""The analyses' projection of the graph, kept in this process and patched as changes arrive.

The first read loads the whole graph (store.projection.load_rows). After that every change
published on the store's hub (this process's writes, and other replicas' through the change
log) names the members it touched: their rows are read again and patched in (analysis.patch),
and the live isolation reports and summary are brought up to date member by member. A full
reload remains the fallback: at first use, for a change it cannot apply (`RELOAD`, an unknown
kind, a flood of changes), after a write of this process that recorded no change
(`Store.version`), and when the projection is older than ``max_age`` while nothing confirms
that the change log is being read (`ChangeHub.confirmed_at`). A change to the programme (a
register taken, a session cancelled, attendance imported) also re-reads the sessions held and
who came to each.

Patches run on the event loop, between awaits, so code on the loop always sees a whole
projection; work on it in a thread goes through `computed` (services.patch_guard).
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TypeVar

from graph_service.analysis import Projection, build_from_rows
from graph_service.analysis.live import (
    IsolationChange,
    IsolationKey,
    LiveIsolation,
    differences,
)
from graph_service.analysis.live_summary import LiveSummary
from graph_service.analysis.patch import (
    missing_members,
    neighbours,
    patch_projection,
    patch_sessions,
)
from graph_service.analysis.stopped import STOPPED_DEFAULTS, StoppedRule
from graph_service.events import Change
from graph_service.services.patch_guard import PatchGuard
from graph_service.services.projection_changes import asked_by
from graph_service.services.validation import today
from graph_service.store import Store
from graph_service.store.projection import (
    MemberRows,
    SessionRows,
    held_sessions,
    load_rows,
    rows_of_members,
)

log = logging.getLogger(__name__)

T = TypeVar("T")

KEPT_REPORTS = 8  # isolation reports kept for parameters nobody watches
DAY_CHECK_SECONDS = 60.0
COLLECT_AFTER_NODES = 50_000
Watcher = Callable[[list[IsolationChange]], None]
Params = tuple[int, int, frozenset[str]]  # min_supporters, component_size, statuses


class LiveProjection:
    """One process's projection, its live isolation reports and summary."""

    def __init__(
        self, store: Store, *, max_age: float = 60.0, stopped: StoppedRule = STOPPED_DEFAULTS
    ) -> None:
        self.store = store
        self.max_age = max_age
        self.stopped = stopped
        self.loads = 0  # full loads (tests prove that changes are applied in place)
        self.applied = 0  # batches of changes patched in
        self.revision = 0  # bumped by every load and applied change
        self._graph: Projection | None = None
        self._version = 0
        self._loaded_at = 0.0
        self._loading = False
        self._day = today()
        self._pending: list[Change] = []
        self._arrived = asyncio.Event()
        self._lock = asyncio.Lock()  # one load or patch at a time
        self._guard = PatchGuard()
        self._reports: OrderedDict[IsolationKey, LiveIsolation] = OrderedDict()
        self._summary: LiveSummary | None = None
        self._watchers: dict[Params, list[Watcher]] = {}
        self._listening = False  # from the first load on: before it there is nothing to patch

    def _arrive(self, change: Change) -> None:
        # Before the first load there is nothing to patch: that load will read the change.
        if self._graph is not None or self._loading:
            self._pending.append(change)
            self._arrived.set()

    async def follow(self) -> None:
        """Apply changes as they arrive, so watchers hear of them (the app runs this)."""
        while True:
            try:
                # Woken by changes, and once a minute for the watched reports' new day.
                await asyncio.wait_for(self._arrived.wait(), DAY_CHECK_SECONDS)
            except TimeoutError:
                if self._graph is None or not self._watchers:
                    continue
            self._arrived.clear()
            try:
                await self.graph()
            except Exception:
                # The graph may be down: the changes stay pending for the next read or wake.
                log.exception("changes could not be applied to the projection")
                await asyncio.sleep(1.0)
                self._arrived.set()

    async def graph(self) -> Projection:
        """The projection with every change that arrived applied (loaded on first use)."""
        async with self._lock:
            if self._graph is None or self._stale():
                await self._reload()
            while self._pending:
                batch, self._pending = self._pending, []
                try:
                    await self._apply(batch)
                except BaseException:
                    self._pending[:0] = batch  # the graph may be down: tried again later
                    raise
            if self._day != today():
                await self._new_day()
            assert self._graph is not None
            return self._graph

    async def computed(self, work: Callable[[Projection], T]) -> T:
        """``work(projection)`` in a thread, with no patch while it runs."""
        return await self._guard.run(work, await self.graph())

    async def isolation(self, key: IsolationKey) -> LiveIsolation:
        """The live isolation report for these parameters (computed on first use)."""
        await self.graph()
        async with self._lock:
            return await self._report(key)

    async def summary(self) -> LiveSummary:
        """The live network summary."""
        await self.graph()
        async with self._lock:
            if self._summary is None:
                self._summary = await self.computed_unlocked(LiveSummary)
            return self._summary

    async def watch(self, params: Params, watcher: Watcher) -> Callable[[], None]:
        """Call ``watcher`` with the changes to one report's reasons; returns how to stop."""
        await self.graph()
        async with self._lock:  # no patch between the report made and the watcher added
            await self._report(self._key(params))
            self._watchers.setdefault(params, []).append(watcher)

        def stop() -> None:
            watchers = self._watchers.get(params, [])
            if watcher in watchers:
                watchers.remove(watcher)
            if not watchers:
                self._watchers.pop(params, None)

        return stop

    async def computed_unlocked(self, work: Callable[[Projection], T]) -> T:
        """`computed` for callers that hold the lock already (the projection is current)."""
        assert self._graph is not None
        return await self._guard.run(work, self._graph)

    def _stale(self) -> bool:
        if self.store.version != self._version:
            return True  # a write here that recorded no change
        now = time.monotonic()
        confirmed = self.store.changes.confirmed_at
        return now - self._loaded_at >= self.max_age and (
            confirmed is None or now - confirmed >= self.max_age
        )

    async def _report(self, key: IsolationKey) -> LiveIsolation:
        live = self._reports.get(key)
        if live is None:
            live = self._reports[key] = await self.computed_unlocked(
                lambda g: LiveIsolation(g, key)
            )
        self._reports.move_to_end(key)
        watched = {self._key(p) for p in self._watchers}
        for old in [k for k in self._reports if k not in watched][:-KEPT_REPORTS]:
            del self._reports[old]
        return live

    def _key(self, params: Params) -> IsolationKey:
        return IsolationKey(params[0], params[1], params[2], self._day, stopped=self.stopped)

    async def _reload(self) -> None:
        # Changes that arrive during the load are applied after it: applying twice is harmless.
        if not self._listening:
            self.store.changes.listen(self._arrive)
            self._listening = True
        self._pending.clear()
        self._loading = True
        try:
            version, started = self.store.version, time.monotonic()
            rows = await load_rows(self.store)
            g = await asyncio.to_thread(build_from_rows, rows)
        finally:
            self._loading = False
        old = {p: self._reports.get(self._key(p)) for p in self._watchers}
        # Worth a full collection (about 0.2 s even for a small graph) only for a large one.
        replaced = self._graph is not None and len(self._graph) >= COLLECT_AFTER_NODES
        self._graph, self._version, self._loaded_at = g, version, started
        self._reports.clear()
        self._summary = None
        self.loads += 1
        self.revision += 1
        if replaced:
            # The old projection sits in reference cycles (networkx keeps views of a graph on
            # it): collected now, or a second reload could find two of them still in memory.
            gc.collect()
        await self._tell_watchers(old)

    async def _new_day(self) -> None:
        # Recent activity is counted up to today: the watched reports are redone for the day.
        old = {p: self._reports.get(self._key(p)) for p in self._watchers}
        self._day = today()
        await self._tell_watchers(old)

    async def _tell_watchers(self, old: dict[Params, LiveIsolation | None]) -> None:
        """Redo the watched reports and tell their watchers what differs from ``old``."""
        for params, before in old.items():
            after = await self._report(self._key(params))
            if before is not None:
                self._notify(params, differences(before, after))

    async def _apply(self, batch: list[Change]) -> None:
        g = self._graph
        assert g is not None
        asked = asked_by(batch)
        if asked.reload:
            await self._reload()
            return
        if asked.touched or asked.programme:
            touched = set(asked.touched)
            sessions = await held_sessions(self.store) if asked.programme else None
            rows = await self._rows(g, touched)
            if not await self._patch(g, touched, rows, sessions):
                await self._reload()
                return
        self.applied += 1
        self.revision += 1

    async def _rows(self, g: Projection, touched: set[str]) -> MemberRows:
        rows = await rows_of_members(self.store, sorted(touched))
        for _ in range(3):  # members whose own change has not arrived yet: read them too
            missing = missing_members(g, rows.members, rows.ties, rows.help)
            if not missing:
                break
            touched |= missing
            rows = await rows_of_members(self.store, sorted(touched))
        return rows

    async def _patch(
        self, g: Projection, touched: set[str], rows: MemberRows, sessions: SessionRows | None
    ) -> bool:
        """Patch the rows in, with the live reports and summary; False if that failed."""
        changed: dict[IsolationKey, list[IsolationChange]] = {}
        async with self._guard.patching():
            try:
                self._patch_now(g, touched, rows, sessions, changed)
            except Exception:
                log.exception("a change could not be patched in: reloading the projection")
                return False
        for params in list(self._watchers):
            found = changed.get(self._key(params))
            if found:
                self._notify(params, found)
        return True

    def _patch_now(
        self,
        g: Projection,
        touched: set[str],
        rows: MemberRows,
        sessions: SessionRows | None,
        changed: dict[IsolationKey, list[IsolationChange]],
    ) -> None:
        """The patch itself, with no await: nothing sees a half-patched projection."""
        # Sessions first: the members' own rows then find the sessions they came to. Attendance
        # joins no members to each other, so the small components found below are unchanged.
        came = patch_sessions(g, sessions) if sessions is not None else set()
        seeds = touched | neighbours(g, touched)
        seeds.update(row[2] for row in rows.ties)
        seeds.update(row[1] for row in rows.ties)
        seeds.update(end for row in rows.help for end in row[1:3])
        reports = list(self._reports.values())
        small = [live.before(g, seeds) for live in reports]
        parts = self._summary.before(g, seeds) if self._summary else None
        patch_projection(
            g,
            touched,
            rows.members,
            rows.ties,
            rows.help,
            rows.enrolments,
            rows.tools,
            rows.attendance,
        )
        for live, near in zip(reports, small, strict=True):
            changed[live.key] = live.after(
                g, seeds, near, sessions=sessions is not None, attenders=came
            )
        if self._summary and parts is not None:
            self._summary.after(g, parts)

    def _notify(self, params: Params, changes: list[IsolationChange]) -> None:
        for watcher in list(self._watchers.get(params, [])):
            try:
                watcher(changes)
            except Exception:
                log.exception("an isolation watcher failed")
