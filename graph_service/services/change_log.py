"""How replicas share changes: each polls the change log in the graph from a cursor.

Every write records a `(:Change)` node in its own transaction (store.changes), so the log
holds exactly the writes that committed, in the same graph every replica already uses: no
broker to run, and Neo4j Community has no change data capture to lean on. A replica reads the
log every ``interval`` seconds (0.5 s by default) and publishes on its own hub every change
it reads; the hub hands each on once, so this process's own changes, published when they
committed, are not applied twice (and one whose publication was missed still arrives).

Why a window and not just "after the cursor": a change's time is taken by its writer before
its transaction commits, so commit order is not time order. A write that started earlier can
commit after one that started later and has already been read; reading only what is newer
than the newest change seen would skip it for ever. So each poll reads again everything from
``window`` seconds before the newest time seen, and drops the changes it has seen by id. The
window covers the longest a write may take from recording its change to committing (the
query timeout bounds every transaction) plus the clocks of replicas disagreeing a little.
Seen ids are forgotten once they fall out of the window. The same window keeps a poll cheap:
it reads the last few seconds of changes, found through the index on ``Change.at``.

The hourly housekeeping purges changes older than ``keep_hours``; a replica that could not
read the log for longer than that would miss changes, so past ``max_age`` without a
successful read the analyses stop trusting their projection and reload it whole.
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime, timedelta

from graph_service.errors import GraphServiceError
from graph_service.store import Store
from graph_service.store import changes as store_changes

log = logging.getLogger(__name__)

POLL_SECONDS = 0.5
KEEP_HOURS = 24.0


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class ChangeLog:
    """Reads other replicas' changes from the log and publishes them in this process."""

    def __init__(
        self,
        store: Store,
        *,
        interval: float = POLL_SECONDS,
        window: float = 15.0,
        keep_hours: float = KEEP_HOURS,
    ) -> None:
        self.store = store
        self.interval = interval
        self.window = timedelta(seconds=window)
        self.keep = timedelta(hours=keep_hours)
        self.polls = 0
        # Nothing before this process started needs reading: its projection loads after.
        self._newest = datetime.now(UTC) - self.window
        self._seen: dict[str, datetime] = {}

    async def poll(self) -> int:
        """Read the log once; how many changes this process had not heard of were published."""
        since = self._newest - self.window
        found = await store_changes.since(self.store, _iso(since))
        hub = self.store.changes
        published = 0
        for change in sorted(found, key=lambda c: (c.at, c.id)):
            if change.id in self._seen:
                continue
            at = datetime.fromisoformat(change.at)
            self._seen[change.id] = at
            self._newest = max(self._newest, at)
            published += hub.publish(change)
        horizon = self._newest - self.window
        for id_ in [i for i, at in self._seen.items() if at < horizon]:
            del self._seen[id_]
        hub.confirmed_at = time.monotonic()
        self.polls += 1
        return published

    async def run(self) -> None:
        """Poll until cancelled; a graph that does not answer is tried again next time."""
        while True:
            try:
                await self.poll()
            except GraphServiceError as exc:
                log.debug("change log not read: %s", exc)
            await asyncio.sleep(self.interval)

    async def purge(self) -> int:
        """Delete changes past their keeping time (the hourly housekeeping)."""
        return await store_changes.purge(self.store, _iso(datetime.now(UTC) - self.keep))
