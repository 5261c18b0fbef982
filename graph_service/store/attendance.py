"""Cypher for attendance: (:Member)-[:ATTENDED {recordedAt, recordedBy}]->(:ProgrammeSession).

A session's register is taken as a whole (the members ticked, and only them); an import adds
rows to registers. Reads give a member's own sessions and a group's regulars (the analyses read
attendance in bulk through store.projection).
"""

from __future__ import annotations

from datetime import date

from graph_service.domain_programme import Attendance, Person
from graph_service.store.connection import Row, Store, Tx
from graph_service.store.programme import facilitators_of, to_session

# Writing to the session first makes two registers taken at once conflict and retry.
LOCK_SESSION = """
MATCH (p:ProgrammeSession {id: $id})
SET p.registerVersion = coalesce(p.registerVersion, 0) + 1
RETURN p.id AS id
"""

PRESENT = """
MATCH (m:Member)-[:ATTENDED]->(:ProgrammeSession {id: $id})
RETURN m.id AS id, m.displayName AS name
ORDER BY toLower(m.displayName), m.id
"""

DROP_ABSENT = """
MATCH (m:Member)-[a:ATTENDED]->(:ProgrammeSession {id: $id})
WHERE NOT m.id IN $present
DELETE a
"""

ADD_PRESENT = """
MATCH (p:ProgrammeSession {id: $id})
UNWIND $present AS wanted
MATCH (m:Member {id: wanted})
MERGE (m)-[a:ATTENDED]->(p)
ON CREATE SET a.recordedAt = $now, a.recordedBy = $by
"""

MARK_TAKEN = """
UNWIND $ids AS wanted
MATCH (p:ProgrammeSession {id: wanted})
SET p.registerTakenAt = $now, p.registerTakenBy = $by
"""

# Members who came to this kind of session in the weeks before: the register's tick list.
REGULARS = """
MATCH (m:Member)-[:ATTENDED]->(p:ProgrammeSession)
WHERE p.kind = $kind AND p.on >= $since AND p.on <= $until AND m.status = 'ACTIVE'
RETURN m.id AS id, m.displayName AS name, count(p) AS times
ORDER BY toLower(m.displayName), m.id
"""

ATTENDED_BY = """
UNWIND $ids AS wanted
MATCH (:Member {id: wanted})-[a:ATTENDED]->(p:ProgrammeSession)
RETURN wanted AS memberId, a.recordedAt AS recordedAt,
       p{.id, .kind, .on, .startTime, .minutes, .venue, .staff, .cancelled,
         .registerTakenAt, .scheduleId} AS session,
       COUNT { MATCH (:Member)-[:ATTENDED]->(p) } AS attended
ORDER BY p.on DESC, p.startTime DESC, p.id
"""

EXISTING = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})-[:ATTENDED]->(p:ProgrammeSession {id: r.session})
RETURN m.id AS member, p.id AS session
"""

IMPORT = """
UNWIND $rows AS r
MATCH (p:ProgrammeSession {id: r.session})
MATCH (m:Member {id: r.member})
WHERE NOT EXISTS { MATCH (m)-[:ATTENDED]->(p) }
CREATE (m)-[:ATTENDED {recordedAt: $now, recordedBy: $by}]->(p)
RETURN count(*) AS created
"""


async def present(store: Store, session_id: str) -> list[Person]:
    """The members on a session's register."""
    return [Person(row["id"], row["name"]) for row in await store.read(PRESENT, id=session_id)]


async def take_register(
    store: Store, session_id: str, member_ids: list[str], *, now: str, by: str
) -> tuple[set[str], set[str]] | None:
    """Make the register exactly these members: (added, removed) ids; None without the session."""

    async def work(tx: Tx) -> tuple[set[str], set[str]] | None:
        if not await tx.run(LOCK_SESSION, id=session_id):
            return None
        before = {row["id"] for row in await tx.run(PRESENT, id=session_id)}
        await tx.run(DROP_ABSENT, id=session_id, present=member_ids)
        await tx.run(ADD_PRESENT, id=session_id, present=member_ids, now=now, by=by)
        await tx.run(MARK_TAKEN, ids=[session_id], now=now, by=by)
        wanted = set(member_ids)
        return wanted - before, before - wanted

    return await store.transaction(work)


async def regulars(store: Store, kind: str, since: date, until: date) -> list[Person]:
    """Active members who came to this kind of session between two dates."""
    rows = await store.read(REGULARS, kind=kind, since=since.isoformat(), until=until.isoformat())
    return [Person(row["id"], row["name"]) for row in rows]


async def attended_by(store: Store, member_ids: list[str]) -> dict[str, list[Attendance]]:
    """Each member's sessions, newest first."""
    rows: list[Row] = await store.read(ATTENDED_BY, ids=list(dict.fromkeys(member_ids)))
    people = await facilitators_of(store, [r["session"]["id"] for r in rows]) if rows else {}
    found: dict[str, list[Attendance]] = {member_id: [] for member_id in member_ids}
    for row in rows:
        session = to_session(row, people.get(row["session"]["id"], ()))
        found[row["memberId"]].append(Attendance(row["memberId"], session, row["recordedAt"]))
    return found


async def existing(store: Store, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Which (member id, session id) pairs are on registers already."""
    rows = await store.read(EXISTING, rows=[{"member": m, "session": s} for m, s in pairs])
    return {(row["member"], row["session"]) for row in rows}


async def import_batch(store: Store, pairs: list[tuple[str, str]], *, now: str, by: str) -> int:
    """Add (member id, session id) pairs to registers; how many were new."""

    async def work(tx: Tx) -> int:
        rows = [{"member": m, "session": s} for m, s in pairs]
        created = await tx.run(IMPORT, rows=rows, now=now, by=by)
        await tx.run(MARK_TAKEN, ids=sorted({s for _, s in pairs}), now=now, by=by)
        return int(created[0]["created"]) if created else 0

    return await store.transaction(work)
