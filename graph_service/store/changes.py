"""Cypher for the change log: one `(:Change)` node per committed write, read by every replica.

A change holds its id, time, kind, the ids of the members it touches and the process that
wrote it: never a name or a health detail, so it needs no erasure of its own.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from graph_service.events import Change, ChangeKind

if TYPE_CHECKING:
    from graph_service.store.connection import Store

APPEND = """
CREATE (:Change {id: $id, at: $at, kind: $kind, members: $members, origin: $origin})
"""

# Everything from a time on, as one record holding the rows (see store.projection for why).
SINCE = """
MATCH (c:Change)
WHERE c.at >= $since
RETURN collect([c.id, c.at, c.kind, c.members, c.origin]) AS rows
"""

PURGE = """
MATCH (c:Change)
WHERE c.at < $before
DELETE c
RETURN count(*) AS purged
"""


async def record(store: Store, change: Change) -> Change:
    """Append a change in the current unit's transaction; publish it here once that commits."""
    stamped = replace(change, origin=store.changes.origin)
    await store.announce(
        APPEND,
        id=stamped.id,
        at=stamped.at,
        kind=stamped.kind.value,
        members=list(stamped.members),
        origin=stamped.origin,
    )

    async def publish() -> None:
        store.changes.publish(stamped)

    await store.after_commit(publish)
    return stamped


async def since(store: Store, at: str) -> list[Change]:
    """Every change recorded at or after ``at`` (an ISO time), in no particular order."""
    rows = await store.poll(SINCE, since=at)
    found: list[Change] = []
    for id_, when, kind, members, origin in rows[0]["rows"] if rows else []:
        try:
            known = ChangeKind(kind)
        except ValueError:
            # A newer replica's kind: this one cannot apply it, so it reloads instead.
            known = ChangeKind.RELOAD
        found.append(Change(id_, when, known, tuple(members or ()), origin or ""))
    return found


async def purge(store: Store, before: str) -> int:
    """Delete the changes recorded before ``before``; how many went."""
    rows = await store.append(PURGE, before=before)
    return int(rows[0]["purged"]) if rows else 0
