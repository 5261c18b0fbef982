"""Cypher for wellness tools: (:Member)-[:PRACTISES {since}]->(:WellnessTool {name})."""

from __future__ import annotations

from graph_service.store.connection import Store, Tx

ENSURE_TOOL = "MERGE (t:WellnessTool {name: $name}) RETURN t.name AS name"

TOOLS = "MATCH (t:WellnessTool) RETURN t.name AS name ORDER BY toLower(t.name)"

LOCK_MEMBER = "MATCH (m:Member {id: $memberId}) SET m.updatedAt = $now RETURN m.id AS id"

DROP_OTHER_TOOLS = """
MATCH (:Member {id: $memberId})-[p:PRACTISES]->(t:WellnessTool)
WHERE NOT t.name IN $tools
DELETE p
"""

# MERGE keeps `since` for tools the member already practised.
ADD_TOOLS = """
MATCH (m:Member {id: $memberId})
UNWIND $tools AS name
MATCH (t:WellnessTool {name: name})
MERGE (m)-[p:PRACTISES]->(t)
ON CREATE SET p.since = $today
"""

TOOLS_OF = """
UNWIND $ids AS wanted
MATCH (:Member {id: wanted})-[:PRACTISES]->(t:WellnessTool)
RETURN wanted AS memberId, t.name AS name
ORDER BY toLower(t.name)
"""


async def ensure_tool(store: Store, name: str) -> str:
    """Add a tool to the list unless it is there."""
    rows = await store.write(ENSURE_TOOL, name=name)
    return str(rows[0]["name"])


async def tools(store: Store) -> list[str]:
    """Every tool on the list."""
    return [str(row["name"]) for row in await store.read(TOOLS)]


async def set_tools(store: Store, member_id: str, names: list[str], today: str, now: str) -> bool:
    """Make a member's tools exactly these; False when there is no such member."""

    async def work(tx: Tx) -> bool:
        if not await tx.run(LOCK_MEMBER, memberId=member_id, now=now):
            return False
        await tx.run(DROP_OTHER_TOOLS, memberId=member_id, tools=names)
        if names:
            await tx.run(ADD_TOOLS, memberId=member_id, tools=names, today=today)
        return True

    return await store.transaction(work)


async def tools_of(store: Store, member_ids: list[str]) -> dict[str, list[str]]:
    """Each member's tools."""
    found: dict[str, list[str]] = {member_id: [] for member_id in member_ids}
    for row in await store.read(TOOLS_OF, ids=list(dict.fromkeys(member_ids))):
        found[row["memberId"]].append(row["name"])
    return found
