"""Cypher for the programme: session kinds, sessions, recurring schedules and facilitators.

(:SessionKind {name}); (:ProgrammeSession {id, kind, on, startTime, minutes, venue, staff,
cancelled, registerTakenAt, scheduleId})-[:FACILITATED_BY]->(:Member);
(:SessionSchedule {id, kind, weekdays, startTime, first, last, ...})-[:SCHEDULES]->(session).
Dates are ISO strings (they sort as dates), times "HH:MM".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Any

from graph_service.domain_programme import Person, ProgrammeSession
from graph_service.store.connection import Row, Store, Tx

ENSURE_KIND = "MERGE (k:SessionKind {name: $name}) RETURN k.name AS name"

KINDS = "MATCH (k:SessionKind) RETURN k.name AS name ORDER BY toLower(k.name)"

CREATE_SCHEDULE = """
CREATE (s:SessionSchedule {id: $id, kind: $kind, weekdays: $weekdays, startTime: $startTime,
                           first: $first, last: $last, minutes: $minutes, venue: $venue,
                           createdAt: $now, createdBy: $by})
RETURN s.id AS id
"""

CREATE_SESSIONS = """
UNWIND $sessions AS s
CREATE (p:ProgrammeSession {id: s.id, kind: s.kind, on: s.on, startTime: s.startTime,
                            minutes: s.minutes, venue: s.venue, staff: s.staff,
                            scheduleId: s.scheduleId, cancelled: false,
                            createdAt: $now, createdBy: $by})
RETURN count(p) AS created
"""

LINK_SCHEDULE = """
MATCH (s:SessionSchedule {id: $scheduleId})
UNWIND $sessionIds AS sid
MATCH (p:ProgrammeSession {id: sid})
MERGE (s)-[:SCHEDULES]->(p)
"""

LINK_FACILITATORS = """
UNWIND $sessionIds AS sid
MATCH (p:ProgrammeSession {id: sid})
UNWIND $facilitators AS fid
MATCH (m:Member {id: fid})
MERGE (p)-[:FACILITATED_BY]->(m)
"""

SCHEDULE_SIZE = """
MATCH (:SessionSchedule {id: $scheduleId})-[:SCHEDULES]->(p:ProgrammeSession)
RETURN count(p) AS sessions
"""

SESSIONS_BY_IDS = """
UNWIND $ids AS wanted
MATCH (p:ProgrammeSession {id: wanted})
RETURN p{.id, .kind, .on, .startTime, .minutes, .venue, .staff, .cancelled,
         .registerTakenAt, .scheduleId} AS session,
       COUNT { MATCH (:Member)-[:ATTENDED]->(p) } AS attended
"""

# $facilitator null: every session; else only those this member leads.
SESSIONS_BETWEEN = """
MATCH (p:ProgrammeSession)
WHERE p.on >= $first AND p.on <= $last
  AND ($facilitator IS NULL
       OR EXISTS { MATCH (p)-[:FACILITATED_BY]->(:Member {id: $facilitator}) })
RETURN p{.id, .kind, .on, .startTime, .minutes, .venue, .staff, .cancelled,
         .registerTakenAt, .scheduleId} AS session,
       COUNT { MATCH (:Member)-[:ATTENDED]->(p) } AS attended
ORDER BY p.on, p.startTime, p.id
SKIP $skip LIMIT $limit
"""

COUNT_SESSIONS_BETWEEN = """
MATCH (p:ProgrammeSession)
WHERE p.on >= $first AND p.on <= $last
  AND ($facilitator IS NULL
       OR EXISTS { MATCH (p)-[:FACILITATED_BY]->(:Member {id: $facilitator}) })
RETURN count(p) AS total
"""

FACILITATORS_OF = """
UNWIND $ids AS wanted
MATCH (:ProgrammeSession {id: wanted})-[:FACILITATED_BY]->(m:Member)
RETURN wanted AS sessionId, m.id AS id, m.displayName AS name
ORDER BY toLower(m.displayName), m.id
"""

# A register already taken keeps its session: it happened.
CANCEL_SESSION = """
MATCH (p:ProgrammeSession {id: $id})
WHERE NOT EXISTS { MATCH (:Member)-[:ATTENDED]->(p) }
SET p.cancelled = true, p.cancelledAt = $now
RETURN p.id AS id
"""


@dataclass(frozen=True)
class SessionRow:
    """A session to create: the store's own view of it."""

    id: str
    kind: str
    on: date
    start_time: time
    minutes: int
    venue: str
    staff: tuple[str, ...]


def _time(value: str) -> time:
    return time.fromisoformat(value)


def to_session(row: Row, facilitators: tuple[Person, ...] = ()) -> ProgrammeSession:
    """A ProgrammeSession from a session row (and its facilitators, read separately)."""
    s = row["session"]
    return ProgrammeSession(
        id=s["id"],
        kind=s["kind"],
        on=date.fromisoformat(s["on"]),
        start_time=_time(s["startTime"]),
        minutes=int(s["minutes"]),
        venue=s["venue"],
        facilitators=facilitators,
        staff=tuple(s.get("staff") or ()),
        cancelled=bool(s.get("cancelled")),
        register_taken_at=s.get("registerTakenAt"),
        attended=int(row["attended"]),
        schedule_id=s.get("scheduleId"),
    )


async def ensure_kind(store: Store, name: str) -> str:
    """Add a kind of session to the list unless it is there."""
    rows = await store.write(ENSURE_KIND, name=name)
    return str(rows[0]["name"])


async def kinds(store: Store) -> list[str]:
    """Every kind of session on the list."""
    return [str(row["name"]) for row in await store.read(KINDS)]


def _param(row: SessionRow, schedule_id: str | None) -> dict[str, Any]:
    return {
        "id": row.id,
        "kind": row.kind,
        "on": row.on.isoformat(),
        "startTime": row.start_time.strftime("%H:%M"),
        "minutes": row.minutes,
        "venue": row.venue,
        "staff": list(row.staff),
        "scheduleId": schedule_id,
    }


async def create_sessions(
    store: Store,
    rows: list[SessionRow],
    facilitator_ids: list[str],
    *,
    now: str,
    by: str,
    schedule: dict[str, Any] | None = None,
) -> None:
    """Create sessions (with their schedule, when given) and link their facilitators."""

    async def work(tx: Tx) -> None:
        schedule_id = schedule["id"] if schedule else None
        if schedule is not None:
            await tx.run(CREATE_SCHEDULE, **schedule, now=now, by=by)
        params = [_param(row, schedule_id) for row in rows]
        await tx.run(CREATE_SESSIONS, sessions=params, now=now, by=by)
        if schedule_id is not None:
            await tx.run(LINK_SCHEDULE, scheduleId=schedule_id, sessionIds=[r.id for r in rows])
        if facilitator_ids:
            await tx.run(
                LINK_FACILITATORS, sessionIds=[r.id for r in rows], facilitators=facilitator_ids
            )

    await store.transaction(work)


async def facilitators_of(store: Store, session_ids: list[str]) -> dict[str, tuple[Person, ...]]:
    """Each session's member facilitators."""
    found: dict[str, list[Person]] = {sid: [] for sid in session_ids}
    for row in await store.read(FACILITATORS_OF, ids=list(dict.fromkeys(session_ids))):
        found[row["sessionId"]].append(Person(row["id"], row["name"]))
    return {sid: tuple(people) for sid, people in found.items()}


async def _with_facilitators(store: Store, rows: list[Row]) -> list[ProgrammeSession]:
    people = await facilitators_of(store, [row["session"]["id"] for row in rows]) if rows else {}
    return [to_session(row, people.get(row["session"]["id"], ())) for row in rows]


async def sessions_by_ids(store: Store, ids: list[str]) -> dict[str, ProgrammeSession]:
    """Sessions by id (missing ids are left out)."""
    rows = await store.read(SESSIONS_BY_IDS, ids=list(dict.fromkeys(ids)))
    return {s.id: s for s in await _with_facilitators(store, rows)}


async def sessions_between(
    store: Store,
    first: date,
    last: date,
    *,
    facilitator: str | None,
    offset: int,
    limit: int,
) -> tuple[list[ProgrammeSession], int]:
    """One page of the sessions between two dates (only a member's own, with ``facilitator``)."""
    window = {"first": first.isoformat(), "last": last.isoformat(), "facilitator": facilitator}
    rows = await store.read(SESSIONS_BETWEEN, **window, skip=offset, limit=limit)
    total = await store.read(COUNT_SESSIONS_BETWEEN, **window)
    return await _with_facilitators(store, rows), int(total[0]["total"])


async def schedule_size(store: Store, schedule_id: str) -> int:
    """How many sessions a schedule made (0 for no such schedule)."""
    rows = await store.read(SCHEDULE_SIZE, scheduleId=schedule_id)
    return int(rows[0]["sessions"]) if rows else 0


async def cancel_session(store: Store, session_id: str, now: str) -> bool:
    """Cancel a session; False when it is missing or has a register."""
    return bool(await store.write(CANCEL_SESSION, id=session_id, now=now))
