"""The in-memory projection every analysis reads: one networkx MultiDiGraph built from plain rows.

Nodes: members, people and organisations by their own ids; courses as ``("course", id)`` and
wellness tools as ``("tool", name)`` so they cannot collide with those ids. Every node has a
``kind``; members also have ``status`` and ``member_since`` (a ``date``). Edges have a ``type``:

- ``SUPPORTED_BY`` member -> supporter, keyed by the tie id: ``relation``, ``status``
- ``HELPED`` giver -> receiver: ``confirmed`` (bool), ``on`` (date)
- ``ENROLLED_IN`` member -> course: ``status``, ``enrolled_on``, ``completed_on`` (date or None)
- ``PRACTISES`` member -> tool: nothing else

The programme's sessions held and who came to them are beside the graph, in
``g.graph["programme"]`` (analysis.programme explains why they are not edges).

The rows come from separate bulk queries, so a write between two of them can leave a row that
names a member or supporter the other rows do not have: such rows are skipped, never guessed at.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final, Protocol, TypeAlias

import networkx as nx

from graph_service.analysis.programme import PROGRAMME, Programme, build_programme

NodeId: TypeAlias = str | tuple[str, str]
Projection: TypeAlias = "nx.MultiDiGraph[NodeId]"

MEMBER: Final = "member"
PERSON: Final = "person"
ORGANISATION: Final = "organisation"
COURSE: Final = "course"
TOOL: Final = "tool"

SUPPORTED_BY: Final = "SUPPORTED_BY"
HELPED: Final = "HELPED"
ENROLLED_IN: Final = "ENROLLED_IN"
PRACTISES: Final = "PRACTISES"

ACTIVE: Final = "ACTIVE"
INVITED: Final = "INVITED"
OPEN_TIE_STATUSES: Final = frozenset({INVITED, ACTIVE})
PAID_RELATIONS: Final = frozenset({"PROFESSIONAL", "ORGANISATION"})
WITHDRAWN: Final = "WITHDRAWN"

MemberRow: TypeAlias = tuple[str, str, "str | date"]
SupporterRow: TypeAlias = tuple[str, str]
TieRow: TypeAlias = tuple[str, str, str, str, str]
HelpRow: TypeAlias = tuple[str, str, bool, "str | date"]
EnrolmentRow: TypeAlias = tuple[str, str, str, "str | date", "str | date | None"]
ToolRow: TypeAlias = tuple[str, str]
SessionRow: TypeAlias = tuple[str, "str | date", str]  # (id, on, kind) of a session held
AttendanceRow: TypeAlias = tuple[str, str]  # (member, session)


@dataclass(frozen=True)
class ProjectionRows:
    """The row lists a projection is built from."""

    members: tuple[MemberRow, ...]
    supporters: tuple[SupporterRow, ...]
    ties: tuple[TieRow, ...]
    help: tuple[HelpRow, ...]
    enrolments: tuple[EnrolmentRow, ...]
    tools: tuple[ToolRow, ...]
    sessions: tuple[SessionRow, ...] = ()
    attendance: tuple[AttendanceRow, ...] = ()


def course_node(course_id: str) -> tuple[str, str]:
    """The node id of a course."""
    return (COURSE, course_id)


def tool_node(name: str) -> tuple[str, str]:
    """The node id of a wellness tool."""
    return (TOOL, name)


def add_tie(
    g: Projection, member: str, supporter: str, tie_id: str, relation: str, status: str
) -> None:
    """A SUPPORTED_BY edge, keyed by its tie's id (build and patch write edges alike)."""
    intern = sys.intern
    g.add_edge(
        member,
        supporter,
        key=tie_id,
        type=SUPPORTED_BY,
        relation=intern(relation),
        status=intern(status),
    )


def add_help(g: Projection, giver: str, receiver: str, confirmed: bool, on: date) -> None:
    """A HELPED edge."""
    g.add_edge(giver, receiver, type=HELPED, confirmed=bool(confirmed), on=on)


def add_enrolment(
    g: Projection,
    member: str,
    course: NodeId,
    status: str,
    enrolled_on: date,
    completed_on: date | None,
) -> None:
    """An ENROLLED_IN edge."""
    g.add_edge(
        member,
        course,
        type=ENROLLED_IN,
        status=sys.intern(status),
        enrolled_on=enrolled_on,
        completed_on=completed_on,
    )


def add_practice(g: Projection, member: str, tool: NodeId) -> None:
    """A PRACTISES edge, once: practising a tool is a fact, not a count."""
    if not g.has_edge(member, tool):
        g.add_edge(member, tool, type=PRACTISES)


def programme_of(g: Projection) -> Programme:
    """The programme held beside the projection (empty if it was built without one)."""
    found: Programme = g.graph.setdefault(PROGRAMME, Programme())
    return found


@contextmanager
def cyclic_gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector inside the block or function (restored after)."""
    # Building or scanning 100k members makes millions of containers, and each full collection
    # walks them all: about 40% of a build's time. Reference counting still frees memory as
    # usual meanwhile; the few cycles made (networkx graphs hold views of themselves) wait for
    # the collector to resume.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class Dates:
    """Parses each distinct ISO date once, and hands out one shared ``date`` object for it."""

    def __init__(self) -> None:
        self._seen: dict[str | date, date] = {}

    def __call__(self, value: str | date) -> date:
        # A network has a few thousand distinct dates and hundreds of thousands of uses.
        parsed = self._seen.get(value)
        if parsed is None:
            if isinstance(value, datetime):
                # A datetime is a date as well, but cannot be compared with plain dates.
                parsed = value.date()
            elif isinstance(value, date):
                parsed = value
            else:  # "2026-01-02T10:00:00Z" carries its date in the first 10 characters
                parsed = date.fromisoformat(value[:10])
            self._seen[value] = parsed
        return parsed


@cyclic_gc_paused()
def build_projection(
    members: Iterable[MemberRow],
    supporters: Iterable[SupporterRow],
    ties: Iterable[TieRow],
    help: Iterable[HelpRow],
    enrolments: Iterable[EnrolmentRow],
    tools: Iterable[ToolRow],
    sessions: Iterable[SessionRow] = (),
    attendance: Iterable[AttendanceRow] = (),
) -> Projection:
    """Build the projection from rows (rows naming unknown nodes are skipped)."""
    g: Projection = nx.MultiDiGraph()
    as_date = Dates()
    # One shared string object per id and per vocabulary word: the driver hands a fresh copy
    # in every row, and 100k members' edges would otherwise each hold their own copies.
    members_by_id: dict[str, str] = {}
    intern = sys.intern

    for member_id, status, since in members:
        shared = members_by_id.setdefault(member_id, member_id)
        g.add_node(shared, kind=MEMBER, status=intern(status), member_since=as_date(since))

    nodes_by_id = dict(members_by_id)
    for node_id, kind in supporters:
        if node_id not in nodes_by_id:  # a supporter who is a member is just the member node
            g.add_node(nodes_by_id.setdefault(node_id, node_id), kind=intern(kind))

    for tie_id, member_id, supporter_id, relation, status in ties:
        member, supporter = members_by_id.get(member_id), nodes_by_id.get(supporter_id)
        if member is None or supporter is None:
            continue
        add_tie(g, member, supporter, tie_id, relation, status)

    for giver_id, receiver_id, confirmed, on in help:
        giver, receiver = members_by_id.get(giver_id), members_by_id.get(receiver_id)
        if giver is None or receiver is None:
            continue
        add_help(g, giver, receiver, confirmed, as_date(on))

    courses: dict[str, tuple[str, str]] = {}
    for member_id, course_id, status, enrolled_on, completed_on in enrolments:
        member = members_by_id.get(member_id)
        if member is None:
            continue
        course = courses.get(course_id)
        if course is None:
            course = courses[course_id] = course_node(intern(course_id))
            g.add_node(course, kind=COURSE)
        done = None if completed_on is None else as_date(completed_on)
        add_enrolment(g, member, course, status, as_date(enrolled_on), done)

    tool_nodes: dict[str, tuple[str, str]] = {}
    for member_id, name in tools:
        member = members_by_id.get(member_id)
        if member is None:
            continue
        tool = tool_nodes.get(name)
        if tool is None:
            tool = tool_nodes[name] = tool_node(intern(name))
            g.add_node(tool, kind=TOOL)
        add_practice(g, member, tool)

    g.graph[PROGRAMME] = build_programme(
        ((session_id, as_date(on), kind) for session_id, on, kind in sessions),
        attendance,
        members_by_id.get,
    )
    return g


class Rows(Protocol):
    """Row lists to build from: a ``ProjectionRows``, or the store's reading of the graph."""

    @property
    def members(self) -> Iterable[MemberRow]: ...
    @property
    def supporters(self) -> Iterable[SupporterRow]: ...
    @property
    def ties(self) -> Iterable[TieRow]: ...
    @property
    def help(self) -> Iterable[HelpRow]: ...
    @property
    def enrolments(self) -> Iterable[EnrolmentRow]: ...
    @property
    def tools(self) -> Iterable[ToolRow]: ...
    @property
    def sessions(self) -> Iterable[SessionRow]: ...
    @property
    def attendance(self) -> Iterable[AttendanceRow]: ...


def build_from_rows(rows: Rows) -> Projection:
    """Build the projection from its row lists."""
    return build_projection(
        rows.members,
        rows.supporters,
        rows.ties,
        rows.help,
        rows.enrolments,
        rows.tools,
        rows.sessions,
        rows.attendance,
    )


def members_with_status(g: Projection, statuses: frozenset[str]) -> list[str]:
    """The ids of members whose status is one of ``statuses``."""
    return [
        n
        for n, data in g.nodes(data=True)
        if data["kind"] == MEMBER and data["status"] in statuses and isinstance(n, str)
    ]


def member_edges(g: Projection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(from, to, attributes) of every SUPPORTED_BY and HELPED edge."""
    # adjacency() hands out networkx's own dicts, with no view object per edge, and the
    # course and tool edges (about a third) are passed over without reading them.
    for u, neighbours in g.adjacency():
        if not isinstance(u, str):
            continue
        for v, keyed in neighbours.items():
            if isinstance(v, str):  # courses and tools have tuple ids: skipped unread
                for data in keyed.values():
                    yield u, v, data


def tie_edges(g: Projection) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(member, supporter, attributes) of every SUPPORTED_BY edge."""
    return ((u, v, data) for u, v, data in member_edges(g) if data["type"] == SUPPORTED_BY)
