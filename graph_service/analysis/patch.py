"""Patching a projection in place with some members' current rows, after a change.

A change names the members it touched; their rows (node, ties both ways, help both ways,
enrolments, tools, sessions attended) are read again and replace what the projection held about
them. A change to the programme (a register taken, a session cancelled) re-reads the sessions
held, with who came to each, and replaces those (`patch_sessions`). Rows are the graph as it is
now, so applying changes twice, late or out of order still ends where a full build would: the
property test (tests/test_live_projection.py) holds it to that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import TypeAlias

from graph_service.analysis.projection import (
    ACTIVE,
    ATTENDED,
    COURSE,
    ENROLLED_IN,
    HELPED,
    MEMBER,
    ORGANISATION,
    PERSON,
    PRACTISES,
    SESSION,
    SUPPORTED_BY,
    TOOL,
    Dates,
    NodeId,
    Projection,
    add_session,
    course_node,
    session_node,
    session_nodes,
    tool_node,
)

# (tie id, member, supporter, relation, status, whether the supporter is a member)
TouchedTie: TypeAlias = tuple[str, str, str, str, str, bool]
TouchedHelp: TypeAlias = tuple[str, str, str, bool, "str | date"]  # (id, giver, receiver, ...)
MemberRow: TypeAlias = tuple[str, str, "str | date"]
EnrolmentRow: TypeAlias = tuple[str, str, str, "str | date", "str | date | None"]
# (id, on, kind, who came) of a session held
HeldSession: TypeAlias = tuple[str, "str | date", str, Sequence[str]]


def is_member(g: Projection, node: NodeId) -> bool:
    """Whether the projection holds ``node`` as a member."""
    data = g.nodes.get(node)
    return data is not None and data.get("kind") == MEMBER


def neighbours(g: Projection, ids: Iterable[str]) -> set[str]:
    """Members, people and organisations joined to any of ``ids`` by a tie or help, either way."""
    found: set[str] = set()
    for node in ids:
        if node in g:
            found.update(v for v in g.succ[node] if isinstance(v, str))
            found.update(u for u in g.pred[node] if isinstance(u, str))
    return found


def linked(g: Projection, member: str, statuses: frozenset[str]) -> Iterator[str]:
    """Members joined to ``member`` by an ACTIVE tie either way, both with one of ``statuses``."""
    nodes = g.nodes
    for side in (g.succ[member], g.pred[member]):
        for other, keyed in side.items():
            if not isinstance(other, str):
                continue
            data = nodes[other]
            if data["kind"] != MEMBER or data["status"] not in statuses:
                continue
            if any(e["type"] == SUPPORTED_BY and e["status"] == ACTIVE for e in keyed.values()):
                yield other


def missing_members(
    g: Projection,
    members: Iterable[MemberRow],
    ties: Iterable[TouchedTie],
    help: Iterable[TouchedHelp],
) -> set[str]:
    """Members the rows name that the projection lacks and the rows do not bring.

    Registered by another replica whose change has not arrived yet: read their rows too, or
    their ties would point at nothing.
    """
    brought = {row[0] for row in members}
    named: set[str] = set()
    for _, member, supporter, _, _, supporter_is_member in ties:
        named.add(member)
        if supporter_is_member:
            named.add(supporter)
    for _, giver, receiver, _, _ in help:
        named.update((giver, receiver))
    return {m for m in named - brought if not is_member(g, m)}


def patch_projection(
    g: Projection,
    ids: Iterable[str],
    members: Iterable[MemberRow],
    ties: Iterable[TouchedTie],
    help: Iterable[TouchedHelp],
    enrolments: Iterable[EnrolmentRow],
    tools: Iterable[tuple[str, str]],
    attendance: Iterable[tuple[str, str]] = (),
) -> None:
    """Replace what ``g`` holds about the members ``ids`` with their rows (absent: erased)."""
    asked = set(ids)
    as_date = Dates()
    intern = sys.intern
    # Supporters, courses and tools exist in a projection only while something points at them.
    around: set[NodeId] = set()
    for node in asked:
        if node in g:
            around.update(v for v in g.succ[node] if not is_member(g, v))
            g.remove_edges_from([*g.out_edges(node, keys=True), *g.in_edges(node, keys=True)])
    rows = {row[0]: row for row in members}
    for node in asked - rows.keys():
        if node in g and is_member(g, node):
            g.remove_node(node)
    for member, status, since in rows.values():
        if member not in g:
            g.add_node(member)
        data = g.nodes[member]
        data.clear()
        data.update(kind=MEMBER, status=intern(status), member_since=as_date(since))

    for tie, member, supporter, relation, status, supporter_is_member in ties:
        if not is_member(g, member):
            continue
        if supporter_is_member:
            if not is_member(g, supporter):
                continue  # unknown yet: missing_members names them for reading
        elif supporter not in g:
            kind = ORGANISATION if relation == "ORGANISATION" else PERSON
            g.add_node(supporter, kind=intern(kind))
        g.add_edge(
            member,
            supporter,
            key=tie,
            type=SUPPORTED_BY,
            relation=intern(relation),
            status=intern(status),
        )
    for _, giver, receiver, confirmed, on in help:
        if is_member(g, giver) and is_member(g, receiver):
            g.add_edge(giver, receiver, type=HELPED, confirmed=bool(confirmed), on=as_date(on))
    for member, course_id, status, enrolled_on, completed_on in enrolments:
        if not is_member(g, member):
            continue
        course = course_node(intern(course_id))
        if course not in g:
            g.add_node(course, kind=COURSE)
        g.add_edge(
            member,
            course,
            type=ENROLLED_IN,
            status=intern(status),
            enrolled_on=as_date(enrolled_on),
            completed_on=None if completed_on is None else as_date(completed_on),
        )
    for member, name in tools:
        tool = tool_node(intern(name))
        if not is_member(g, member):
            continue
        if tool not in g:
            g.add_node(tool, kind=TOOL)
        if not g.has_edge(member, tool):
            g.add_edge(member, tool, type=PRACTISES)
    for member, session_id in attendance:
        session = session_node(session_id)
        # A session not held (or whose change has not arrived yet) is not in the projection.
        if is_member(g, member) and session in g and not g.has_edge(member, session):
            g.add_edge(member, session, type=ATTENDED)
    for orphan in around:
        # Not g.degree: a course's sums thousands of enrolments; emptiness is what matters.
        # Sessions stay while they are held, whoever came (`patch_sessions` removes them).
        if (
            orphan in g
            and not g.pred[orphan]
            and not g.succ[orphan]
            and g.nodes[orphan]["kind"] not in (MEMBER, SESSION)
        ):
            g.remove_node(orphan)


def patch_sessions(g: Projection, held: Iterable[HeldSession]) -> set[str]:
    """Make ``g``'s sessions and registers these; the members whose programme changed.

    Those are the members added to or taken off a register, and everyone who came to a session
    of a kind whose run of sessions changed (one held, cancelled or moved): who stopped
    attending is judged on that run.
    """
    as_date = Dates()
    known = session_nodes(g)
    wanted = {session_node(row[0]): row for row in held}
    kinds: set[str] = set()
    touched: set[str] = set()
    for node in [n for n in known if n not in wanted]:
        kinds.add(g.nodes[node]["session_kind"])
        touched.update(m for m in g.pred[node] if isinstance(m, str))
        g.remove_node(node)
        del known[node]
    for node, (session_id, on, kind, came) in wanted.items():
        day = as_date(on)
        data = g.nodes.get(node)
        if data is None or data["on"] != day or data["session_kind"] != kind:
            if data is not None:
                kinds.add(data["session_kind"])
            kinds.add(kind)
            add_session(g, session_id, day, kind)
        before = {m for m in g.pred[node] if isinstance(m, str)}
        after = {m for m in came if is_member(g, m)}
        for member in before - after:
            g.remove_edge(member, node)
        for member in after - before:
            g.add_edge(member, node, type=ATTENDED)
        touched.update(before ^ after)
    if kinds:
        for node in known:
            if g.nodes[node]["session_kind"] in kinds:
                touched.update(m for m in g.pred[node] if isinstance(m, str))
    return touched
