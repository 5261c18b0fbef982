"""Patching a projection in place with some members' current rows, after a change.

A change names the members it touched; their rows (node, ties both ways, help both ways,
enrolments, tools, sessions attended) are read again and replace what the projection held about
them. A change to the programme (a register taken, a session cancelled) also re-reads the list
of sessions held and replaces it (`patch_sessions`). Rows are the graph as it is
now, so applying changes twice, late or out of order still ends where a full build would: the
property test (tests/test_live_projection.py) holds it to that.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from datetime import date
from typing import TypeAlias

from graph_service.analysis.projection import (
    ACTIVE,
    COURSE,
    MEMBER,
    ORGANISATION,
    PERSON,
    SUPPORTED_BY,
    TOOL,
    Dates,
    NodeId,
    Projection,
    add_enrolment,
    add_help,
    add_practice,
    add_tie,
    course_node,
    programme_of,
    tool_node,
)

# (tie id, member, supporter, relation, status, whether the supporter is a member)
TouchedTie: TypeAlias = tuple[str, str, str, str, str, bool]
TouchedHelp: TypeAlias = tuple[str, str, str, bool, "str | date"]  # (id, giver, receiver, ...)
MemberRow: TypeAlias = tuple[str, str, "str | date"]
EnrolmentRow: TypeAlias = tuple[str, str, str, "str | date", "str | date | None"]
HeldSession: TypeAlias = tuple[str, "str | date", str]  # (id, on, kind) of a session held


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
        add_tie(g, member, supporter, tie, relation, status)
    for _, giver, receiver, confirmed, on in help:
        if is_member(g, giver) and is_member(g, receiver):
            add_help(g, giver, receiver, confirmed, as_date(on))
    for member, course_id, status, enrolled_on, completed_on in enrolments:
        if not is_member(g, member):
            continue
        course = course_node(intern(course_id))
        if course not in g:
            g.add_node(course, kind=COURSE)
        done = None if completed_on is None else as_date(completed_on)
        add_enrolment(g, member, course, status, as_date(enrolled_on), done)
    for member, name in tools:
        tool = tool_node(intern(name))
        if not is_member(g, member):
            continue
        if tool not in g:
            g.add_node(tool, kind=TOOL)
        add_practice(g, member, tool)
    programme = programme_of(g)
    came: dict[str, list[str]] = {}
    for member, session_id in attendance:
        came.setdefault(member, []).append(session_id)
    for member in asked:
        # Sessions not held (or whose change has not arrived yet) are left out.
        if is_member(g, member):
            programme.set_attended(member, came.get(member, ()))
        else:
            programme.drop_member(member)
    for orphan in around:
        # Not g.degree: a course's sums thousands of enrolments; emptiness is what matters.
        if orphan in g and not g.pred[orphan] and not g.succ[orphan] and not is_member(g, orphan):
            g.remove_node(orphan)


def patch_sessions(g: Projection, held: Iterable[HeldSession]) -> set[str]:
    """Make ``g``'s sessions held these; the members to judge again (Programme explains)."""
    return programme_of(g).replace_sessions(held, Dates())
