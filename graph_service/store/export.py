"""Cypher for the GraphML / CSV export: bulk, read-only statements over the whole network."""

from __future__ import annotations

from dataclasses import dataclass

from graph_service.store.connection import Row, Store, Tx

MEMBERS = """
MATCH (m:Member)
RETURN m.id AS id, m.displayName AS displayName, m.status AS status,
       m.memberSince AS memberSince
ORDER BY m.id
"""

# Non-member supporters: a Person node without the Member label.
PEOPLE = """
MATCH (p:Person)
WHERE NOT p:Member
RETURN p.id AS id, p.displayName AS displayName
ORDER BY p.id
"""

ORGANISATIONS = """
MATCH (o:Organisation)
RETURN o.id AS id, o.name AS name, o.kind AS kind
ORDER BY o.id
"""

TIES = """
MATCH (m:Member)-[t:SUPPORTED_BY]->(s)
RETURN t.id AS id, m.id AS memberId, s.id AS supporterId,
       CASE WHEN s:Member THEN 'MEMBER' WHEN s:Organisation THEN 'ORGANISATION'
            ELSE 'PERSON' END AS supporterKind,
       coalesce(s.displayName, s.name) AS supporterName,
       t.relation AS relation, t.status AS status, t.since AS since, t.endedAt AS endedAt,
       EXISTS { MATCH (s)-[r:SUPPORTED_BY]->(m) WHERE r.status = 'ACTIVE' } AS reciprocal
ORDER BY t.id
"""

HELP = """
MATCH (a:Member)-[h:HELPED]->(b:Member)
RETURN h.id AS id, a.id AS fromId, b.id AS toId, h.kind AS kind,
       h.confirmed AS confirmed, h.on AS on
ORDER BY h.id
"""

ENROLMENTS = """
MATCH (m:Member)-[e:ENROLLED_IN]->(k:Course)<-[:OFFERS]-(c:College)
RETURN e.id AS id, m.id AS memberId, k.id AS courseId, c.id AS collegeId,
       e.status AS status, e.enrolledOn AS enrolledOn, e.completedOn AS completedOn
ORDER BY e.id
"""


@dataclass(frozen=True)
class Snapshot:
    """The rows of one export, read in one transaction."""

    members: list[Row]
    people: list[Row]
    organisations: list[Row]
    ties: list[Row]
    help: list[Row]
    enrolments: list[Row]


async def snapshot(store: Store) -> Snapshot:
    """Everything an export writes, from one consistent read (nodes and edges agree)."""

    async def work(tx: Tx) -> Snapshot:
        return Snapshot(
            members=await tx.run(MEMBERS),
            people=await tx.run(PEOPLE),
            organisations=await tx.run(ORGANISATIONS),
            ties=await tx.run(TIES),
            help=await tx.run(HELP),
            enrolments=await tx.run(ENROLMENTS),
        )

    return await store.read_transaction(work)
