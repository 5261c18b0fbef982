"""Bulk writes for a year of history at once (the demo network): UNWIND batches.

Tie dates and leaving dates are set on what the bulk load made; sessions come with their
registers already taken (or cancelled), then their facilitators, schedules and attendance.
"""

from __future__ import annotations

from typing import Any

from graph_service.store.bulk import write_rows
from graph_service.store.connection import Store

# Anchored on the member (indexed by id), then the tie among their few.
TIE_DATES = """
UNWIND $rows AS r
MATCH (:Member {id: r.member})-[t:SUPPORTED_BY]->()
WHERE t.id = r.id
SET t.since = r.since, t.respondedAt = r.respondedAt, t.endedAt = r.endedAt,
    t.endedFrom = r.endedFrom
"""

LEFT_DATES = """
UNWIND $rows AS r
MATCH (m:Member {id: r.member})
SET m.leftAt = r.leftAt
"""

SCHEDULES = """
UNWIND $rows AS r
CREATE (:SessionSchedule {id: r.id, kind: r.kind, weekdays: r.weekdays, startTime: r.startTime,
                          first: r.first, last: r.last, minutes: r.minutes, venue: r.venue,
                          createdAt: $now, createdBy: 'demo'})
"""

SESSIONS = """
UNWIND $rows AS r
MATCH (s:SessionSchedule {id: r.scheduleId})
CREATE (s)-[:SCHEDULES]->(:ProgrammeSession {id: r.id, kind: r.kind, on: r.on,
        startTime: r.startTime, minutes: r.minutes, venue: r.venue, staff: r.staff,
        scheduleId: r.scheduleId, cancelled: r.cancelled, registerTakenAt: r.takenAt,
        createdAt: $now, createdBy: 'demo'})
"""

FACILITATORS = """
UNWIND $rows AS r
MATCH (p:ProgrammeSession {id: r.session})
MATCH (m:Member {id: r.member})
CREATE (p)-[:FACILITATED_BY]->(m)
"""

ATTENDANCE = """
UNWIND $rows AS r
MATCH (p:ProgrammeSession {id: r.session})
MATCH (m:Member {id: r.member})
CREATE (m)-[:ATTENDED {recordedAt: r.recordedAt, recordedBy: 'demo'}]->(p)
"""


async def tie_dates(store: Store, rows: list[dict[str, Any]]) -> int:
    """Date ties: id, member, since, respondedAt, endedAt, endedFrom."""
    return await write_rows(store, TIE_DATES, rows)


async def left_dates(store: Store, rows: list[dict[str, Any]]) -> int:
    """When members left: member, leftAt."""
    return await write_rows(store, LEFT_DATES, rows)


async def schedules(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create schedules: id, kind, weekdays, startTime, first, last, minutes, venue."""
    return await write_rows(store, SCHEDULES, rows, now=now)


async def sessions(store: Store, rows: list[dict[str, Any]], now: str) -> int:
    """Create sessions of schedules: id, scheduleId, kind, on, startTime, minutes, venue,
    staff, cancelled, takenAt."""
    return await write_rows(store, SESSIONS, rows, now=now)


async def facilitators(store: Store, rows: list[dict[str, Any]]) -> int:
    """Link sessions to member facilitators: session, member."""
    return await write_rows(store, FACILITATORS, rows)


async def attendance(store: Store, rows: list[dict[str, Any]]) -> int:
    """Put members on registers: session, member, recordedAt."""
    return await write_rows(store, ATTENDANCE, rows)
