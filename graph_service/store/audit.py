"""Cypher for the audit trail: append-only (:AuditEvent) nodes, linked to nothing.

Events hold ids only, so erasing a member leaves them as pseudonymous records.
"""

from __future__ import annotations

from typing import Any

from graph_service.domain import AuditEvent, Page
from graph_service.store.connection import Store

APPEND = """
UNWIND $events AS event
CREATE (e:AuditEvent {id: event.id, at: event.at, actorId: event.actorId,
                      actorRole: event.actorRole, action: event.action,
                      targetId: event.targetId, requestId: event.requestId,
                      clientRequestId: event.clientRequestId})
RETURN count(e) AS appended
"""

LIST = """
MATCH (e:AuditEvent)
WHERE ($targetId IS NULL OR e.targetId = $targetId)
  AND ($actorId IS NULL OR e.actorId = $actorId)
RETURN e{.id, .at, .actorId, .actorRole, .action, .targetId, .requestId, .clientRequestId}
       AS event
ORDER BY e.at DESC, e.id DESC
SKIP $skip LIMIT $limit
"""

COUNT = """
MATCH (e:AuditEvent)
WHERE ($targetId IS NULL OR e.targetId = $targetId)
  AND ($actorId IS NULL OR e.actorId = $actorId)
RETURN count(e) AS total
"""


def to_event(row: dict[str, Any]) -> AuditEvent:
    """An AuditEvent from an event map."""
    return AuditEvent(
        id=row["id"],
        at=row["at"],
        actor_id=row["actorId"],
        actor_role=row["actorRole"],
        action=row["action"],
        target_id=row["targetId"],
        request_id=row["requestId"],
        client_request_id=row.get("clientRequestId"),
    )


async def append(store: Store, events: list[AuditEvent]) -> None:
    """Append events in one statement."""
    if not events:
        return
    await store.append(
        APPEND,
        events=[
            {
                "id": e.id,
                "at": e.at,
                "actorId": e.actor_id,
                "actorRole": e.actor_role,
                "action": e.action,
                "targetId": e.target_id,
                "requestId": e.request_id,
                "clientRequestId": e.client_request_id,
            }
            for e in events
        ],
    )


async def events(
    store: Store,
    *,
    offset: int,
    limit: int,
    target_id: str | None = None,
    actor_id: str | None = None,
) -> Page[AuditEvent]:
    """A page of events, newest first, filtered by target or actor."""
    filters = {"targetId": target_id, "actorId": actor_id}
    rows = await store.read(LIST, skip=offset, limit=limit, **filters)
    total = await store.read(COUNT, **filters)
    return Page([to_event(row["event"]) for row in rows], offset, int(total[0]["total"]))
