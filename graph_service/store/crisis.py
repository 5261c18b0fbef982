"""Cypher for crisis plans.

Circle supporters to involve in a crisis are marked on their tie (``SUPPORTED_BY.inCrisisPlan``);
the people who must not be involved are names only, on the member's own plan node:
(:Member)-[:HAS_CRISIS_PLAN]->(:CrisisPlan {notInvolved: [names], updatedAt}). The names are
never a (:Person) of the graph: they are nobody's supporter and nobody else's data.
"""

from __future__ import annotations

from graph_service.domain_programme import CrisisPlan
from graph_service.store import circles as store_circles
from graph_service.store.connection import Row, Store, Tx

LOCK_MEMBER = """
MATCH (m:Member {id: $memberId})
SET m.crisisPlanVersion = coalesce(m.crisisPlanVersion, 0) + 1
RETURN m.id AS id
"""

# Marks only open ties of this member's own circle; returns the ids it marked.
MARK_INVOLVED = """
MATCH (:Member {id: $memberId})-[t:SUPPORTED_BY]->()
WHERE t.status IN ['INVITED', 'ACTIVE']
SET t.inCrisisPlan = t.id IN $tieIds
RETURN t.id AS id, t.inCrisisPlan AS marked
"""

SET_NOT_INVOLVED = """
MATCH (m:Member {id: $memberId})
MERGE (m)-[:HAS_CRISIS_PLAN]->(p:CrisisPlan)
SET p.notInvolved = $names, p.updatedAt = $now
"""

PLANS = """
UNWIND $ids AS wanted
MATCH (:Member {id: wanted})-[:HAS_CRISIS_PLAN]->(p:CrisisPlan)
RETURN wanted AS memberId, p.notInvolved AS notInvolved, p.updatedAt AS updatedAt
"""

MARKED = """
UNWIND $ids AS wanted
MATCH (:Member {id: wanted})-[t:SUPPORTED_BY]->()
WHERE t.inCrisisPlan = true AND t.status IN ['INVITED', 'ACTIVE']
RETURN wanted AS memberId, t.id AS tieId
"""

NOT_INVOLVED = """
MATCH (:Member {id: $memberId})-[:HAS_CRISIS_PLAN]->(p:CrisisPlan)
RETURN p.notInvolved AS names
"""

MEMBER_NAMES = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})
RETURN m.id AS id, m.displayName AS name
"""

# Whose live connect code this is (the invitation itself checks it again, and counts misses).
CODE_OWNER = """
MATCH (c:ConnectCode {hash: $hash})
WHERE c.uses = 0 AND c.expiresAt > $now
MATCH (m:Member {id: c.memberId})
RETURN m.displayName AS name
"""

# The plan node goes with the member's erasure (DETACH DELETE of the member leaves it behind).
ERASE_PLAN = """
MATCH (:Member {id: $memberId})-[:HAS_CRISIS_PLAN]->(p:CrisisPlan)
DETACH DELETE p
"""


async def plans(store: Store, member_ids: list[str]) -> dict[str, CrisisPlan]:
    """Each member's crisis plan (an empty plan when they have none)."""
    ids = list(dict.fromkeys(member_ids))
    names = {row["memberId"]: row for row in await store.read(PLANS, ids=ids)}
    marked: dict[str, set[str]] = {member_id: set() for member_id in ids}
    for row in await store.read(MARKED, ids=ids):
        marked[row["memberId"]].add(row["tieId"])
    circles = await store_circles.circles(store, ids, False) if any(marked.values()) else {}
    found: dict[str, CrisisPlan] = {}
    for member_id in ids:
        kept: Row | None = names.get(member_id)
        involved = tuple(t for t in circles.get(member_id, []) if t.id in marked[member_id])
        found[member_id] = CrisisPlan(
            member_id,
            involved,
            tuple(kept["notInvolved"] or ()) if kept else (),
            kept["updatedAt"] if kept else None,
        )
    return found


async def set_plan(
    store: Store, member_id: str, tie_ids: list[str], names: list[str], now: str
) -> set[str] | None:
    """Mark these open ties and keep these names; the ids marked (None: no such member)."""

    async def work(tx: Tx) -> set[str] | None:
        if not await tx.run(LOCK_MEMBER, memberId=member_id):
            return None
        rows = await tx.run(MARK_INVOLVED, memberId=member_id, tieIds=tie_ids)
        await tx.run(SET_NOT_INVOLVED, memberId=member_id, names=names, now=now)
        return {row["id"] for row in rows if row["marked"]}

    return await store.transaction(work)


async def not_involved(store: Store, member_id: str) -> list[str]:
    """The names a member keeps out of a crisis."""
    rows = await store.read(NOT_INVOLVED, memberId=member_id)
    return list(rows[0]["names"] or ()) if rows else []


async def member_names(store: Store, member_ids: list[str]) -> dict[str, str]:
    """Display names by member id."""
    rows = await store.read(MEMBER_NAMES, ids=list(dict.fromkeys(member_ids)))
    return {row["id"]: row["name"] for row in rows}


async def code_owner_name(store: Store, code_hash: str, now: str) -> str | None:
    """The display name of the member whose live connect code this is."""
    rows = await store.read(CODE_OWNER, hash=code_hash, now=now)
    return str(rows[0]["name"]) if rows else None


async def erase_plan(store: Store, member_id: str) -> None:
    """Delete a member's crisis plan (part of their erasure)."""
    await store.write(ERASE_PLAN, memberId=member_id)
