"""Cypher for security events: (:SecurityEvent) nodes, linked to nothing, counted per minute.

A record's id names its minute, kind, reason, actor and client, so a later batch (from this
process or another replica) adds to the same node's count instead of creating another.
"""

from __future__ import annotations

from typing import Any

from graph_service.domain import Page
from graph_service.security_events import SecurityEvent, SecurityEventKind
from graph_service.store.connection import Store

RECORD = """
UNWIND $events AS event
MERGE (e:SecurityEvent {id: event.id})
ON CREATE SET e.at = event.at, e.kind = event.kind, e.reason = event.reason,
              e.actorId = event.actorId, e.clientHash = event.clientHash,
              e.requestId = event.requestId, e.count = 0
SET e.count = e.count + event.count, e.lastAt = event.lastAt
RETURN count(e) AS recorded
"""

LIST = """
MATCH (e:SecurityEvent)
WHERE $kind IS NULL OR e.kind = $kind
RETURN e{.id, .at, .lastAt, .kind, .reason, .actorId, .clientHash, .requestId, .count} AS event
ORDER BY e.at DESC, e.id DESC
SKIP $skip LIMIT $limit
"""

COUNT = """
MATCH (e:SecurityEvent)
WHERE $kind IS NULL OR e.kind = $kind
RETURN count(e) AS total
"""

PURGE = """
MATCH (e:SecurityEvent)
WHERE e.at < $before
DELETE e
RETURN count(*) AS purged
"""


def to_event(row: dict[str, Any]) -> SecurityEvent:
    """A SecurityEvent from an event map."""
    return SecurityEvent(
        id=row["id"],
        at=row["at"],
        last_at=row["lastAt"],
        kind=SecurityEventKind(row["kind"]),
        reason=row["reason"],
        actor_id=row.get("actorId"),
        client_hash=row.get("clientHash"),
        request_id=row["requestId"],
        count=int(row["count"]),
    )


async def record(store: Store, events: list[SecurityEvent]) -> None:
    """Add events to their nodes' counts (creating the nodes), in one statement."""
    if not events:
        return
    await store.append(
        RECORD,
        events=[
            {
                "id": e.id,
                "at": e.at,
                "lastAt": e.last_at,
                "kind": e.kind.value,
                "reason": e.reason,
                "actorId": e.actor_id,
                "clientHash": e.client_hash,
                "requestId": e.request_id,
                "count": e.count,
            }
            for e in events
        ],
    )


async def events(
    store: Store, *, offset: int, limit: int, kind: SecurityEventKind | None = None
) -> Page[SecurityEvent]:
    """A page of events, newest first, of one kind or all."""
    value = kind.value if kind else None
    rows = await store.read(LIST, skip=offset, limit=limit, kind=value)
    total = await store.read(COUNT, kind=value)
    return Page([to_event(row["event"]) for row in rows], offset, int(total[0]["total"]))


async def purge(store: Store, before: str) -> int:
    """Delete events first seen before a time (ISO 8601); returns how many."""
    rows = await store.append(PURGE, before=before)
    return int(rows[0]["purged"]) if rows else 0
