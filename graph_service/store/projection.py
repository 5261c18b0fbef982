"""Bulk reads that project the graph for the analyses: the whole of it (a few statements, no
per-row work), or only some members' rows, to patch a projection after a change."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, LiteralString

from graph_service.store.connection import Store, Tx

MEMBERS = "MATCH (m:Member) RETURN collect([m.id, m.status, m.memberSince]) AS rows"

TIES = """
MATCH (m:Member)-[t:SUPPORTED_BY]->(s)
RETURN collect([t.id, m.id, s.id, t.relation, t.status]) AS rows
"""

HELP = """
MATCH (a:Member)-[h:HELPED]->(b:Member)
RETURN collect([a.id, b.id, h.confirmed, h.on]) AS rows
"""

ENROLMENTS = """
MATCH (m:Member)-[e:ENROLLED_IN]->(k:Course)
RETURN collect([m.id, k.id, e.status, e.enrolledOn, e.completedOn]) AS rows
"""

TOOLS = "MATCH (m:Member)-[:PRACTISES]->(t:WellnessTool) RETURN collect([m.id, t.name]) AS rows"

# The sessions that took place (a register taken, not cancelled). A change to the programme
# re-reads these alone: they are a few hundred a year, while their registers grow with the
# network (a register's change names the members it put on or took off, whose own rows say
# what they came to).
HELD = """
MATCH (p:ProgrammeSession)
WHERE p.registerTakenAt IS NOT NULL AND p.cancelled = false
RETURN collect([p.id, p.on, p.kind]) AS rows
"""

# Who came to some sessions: read a few sessions at a time, because a large network's
# registers hold over a million ids and decoding them in one record doubled the peak memory.
REGISTERS = """
UNWIND $ids AS wanted
MATCH (p:ProgrammeSession {id: wanted})
RETURN collect([p.id, [(p)<-[:ATTENDED]-(m:Member) | m.id]]) AS rows
"""
REGISTERS_AT_ONCE = 16

# A member, their ties both ways, help both ways, enrolments and tools: one statement for any
# number of members (pattern comprehensions, so no row multiplies another). Every pattern
# starts from the member: the embedded engine walks from the left-hand node, and a pattern
# ending on it (`(u)-[]->(m)`) scans every relationship of the type, 40 times slower at 2,000
# members. Only members support and help, so the far ends need no label.
OF_MEMBERS = """
UNWIND $ids AS wanted
MATCH (m:Member {id: wanted})
RETURN collect([m.id, m.status, m.memberSince,
  [(m)-[t:SUPPORTED_BY]->(s) | [t.id, s.id, t.relation, t.status, s:Member]],
  [(m)<-[t:SUPPORTED_BY]-(u) | [t.id, u.id, t.relation, t.status]],
  [(m)-[h:HELPED]->(b) | [h.id, b.id, h.confirmed, h.on]],
  [(m)<-[h:HELPED]-(a) | [h.id, a.id, h.confirmed, h.on]],
  [(m)-[e:ENROLLED_IN]->(k) | [k.id, e.status, e.enrolledOn, e.completedOn]],
  [(m)-[:PRACTISES]->(w) | w.name],
  [(m)-[:ATTENDED]->(p) | p.id]]) AS rows
"""

NAMES = """
UNWIND $ids AS wanted
OPTIONAL MATCH (p:Person {id: wanted})
OPTIONAL MATCH (o:Organisation {id: wanted})
WITH wanted, coalesce(p.displayName, o.name) AS name
WHERE name IS NOT NULL
RETURN collect([wanted, name]) AS rows
"""


@dataclass(frozen=True)
class GraphRows:
    """The graph as rows: what build_projection takes."""

    members: list[tuple[str, str, str]]
    supporters: list[tuple[str, str]]
    ties: list[tuple[str, str, str, str, str]]
    help: list[tuple[str, str, bool, str]]
    enrolments: list[tuple[str, str, str, str, str | None]]
    tools: list[tuple[str, str]]
    sessions: list[tuple[str, str, str]]  # (id, on, kind) of the sessions held
    registers: list[tuple[str, tuple[str, ...]]]  # (session, who came)

    @property
    def attendance(self) -> Iterator[tuple[str, str]]:
        """(member, session) of every attendance, made as they are read."""
        return ((member, session) for session, came in self.registers for member in came)


@dataclass(frozen=True)
class MemberRows:
    """Some members' rows: what patch_projection takes (absent members were erased)."""

    members: list[tuple[str, str, str]]
    # (tie id, member, supporter, relation, status, whether the supporter is a member)
    ties: list[tuple[str, str, str, str, str, bool]]
    help: list[tuple[str, str, str, bool, str]]  # (id, giver, receiver, confirmed, on)
    enrolments: list[tuple[str, str, str, str, str | None]]
    tools: list[tuple[str, str]]
    # (member, session) of every session they came to, held or not: the projection keeps
    # those it holds (held ones) and leaves the rest.
    attendance: list[tuple[str, str]]


SessionRows = list[tuple[str, str, str]]  # (id, on, kind) of the sessions held


async def _tuples(tx: Tx, query: LiteralString) -> list[Any]:
    # One record holding a list is several times faster to stream than one record per row.
    return [tuple(row) for row in await tx.value(query)]


async def _read(store: Store, query: LiteralString) -> list[Any]:
    async def work(tx: Tx) -> list[Any]:
        return await _tuples(tx, query)

    return await store.read_transaction(work)


async def load_rows(store: Store) -> GraphRows:
    """Read the whole graph: five statements and the programme's reads, run side by side.

    Separate transactions are not one snapshot: a row naming a node written in between is
    skipped by the projection builder, and the write bumps the version so the next report
    reloads anyway. Side by side they take about a quarter less time on two cores.
    """
    members, ties, help_rows, enrolments, tools, (sessions, registers) = await asyncio.gather(
        _read(store, MEMBERS),
        _read(store, TIES),
        _read(store, HELP),
        _read(store, ENROLMENTS),
        _read(store, TOOLS),
        _programme(store),
    )
    # The relation tells the kind (ORGANISATION is for organisations and only them), which
    # saves a query with a label test per supporter.
    member_ids = {row[0] for row in members}
    kinds = {
        supporter: "organisation" if relation == "ORGANISATION" else "person"
        for _, _, supporter, relation, _ in ties
        if supporter not in member_ids
    }
    return GraphRows(
        members=members,
        supporters=list(kinds.items()),
        ties=ties,
        help=[(a, b, bool(c), on) for a, b, c, on in help_rows],
        enrolments=enrolments,
        tools=tools,
        sessions=sessions,
        registers=registers,
    )


async def _programme(
    store: Store,
) -> tuple[list[tuple[str, str, str]], list[tuple[str, tuple[str, ...]]]]:
    """The sessions held, and who came to each (each id kept once, whatever it came to)."""
    held: list[tuple[str, str, str]] = await _read(store, HELD)
    registers: list[tuple[str, tuple[str, ...]]] = []
    intern = sys.intern
    for start in range(0, len(held), REGISTERS_AT_ONCE):
        ids = [row[0] for row in held[start : start + REGISTERS_AT_ONCE]]

        async def work(tx: Tx, ids: list[str] = ids) -> list[Any]:
            return list(await tx.value(REGISTERS, ids=ids))

        for session, came in await store.read_transaction(work):
            registers.append((session, tuple(intern(member) for member in came)))
    return held, registers


async def held_sessions(store: Store) -> SessionRows:
    """Every session held: to patch the projection after a change to the programme."""
    return await _read(store, HELD)


async def rows_of_members(store: Store, ids: list[str]) -> MemberRows:
    """The rows of these members, read in one statement (one snapshot)."""
    found = await store.read(OF_MEMBERS, ids=list(dict.fromkeys(ids)))
    rows = found[0]["rows"] if found else []
    members: list[tuple[str, str, str]] = []
    # By id: a tie or help record between two of the members comes once from each side.
    ties: dict[str, tuple[str, str, str, str, str, bool]] = {}
    help_rows: dict[str, tuple[str, str, str, bool, str]] = {}
    enrolments: list[tuple[str, str, str, str, str | None]] = []
    tools: list[tuple[str, str]] = []
    attendance: list[tuple[str, str]] = []
    for member, status, since, out, into, gave, got, enrolled, practised, came in rows:
        members.append((member, status, since))
        for tie, supporter, relation, tie_status, is_member in out:
            ties[tie] = (tie, member, supporter, relation, tie_status, bool(is_member))
        for tie, supported, relation, tie_status in into:
            ties[tie] = (tie, supported, member, relation, tie_status, True)
        for help_id, receiver, confirmed, on in gave:
            help_rows[help_id] = (help_id, member, receiver, bool(confirmed), on)
        for help_id, giver, confirmed, on in got:
            help_rows[help_id] = (help_id, giver, member, bool(confirmed), on)
        enrolments.extend((member, *row) for row in enrolled)
        tools.extend((member, name) for name in practised)
        attendance.extend((member, session) for session in came)
    return MemberRows(
        members, list(ties.values()), list(help_rows.values()), enrolments, tools, attendance
    )


async def names_of(store: Store, ids: list[str]) -> dict[str, str]:
    """Display names of people, members and organisations, by id (the unknown left out)."""
    if not ids:
        return {}
    wanted = list(dict.fromkeys(ids))

    async def work(tx: Tx) -> dict[str, str]:
        # One record holding the pairs: far cheaper to decode than a record per name.
        return {id_: name for id_, name in await tx.value(NAMES, ids=wanted)}

    return await store.read_transaction(work)
