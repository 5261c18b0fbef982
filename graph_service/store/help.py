"""Cypher for help records: (:Member)-[:HELPED]->(:Member)."""

from __future__ import annotations

from datetime import date
from typing import Any

from graph_service.domain import Help, HelpBalance, HelpKind
from graph_service.store.connection import Store

RECORD_HELP = """
MATCH (a:Member {id: $fromId})
MATCH (b:Member {id: $toId})
CREATE (a)-[h:HELPED {id: $id, on: $on, kind: $kind, recordedBy: $recordedBy,
                      recordedAt: $now, confirmed: false}]->(b)
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt} AS help
"""

# A member records help only with someone they share an active tie with, either way round:
# anything else (a stranger, a paused member, no such id) creates nothing and says the same.
RECORD_HELP_IN_CIRCLE = """
MATCH (a:Member {id: $fromId})
MATCH (b:Member {id: $toId})
WHERE EXISTS { MATCH (a)-[t:SUPPORTED_BY]->(b) WHERE t.status = 'ACTIVE' }
   OR EXISTS { MATCH (b)-[t:SUPPORTED_BY]->(a) WHERE t.status = 'ACTIVE' }
CREATE (a)-[h:HELPED {id: $id, on: $on, kind: $kind, recordedBy: $recordedBy,
                      recordedAt: $now, confirmed: false}]->(b)
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt} AS help
"""

HELP_BY_ID = """
MATCH (a:Member)-[h:HELPED {id: $id}]->(b:Member)
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt} AS help
"""

CONFIRM_HELP = """
MATCH (:Member)-[h:HELPED {id: $id}]->(:Member)
WHERE h.confirmed = false
SET h.confirmed = true, h.confirmedAt = $now, h.confirmedBy = $confirmedBy
RETURN h.id AS id
"""

# Only an unconfirmed record can be rejected: a confirm racing a reject writes the same
# relationship, so the engine makes one of them conflict and retry, and exactly one wins.
REJECT_HELP = """
MATCH (:Member)-[h:HELPED {id: $id}]->(:Member)
WHERE h.confirmed = false
WITH h, h.id AS id
DELETE h
RETURN id
"""

# A member's latest help, given and received (two anchored reads, merged in Python).
HELP_GIVEN = """
MATCH (a:Member {id: $id})-[h:HELPED]->(b:Member)
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt, .recordedAt} AS help
ORDER BY h.on DESC, h.recordedAt DESC
LIMIT $limit
"""

HELP_RECEIVED = """
MATCH (a:Member)-[h:HELPED]->(b:Member {id: $id})
RETURN a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt, .recordedAt} AS help
ORDER BY h.on DESC, h.recordedAt DESC
LIMIT $limit
"""

PENDING_FOR = """
UNWIND $ids AS wanted
MATCH (a:Member)-[h:HELPED]->(b:Member)
WHERE (a.id = wanted OR b.id = wanted)
  AND h.confirmed = false AND h.recordedBy <> wanted
RETURN wanted AS memberId, a.id AS fromId, b.id AS toId,
       h{.id, .on, .kind, .recordedBy, .confirmed, .confirmedAt} AS help
ORDER BY h.on, h.id
"""

BALANCES = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})
RETURN m.id AS id,
       COUNT { MATCH (m)-[:HELPED]->(:Member) } AS given,
       COUNT { MATCH (m)<-[:HELPED]-(:Member) } AS received,
       COUNT { MATCH (m)-[h:HELPED]->(:Member) WHERE h.confirmed = true } AS confirmedGiven,
       COUNT { MATCH (m)<-[h:HELPED]-(:Member) WHERE h.confirmed = true } AS confirmedReceived
"""


def to_help(row: dict[str, Any]) -> Help:
    """A Help from a help row."""
    help_ = row["help"]
    return Help(
        id=help_["id"],
        from_member_id=row["fromId"],
        to_member_id=row["toId"],
        on=date.fromisoformat(help_["on"]),
        kind=HelpKind(help_["kind"]),
        recorded_by=help_["recordedBy"],
        confirmed=bool(help_["confirmed"]),
        confirmed_at=help_.get("confirmedAt"),
    )


async def record_help(
    store: Store,
    help_id: str,
    from_id: str,
    to_id: str,
    on: date,
    kind: HelpKind,
    recorded_by: str,
    now: str,
    *,
    within_circle: bool = False,
) -> Help | None:
    """Record help; None when either member is missing (or, ``within_circle``, not tied)."""
    rows = await store.write(
        RECORD_HELP_IN_CIRCLE if within_circle else RECORD_HELP,
        id=help_id,
        fromId=from_id,
        toId=to_id,
        on=on.isoformat(),
        kind=kind.value,
        recordedBy=recorded_by,
        now=now,
    )
    return to_help(rows[0]) if rows else None


async def help_by_id(store: Store, help_id: str) -> Help | None:
    """One help record, or None."""
    rows = await store.read(HELP_BY_ID, id=help_id)
    return to_help(rows[0]) if rows else None


async def confirm_help(store: Store, help_id: str, confirmed_by: str, now: str) -> bool:
    """Confirm a help record; False when it was already confirmed."""
    return bool(await store.write(CONFIRM_HELP, id=help_id, confirmedBy=confirmed_by, now=now))


async def reject_help(store: Store, help_id: str) -> bool:
    """Delete an unconfirmed help record; False when it was confirmed or is gone."""
    return bool(await store.write(REJECT_HELP, id=help_id))


async def latest_help(store: Store, member_id: str, limit: int) -> list[Help]:
    """The member's latest help records, given or received, newest first."""
    rows = await store.read(HELP_GIVEN, id=member_id, limit=limit)
    rows += await store.read(HELP_RECEIVED, id=member_id, limit=limit)
    rows.sort(
        key=lambda row: (row["help"]["on"], row["help"].get("recordedAt") or ""), reverse=True
    )
    return [to_help(row) for row in rows[:limit]]


async def pending_for(store: Store, member_ids: list[str]) -> dict[str, list[Help]]:
    """Help involving each member, recorded by someone else, awaiting their confirmation."""
    found: dict[str, list[Help]] = {member_id: [] for member_id in member_ids}
    for row in await store.read(PENDING_FOR, ids=list(dict.fromkeys(member_ids))):
        found[row["memberId"]].append(to_help(row))
    return found


async def balances(store: Store, member_ids: list[str]) -> dict[str, HelpBalance]:
    """Each member's help balance."""
    rows = await store.read(BALANCES, ids=list(dict.fromkeys(member_ids)))
    found = {member_id: HelpBalance() for member_id in member_ids}
    for row in rows:
        found[row["id"]] = HelpBalance(
            int(row["given"]),
            int(row["received"]),
            int(row["confirmedGiven"]),
            int(row["confirmedReceived"]),
        )
    return found
