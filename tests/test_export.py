"""GraphML and CSV exports: round trips through networkx and the csv module, and the CLI."""

from __future__ import annotations

import csv
import stat
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TypeVar

import networkx as nx
import pytest

from graph_service.auth import Principal, Role
from graph_service.domain import HelpKind, Relation, Tie
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.store import Store
from loaders.export import (
    ENROLMENT_COLUMNS,
    MEMBER_COLUMNS,
    TIE_COLUMNS,
    export_csv,
    export_graphml,
)
from tests.test_cli import _env

COORDINATOR = Principal(Role.COORDINATOR)
T = TypeVar("T")
AWKWARD = 'Brían "Bee", Jr.'  # a comma, quotes and a non-ASCII letter


@dataclass
class Network:
    """The small network the tests export: ids are internal."""

    services: Services
    aoife: str
    brian: str
    cara: str
    ties: dict[str, Tie]


def _ok(value: T | None) -> T:
    assert value is not None
    return value


async def _member(services: Services, name: str) -> str:
    outcome = await services.members.register(COORDINATOR, name, None)
    assert outcome.errors == [], outcome.errors
    return _ok(outcome.value).id


async def _tie(services: Services, member_id: str, relation: Relation, **supporter: str) -> Tie:
    outcome = await services.circles.add_supporter(COORDINATOR, member_id, relation, **supporter)
    assert outcome.errors == [], outcome.errors
    return _ok(outcome.value)


async def _accept(services: Services, tie: Tie, member_id: str) -> Tie:
    outcome = await services.circles.respond(Principal(Role.MEMBER, member_id), tie.id, True)
    assert outcome.errors == [], outcome.errors
    return _ok(outcome.value)


@pytest.fixture
async def network(store: Store) -> Network:
    """Aoife and Brian support each other; Aoife has family, Brian the peer network; Cara invites."""
    services = Services.build(store)
    (peer_network,) = await services.organisations.seed()
    aoife, brian, cara = [await _member(services, n) for n in ("Aoife", AWKWARD, "Cara")]
    ties = {
        "aoife-brian": await _accept(
            services, await _tie(services, aoife, Relation.PEER, supporter_member_id=brian), brian
        ),
        "brian-aoife": await _accept(
            services, await _tie(services, brian, Relation.FRIEND, supporter_member_id=aoife), aoife
        ),
        "aoife-mam": await _tie(services, aoife, Relation.FAMILY, person_name="Mam"),
        "brian-org": await _tie(
            services, brian, Relation.ORGANISATION, organisation_id=peer_network.id
        ),
        "cara-aoife": await _tie(services, cara, Relation.PEER, supporter_member_id=aoife),
    }
    ended = await services.circles.end(COORDINATOR, ties["aoife-mam"].id)
    ties["aoife-mam"] = _ok(ended.value)
    helped = await services.help.record(
        COORDINATOR, aoife, brian, date(2026, 3, 1), HelpKind.SKILLS
    )
    assert helped.errors == []
    return Network(services, aoife, brian, cara, ties)


def _private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) == 0o600


async def test_graphml_round_trip(store: Store, network: Network, tmp_path: Path) -> None:
    path = tmp_path / "network.graphml"
    result = await export_graphml(store, path)

    graph = nx.read_graphml(path, force_multigraph=True)
    # 3 members, the one person (Mam) and the peer network organisation.
    assert (result.nodes, result.edges) == (5, 6)
    assert graph.number_of_nodes() == 5
    aoife, brian = (to_global_id("Member", m) for m in (network.aoife, network.brian))
    assert graph.nodes[aoife]["label"] == "Aoife"
    assert graph.nodes[brian]["label"] == AWKWARD
    assert graph.nodes[brian]["kind"] == "member"
    assert graph.nodes[brian]["status"] == "ACTIVE"
    assert graph.nodes[brian]["memberSince"] == date.today().isoformat()
    mam = to_global_id("Person", network.ties["aoife-mam"].supporter.id)
    assert dict(graph.nodes[mam]) == {"label": "Mam", "kind": "person"}
    org = to_global_id("Organisation", network.ties["brian-org"].supporter.id)
    assert graph.nodes[org]["kind"] == "organisation"
    assert graph.nodes[org]["orgKind"] == "PEER_NETWORK"

    ties = {
        key: (u, v, data)
        for u, v, key, data in graph.edges(keys=True, data=True)
        if data["type"] == "SUPPORTED_BY"
    }
    expected = {
        to_global_id("Tie", tie.id): (
            to_global_id("Member", tie.member_id),
            tie.relation.value,
            tie.status.value,
            # Only Aoife and Brian support each other, both ways ACTIVE.
            name in {"aoife-brian", "brian-aoife"},
        )
        for name, tie in network.ties.items()
    }
    assert {
        key: (u, data["relation"], data["status"], data["reciprocal"])
        for key, (u, _, data) in ties.items()
    } == expected
    assert ties[to_global_id("Tie", network.ties["aoife-brian"].id)][1] == brian
    assert ties[to_global_id("Tie", network.ties["aoife-brian"].id)][2]["reciprocal"] is True
    assert ties[to_global_id("Tie", network.ties["cara-aoife"].id)][2]["reciprocal"] is False
    ended = ties[to_global_id("Tie", network.ties["aoife-mam"].id)][2]
    assert ended["status"] == "ENDED" and ended["endedAt"] != ""
    assert ties[to_global_id("Tie", network.ties["brian-org"].id)][2]["endedAt"] == ""

    (help_edge,) = [(u, v, d) for u, v, d in graph.edges(data=True) if d["type"] == "HELPED"]
    assert help_edge == (
        aoife,
        brian,
        {"type": "HELPED", "kind": "SKILLS", "confirmed": False, "on": "2026-03-01"},
    )
    assert _private(path)


async def test_graphml_without_help_edges(store: Store, network: Network, tmp_path: Path) -> None:
    result = await export_graphml(store, tmp_path / "g.graphml", helped=False)
    graph = nx.read_graphml(tmp_path / "g.graphml", force_multigraph=True)
    assert result.edges == graph.number_of_edges() == 5
    assert {d["type"] for _, _, d in graph.edges(data=True)} == {"SUPPORTED_BY"}


def _read(path: Path) -> list[list[str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.reader(handle))


async def test_csv_export(store: Store, network: Network, tmp_path: Path) -> None:
    services = network.services
    await services.colleges.seed()
    enrolled = await services.enrolments.link(
        COORDINATOR, network.brian, "sc-wellness-toolbox", date(2026, 1, 5)
    )
    assert enrolled.errors == []
    out = tmp_path / "new" / "export"  # missing directories are created

    counts = await export_csv(store, out)

    assert counts == {"members.csv": 3, "ties.csv": 5, "enrolments.csv": 1}
    members, ties, enrolments = (
        _read(out / name) for name in ("members.csv", "ties.csv", "enrolments.csv")
    )
    assert (members[0], ties[0], enrolments[0]) == (
        list(MEMBER_COLUMNS),
        list(TIE_COLUMNS),
        list(ENROLMENT_COLUMNS),
    )
    assert (len(members), len(ties), len(enrolments)) == (4, 6, 2)
    by_id = {row[0]: row for row in members[1:]}
    assert by_id[to_global_id("Member", network.brian)][1:3] == [AWKWARD, "ACTIVE"]
    tie_rows = {row[0]: dict(zip(TIE_COLUMNS, row, strict=True)) for row in ties[1:]}
    to_brian = tie_rows[to_global_id("Tie", network.ties["aoife-brian"].id)]
    assert (to_brian["supporter_name"], to_brian["supporter_kind"]) == (AWKWARD, "MEMBER")
    assert to_brian["reciprocal"] == "true"
    assert tie_rows[to_global_id("Tie", network.ties["cara-aoife"].id)]["status"] == "INVITED"
    enrolment = dict(zip(ENROLMENT_COLUMNS, enrolments[1], strict=True))
    assert enrolment["member_id"] == to_global_id("Member", network.brian)
    assert enrolment["course_id"] == to_global_id("Course", "sc-wellness-toolbox")
    assert (enrolment["enrolled_on"], enrolment["completed_on"]) == ("2026-01-05", "")
    assert all(_private(out / name) for name in counts)
    assert not (out / "members.csv").read_bytes().startswith(b"\xef\xbb\xbf")  # no BOM


async def test_csv_refuses_a_file_as_directory(store: Store, tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.write_text("keep me", encoding="utf-8")
    with pytest.raises(NotADirectoryError, match="not a directory"):
        await export_csv(store, target)
    assert target.read_text(encoding="utf-8") == "keep me"


def test_cli_exports(tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "graph_service", "export", *args],
            env=_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=120,
        )

    out = tmp_path / "empty.graphml"
    done = run("graphml", str(out))
    assert done.returncode == 0, done.stderr
    assert f"wrote 0 nodes and 0 edges to {out}" in done.stderr
    assert nx.read_graphml(out).number_of_nodes() == 0
    assert _private(out)

    taken = tmp_path / "taken.csv"
    taken.write_text("", encoding="utf-8")
    done = run("csv", str(taken))
    assert done.returncode == 2
    assert f"cannot write {taken}: exists and is not a directory" in done.stderr
