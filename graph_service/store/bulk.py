"""Bulk loading with UNWIND batches: whole networks in a few statements per thousand rows.

Used by the benchmarks and loaders that bring in many rows at once; each function writes one
batch in one statement (callers slice their rows).
"""

from __future__ import annotations

from typing import Any

from graph_service.store.connection import Store

MEMBERS = """
UNWIND $rows AS r
CREATE (:Person:Member {id: r.id, displayName: r.name, status: r.status,
                        memberSince: r.since, createdAt: $now, updatedAt: $now})
"""

PEOPLE = """
UNWIND $rows AS r
CREATE (:Person {id: r.id, displayName: r.name, createdAt: $now, updatedAt: $now})
"""

ORGANISATIONS = """
UNWIND $rows AS r
MERGE (o:Organisation {id: r.id})
ON CREATE SET o.name = r.name, o.kind = r.kind, o.createdAt = $now, o.updatedAt = $now
"""

TIES_TO_PEOPLE = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (s:Person {id: r.supporter})
CREATE (m)-[:SUPPORTED_BY {id: r.id, relation: r.relation, status: r.status, since: $now}]->(s)
"""

TIES_TO_ORGANISATIONS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (s:Organisation {id: r.supporter})
CREATE (m)-[:SUPPORTED_BY {id: r.id, relation: r.relation, status: r.status, since: $now}]->(s)
"""

HELP = """
UNWIND $rows AS r
MATCH (a:Member {id: r.giver})
MATCH (b:Member {id: r.receiver})
CREATE (a)-[:HELPED {id: r.id, on: r.on, kind: r.kind, recordedBy: r.giver,
                     recordedAt: $now, confirmed: r.confirmed}]->(b)
"""

ENROLMENTS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (k:Course {id: r.course})
CREATE (m)-[:ENROLLED_IN {id: r.id, status: r.status, enrolledOn: r.enrolledOn,
                          completedOn: r.completedOn, linkedBy: 'bulk', linkedAt: $now}]->(k)
"""

TOOLS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (t:WellnessTool {name: r.tool})
CREATE (m)-[:PRACTISES {since: $today}]->(t)
"""


async def write_rows(store: Store, query: Any, rows: list[dict[str, Any]], **params: Any) -> int:
    """Run an UNWIND $rows write with these rows (none: nothing sent); how many rows."""
    if rows:
        await store.write(query, rows=rows, **params)
    return len(rows)


async def members(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create members: id, name, status, since."""
    return await write_rows(store, MEMBERS, rows, now=now)


async def people(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create non-member supporters: id, name."""
    return await write_rows(store, PEOPLE, rows, now=now)


async def organisations(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Ensure organisations: id, name, kind."""
    return await write_rows(store, ORGANISATIONS, rows, now=now)


async def ties(
    store: Store, rows: list[dict[str, Any]], now: str, *, to_organisations: bool
) -> int:
    """Create ties: id, member, supporter, relation, status."""
    query = TIES_TO_ORGANISATIONS if to_organisations else TIES_TO_PEOPLE
    return await write_rows(store, query, rows, now=now)


async def help_records(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create help records: id, giver, receiver, on, kind, confirmed."""
    return await write_rows(store, HELP, rows, now=now)


async def enrolments(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create enrolments: id, member, course, status, enrolledOn, completedOn."""
    return await write_rows(store, ENROLMENTS, rows, now=now)


async def tools(store: Store, rows: list[dict[str, Any]], today: str) -> int:
    """Link members to wellness tools: member, tool."""
    return await write_rows(store, TOOLS, rows, today=today)


CONSENTS = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
MATCH (c:College {id: r.college})
MERGE (m)-[s:SHARES_WITH]->(c)
ON CREATE SET s.grantedAt = $now
"""


async def consents(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Record consent to share with colleges: member, college."""
    return await write_rows(store, CONSENTS, rows, now=now)
