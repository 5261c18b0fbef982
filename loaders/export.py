"""GraphML and CSV exports of the supporter network (`graph-service export`).

The files hold personal data (names, circles, enrolments): they are written readable by their
owner only (mode 0600), and operators treat them as confidential.
"""

from __future__ import annotations

import csv
import errno
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import networkx as nx

from graph_service.ids import to_global_id
from graph_service.spreadsheet import safe_row
from graph_service.store import Row, Store
from graph_service.store.export import Snapshot, snapshot

PRIVATE = 0o600
# The API's type names for the supporter end of a tie, so ids match what coordinators see.
SUPPORTER_TYPES = {"MEMBER": "Member", "PERSON": "Person", "ORGANISATION": "Organisation"}

MEMBER_COLUMNS = ("member_id", "display_name", "status", "member_since")
TIE_COLUMNS = (
    "tie_id",
    "member_id",
    "supporter_id",
    "supporter_kind",
    "supporter_name",
    "relation",
    "status",
    "since",
    "ended_at",
    "reciprocal",
)
ENROLMENT_COLUMNS = (
    "enrolment_id",
    "member_id",
    "course_id",
    "college_id",
    "status",
    "enrolled_on",
    "completed_on",
)


@dataclass(frozen=True)
class GraphmlResult:
    """What a GraphML export wrote."""

    nodes: int
    edges: int


def _text(value: Any) -> str:
    """A property as text: GraphML and CSV have no null, so a missing value is empty."""
    return "" if value is None else str(value)


def _supporter_id(row: Row) -> str:
    return to_global_id(SUPPORTER_TYPES[row["supporterKind"]], row["supporterId"])


@contextmanager
def _private_file(path: Path, mode: str, **options: Any) -> Iterator[IO[Any]]:
    """Open a file for writing that only its owner can read, also when it existed before."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE)
    with os.fdopen(fd, mode, **options) as handle:
        yield handle
    # O_CREAT's mode is ignored for an existing file and masked by the umask: set it outright.
    os.chmod(path, PRIVATE)


def build_graph(rows: Snapshot, *, helped: bool = True) -> nx.MultiDiGraph[str]:
    """The network as a networkx multigraph with GraphML-safe (never None) attributes."""
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for m in rows.members:
        graph.add_node(
            to_global_id("Member", m["id"]),
            label=_text(m["displayName"]),
            kind="member",
            status=_text(m["status"]),
            memberSince=_text(m["memberSince"]),
        )
    for p in rows.people:
        graph.add_node(
            to_global_id("Person", p["id"]), label=_text(p["displayName"]), kind="person"
        )
    for o in rows.organisations:
        graph.add_node(
            to_global_id("Organisation", o["id"]),
            label=_text(o["name"]),
            kind="organisation",
            orgKind=_text(o["kind"]),
        )
    for t in rows.ties:
        graph.add_edge(
            to_global_id("Member", t["memberId"]),
            _supporter_id(t),
            key=to_global_id("Tie", t["id"]),
            type="SUPPORTED_BY",
            relation=_text(t["relation"]),
            status=_text(t["status"]),
            since=_text(t["since"]),
            endedAt=_text(t["endedAt"]),
            reciprocal=bool(t["reciprocal"]),
        )
    for h in rows.help if helped else []:
        graph.add_edge(
            to_global_id("Member", h["fromId"]),
            to_global_id("Member", h["toId"]),
            key=to_global_id("Help", h["id"]),
            type="HELPED",
            kind=_text(h["kind"]),
            confirmed=bool(h["confirmed"]),
            on=_text(h["on"]),
        )
    return graph


async def export_graphml(store: Store, path: Path, *, helped: bool = True) -> GraphmlResult:
    """Write the network as GraphML (for Gephi or Cytoscape); OSError when it cannot."""
    graph = build_graph(await snapshot(store), helped=helped)
    with _private_file(path, "wb") as handle:
        nx.write_graphml(graph, handle)
    return GraphmlResult(graph.number_of_nodes(), graph.number_of_edges())


def _member_rows(rows: Snapshot) -> Iterable[Sequence[str]]:
    for m in rows.members:
        yield (
            to_global_id("Member", m["id"]),
            _text(m["displayName"]),
            _text(m["status"]),
            _text(m["memberSince"]),
        )


def _tie_rows(rows: Snapshot) -> Iterable[Sequence[str]]:
    for t in rows.ties:
        yield (
            to_global_id("Tie", t["id"]),
            to_global_id("Member", t["memberId"]),
            _supporter_id(t),
            t["supporterKind"],
            _text(t["supporterName"]),
            _text(t["relation"]),
            _text(t["status"]),
            _text(t["since"]),
            _text(t["endedAt"]),
            "true" if t["reciprocal"] else "false",
        )


def _enrolment_rows(rows: Snapshot) -> Iterable[Sequence[str]]:
    for e in rows.enrolments:
        yield (
            to_global_id("Enrolment", e["id"]),
            to_global_id("Member", e["memberId"]),
            to_global_id("Course", e["courseId"]),
            to_global_id("College", e["collegeId"]),
            _text(e["status"]),
            _text(e["enrolledOn"]),
            _text(e["completedOn"]),
        )


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[str]]) -> int:
    count = 0
    # newline="" lets the csv module write its own line ends (and newlines inside fields).
    with _private_file(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for row in rows:
            # Names are typed by members: a leading = + - @ must not run in a spreadsheet.
            writer.writerow(safe_row(row))
            count += 1
    return count


def _prepare_directory(directory: Path) -> None:
    """Create the directory if missing; refuse a path that is a file (before reading the graph)."""
    if directory.exists() and not directory.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, "exists and is not a directory", str(directory))
    directory.mkdir(parents=True, exist_ok=True)


def write_csv_files(rows: Snapshot, directory: Path) -> dict[str, int]:
    """Write members.csv, ties.csv and enrolments.csv; rows written per file name."""
    return {
        "members.csv": _write_csv(directory / "members.csv", MEMBER_COLUMNS, _member_rows(rows)),
        "ties.csv": _write_csv(directory / "ties.csv", TIE_COLUMNS, _tie_rows(rows)),
        "enrolments.csv": _write_csv(
            directory / "enrolments.csv", ENROLMENT_COLUMNS, _enrolment_rows(rows)
        ),
    }


async def export_csv(store: Store, directory: Path) -> dict[str, int]:
    """Export the network as CSV files into a directory; OSError when it cannot."""
    _prepare_directory(directory)
    return write_csv_files(await snapshot(store), directory)
