"""Cypher for the trends report: the history the graph keeps, read in bulk (no names).

Members with when they joined and left, every tie with its dates, confirmed help by day, and
sessions with their registers: enough to say how the network stood at the end of any month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from graph_service.store.connection import Row, Store, Tx

MEMBERS = """
MATCH (m:Member)
RETURN m.id AS id, m.memberSince AS since, m.status AS status, m.leftAt AS leftAt,
       m.updatedAt AS updatedAt
"""

TIES = """
MATCH (m:Member)-[t:SUPPORTED_BY]->(s)
RETURN m.id AS memberId, s.id AS supporterId, s:Member AS supporterIsMember,
       t.relation AS relation, t.status AS status, t.since AS since,
       t.respondedAt AS respondedAt, t.endedAt AS endedAt, t.endedFrom AS endedFrom
"""

CONFIRMED_HELP = """
MATCH (:Member)-[h:HELPED]->(:Member)
WHERE h.confirmed = true AND h.on >= $first AND h.on <= $last
RETURN h.on AS on
"""

SESSIONS = """
MATCH (p:ProgrammeSession)
WHERE p.on >= $first AND p.on <= $last
RETURN p.on AS on, p.cancelled AS cancelled, p.registerTakenAt AS takenAt,
       COUNT { MATCH (:Member)-[:ATTENDED]->(p) } AS attended
"""


@dataclass(frozen=True)
class HistoryRows:
    """The rows of one history read (see each statement for its columns)."""

    members: list[Row]
    ties: list[Row]
    confirmed_help: list[Row]
    sessions: list[Row]


async def history_rows(store: Store, first: date, last: date) -> HistoryRows:
    """The network's history in one consistent read; help and sessions between two days."""
    window = {"first": first.isoformat(), "last": last.isoformat()}

    async def work(tx: Tx) -> HistoryRows:
        return HistoryRows(
            members=await tx.run(MEMBERS),
            ties=await tx.run(TIES),
            confirmed_help=await tx.run(CONFIRMED_HELP, **window),
            sessions=await tx.run(SESSIONS, **window),
        )

    return await store.read_transaction(work)
