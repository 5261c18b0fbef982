"""Cypher for the coordinators' roster imports: members by their spreadsheet ref, and circles."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_service.store.connection import Store, Tx

# One scan collected into one value: without an index on ref, a look-up per ref scans every
# member (tens of ms each at 100,000 members), while this reads them all in well under a second.
MEMBER_REFS = """
MATCH (m:Member)
WHERE m.ref IS NOT NULL
RETURN collect([m.ref, m.id, m.status]) AS refs
"""

CREATE_MEMBERS = """
UNWIND $rows AS r
CREATE (:Person:Member {id: r.id, ref: r.ref, displayName: r.name, status: r.status,
                        memberSince: r.since, createdAt: $now, updatedAt: $now})
"""

# Every tie of the members, whatever its status: ENDED and DECLINED ones keep a re-run from
# bringing back what a coordinator or member ended.
TIES_OF = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})-[t:SUPPORTED_BY]->(s)
RETURN collect([m.id, s.id, 'Member' IN labels(s), 'Organisation' IN labels(s), s.displayName,
                t.relation, t.status])
       AS ties
"""

# The guards repeat the checks made before writing, for writers that came in meanwhile.
TIES_TO_MEMBERS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (s:Member {id: r.supporter})
WHERE m.status = 'ACTIVE' AND s.status = 'ACTIVE'
  AND COUNT { MATCH (m)-[o:SUPPORTED_BY]->() WHERE o.status IN ['INVITED', 'ACTIVE'] } < $max
  AND NOT EXISTS { MATCH (m)-[o:SUPPORTED_BY]->(s) WHERE o.status IN ['INVITED', 'ACTIVE'] }
CREATE (m)-[t:SUPPORTED_BY {id: r.id, relation: r.relation, status: r.status, since: $now}]->(s)
RETURN collect(t.id) AS created
"""

TIES_TO_ORGANISATIONS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (s:Organisation {id: r.supporter})
WHERE m.status = 'ACTIVE'
  AND COUNT { MATCH (m)-[o:SUPPORTED_BY]->() WHERE o.status IN ['INVITED', 'ACTIVE'] } < $max
  AND NOT EXISTS { MATCH (m)-[o:SUPPORTED_BY]->(s) WHERE o.status IN ['INVITED', 'ACTIVE'] }
CREATE (m)-[t:SUPPORTED_BY {id: r.id, relation: r.relation, status: 'ACTIVE', since: $now}]->(s)
RETURN collect(t.id) AS created
"""

TIES_TO_NEW_PEOPLE = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
WHERE m.status = 'ACTIVE'
  AND COUNT { MATCH (m)-[o:SUPPORTED_BY]->() WHERE o.status IN ['INVITED', 'ACTIVE'] } < $max
CREATE (m)-[t:SUPPORTED_BY {id: r.id, relation: r.relation, status: 'ACTIVE', since: $now}]->
       (:Person {id: r.supporter, displayName: r.name, createdAt: $now, updatedAt: $now})
RETURN collect(t.id) AS created
"""


@dataclass(frozen=True)
class RefMember:
    """A member found by their ref."""

    id: str
    status: str


@dataclass(frozen=True)
class ExistingTie:
    """A tie already in a member's circle or its history."""

    member_id: str
    supporter_id: str
    supporter_kind: str  # MEMBER, ORGANISATION or PERSON
    supporter_name: str | None
    relation: str
    status: str


async def member_refs(store: Store) -> dict[str, RefMember]:
    """Every member that has a ref, by ref."""

    async def work(tx: Tx) -> Any:
        return await tx.value(MEMBER_REFS)

    found = await store.read_transaction(work)
    return {ref: RefMember(member_id, status) for ref, member_id, status in found}


async def create_members(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create members: id, ref, name, status, since (ISO date)."""
    if rows:
        await store.write(CREATE_MEMBERS, rows=rows, now=now)
    return len(rows)


async def ties_of(store: Store, member_ids: list[str]) -> list[ExistingTie]:
    """Every tie (any status) of these members."""

    async def work(tx: Tx) -> Any:
        return await tx.value(TIES_OF, ids=list(dict.fromkeys(member_ids)))

    found = await store.read_transaction(work) if member_ids else []
    return [
        ExistingTie(
            member,
            supporter,
            "MEMBER" if is_member else "ORGANISATION" if is_org else "PERSON",
            name,
            relation,
            status,
        )
        for member, supporter, is_member, is_org, name, relation, status in found
    ]


async def create_ties(
    store: Store,
    *,
    to_members: list[dict[str, Any]],
    to_organisations: list[dict[str, Any]],
    to_new_people: list[dict[str, Any]],
    circle_max: int,
    now: str,
) -> set[str]:
    """Create ties (id, member, supporter, relation, status, name); the ids the guards let by."""

    async def work(tx: Tx) -> set[str]:
        created: set[str] = set()
        for query, rows in (
            (TIES_TO_MEMBERS, to_members),
            (TIES_TO_ORGANISATIONS, to_organisations),
            (TIES_TO_NEW_PEOPLE, to_new_people),
        ):
            if rows:
                created.update(await tx.value(query, rows=rows, max=circle_max, now=now))
        return created

    return await store.transaction(work)
