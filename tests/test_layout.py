"""The network picture's layout, on hand-made and synthetic projections (no database)."""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from dataclasses import replace

import pytest

from graph_service.analysis.layout import (
    BAND,
    CORE,
    PETAL,
    PETAL_RADIUS,
    RIM,
    NetworkLayout,
    network_layout,
)
from graph_service.analysis.projection import Projection, build_from_rows, build_projection
from graph_service.analysis.synthetic import synthetic_rows
from tests.analysis_graphs import Rows, isolation_network, load_network, summary_network


def demo() -> Projection:
    """The 350-member synthetic network the demo loads."""
    return build_from_rows(synthetic_rows(350, 2026))


def hub_network(members: int = 12, *, alone: bool = True) -> Rows:
    """Members in pairs who support each other, all supported by the peer network too."""
    ids = [f"m{i:02}" for i in range(members)]
    rows = Rows().member(*ids).organisation("peer-network").person("mum", "worker")
    if alone:
        rows.member("alone")
    for i in range(0, members, 2):
        rows.tie(ids[i], ids[i + 1], "PEER").tie(ids[i + 1], ids[i], "PEER")
    for member in ids:
        rows.tie(member, "peer-network", "ORGANISATION")
    rows.tie("m00", "mum", "FAMILY").tie("m02", "worker", "PROFESSIONAL")
    rows.tie("m04", "worker", "PROFESSIONAL", "INVITED").tie("m06", "mum", "FAMILY", "ENDED")
    return rows.enrol("m00", "sc-guitar").practises("m01", "music")


def moves(before: NetworkLayout, after: NetworkLayout) -> list[float]:
    """How far each node on both maps moved."""
    old, new = before.positions(), after.positions()
    return [math.dist(old[n], new[n]) for n in old if n in new]


GRAPHS: dict[str, Callable[[], Projection]] = {
    "demo": demo,
    "hub": lambda: hub_network().build(),
    "isolation": lambda: isolation_network().build(),
    "summary": lambda: summary_network().build(),
    "load": lambda: load_network().build(),
}


@pytest.mark.parametrize("make", GRAPHS.values(), ids=GRAPHS.keys())
def test_every_position_is_inside_the_unit_square(make: Callable[[], Projection]) -> None:
    layout = network_layout(make())
    assert layout.nodes
    for node in layout.nodes:
        assert 0.0 <= node.x <= 1.0, node
        assert 0.0 <= node.y <= 1.0, node


@pytest.mark.parametrize("seed", [7, 11])
def test_the_same_seed_gives_the_same_layout(seed: int) -> None:
    g = demo()
    assert network_layout(g, seed=seed) == network_layout(g, seed=seed)


def test_another_seed_gives_another_layout() -> None:
    g = demo()
    assert network_layout(g, seed=1).positions() != network_layout(g, seed=2).positions()


def test_the_order_rows_arrive_in_does_not_matter() -> None:
    rows = hub_network()
    flipped = build_projection(
        reversed(rows.members),
        reversed(rows.supporters),
        reversed(rows.ties),
        rows.help,
        rows.enrolments,
        rows.tools,
    )
    assert network_layout(flipped) == network_layout(rows.build())


def test_the_map_holds_members_and_their_open_ties_only() -> None:
    rows = hub_network().member("gone", status="LEFT").member("resting", status="PAUSED")
    rows.tie("gone", "mum", "FAMILY").tie("resting", "m01", "PEER", "INVITED")
    layout = network_layout(rows.build())
    ids = {node.id for node in layout.nodes}
    assert "gone" not in ids  # left the network: not drawn
    assert {"resting", "alone", "mum", "worker", "peer-network"} <= ids
    assert all(isinstance(node.id, str) for node in layout.nodes)  # no courses or tools
    assert {node.kind for node in layout.nodes} == {"member", "person", "organisation"}
    assert {e.status for e in layout.edges} == {"ACTIVE", "INVITED"}
    assert ("m06", "mum") not in {(e.member, e.supporter) for e in layout.edges}  # ENDED
    assert ("m04", "worker", "PROFESSIONAL", "INVITED") in {
        (e.member, e.supporter, e.relation, e.status) for e in layout.edges
    }


def test_members_without_ties_sit_in_the_band_along_the_bottom() -> None:
    rows = hub_network().member("also-alone")
    layout = network_layout(rows.build())
    band = {node.id: node for node in layout.nodes if node.place == BAND}
    assert set(band) == {"alone", "also-alone"}
    assert 0.8 < layout.band_top < 1.0
    for node in band.values():
        assert layout.band_top <= node.y <= 1.0
        assert 0.0 < node.x < 1.0
    others = [node for node in layout.nodes if node.place != BAND]
    assert all(node.y < layout.band_top for node in others)
    assert len({(n.x, n.y) for n in band.values()}) == len(band)  # side by side, not stacked


def test_without_lonely_members_there_is_no_band() -> None:
    layout = network_layout(hub_network(alone=False).build())
    assert layout.band_top == 1.0
    assert not [node for node in layout.nodes if node.place == BAND]


def test_a_supporter_of_many_members_goes_on_the_rim() -> None:
    layout = network_layout(hub_network().build())
    hub = next(node for node in layout.nodes if node.id == "peer-network")
    assert hub.place == RIM
    assert min(hub.x, hub.y, 1 - hub.x) < 0.05 or hub.y > 0.8  # on the edge of the map
    fewer = network_layout(hub_network(members=6).build())
    assert next(n for n in fewer.nodes if n.id == "peer-network").place == CORE


def test_the_peer_network_does_not_pull_the_demo_into_one_blob() -> None:
    layout = network_layout(demo())
    rim = {node.id for node in layout.nodes if node.place == RIM}
    assert "sefton-peer-network" in rim
    members = [node for node in layout.nodes if node.kind == "member" and node.place == CORE]
    spread = statistics.pstdev([n.x for n in members]) + statistics.pstdev([n.y for n in members])
    assert spread > 0.3  # spread over the map, not gathered round a hub


def test_a_supporter_of_one_member_sits_close_beside_them() -> None:
    layout = network_layout(hub_network().build())
    at = layout.positions()
    mum = next(node for node in layout.nodes if node.id == "mum")
    assert mum.place == PETAL
    assert math.dist(at["mum"], at["m00"]) == pytest.approx(PETAL_RADIUS, rel=0.01)


def test_an_empty_graph_gives_an_empty_map() -> None:
    layout = network_layout(Rows().build())
    assert layout == NetworkLayout((), (), 1.0)


def test_a_lone_member_is_still_placed() -> None:
    layout = network_layout(Rows().member("solo").build())
    (node,) = layout.nodes
    assert node.place == BAND
    assert 0.0 < node.x < 1.0 and 0.0 < node.y <= 1.0


def test_the_same_graph_laid_out_from_before_barely_moves() -> None:
    g = demo()
    before = network_layout(g)
    after = network_layout(g, previous=before.positions())
    assert max(moves(before, after)) < 0.06
    assert statistics.median(moves(before, after)) < 0.005


def test_a_small_change_moves_nodes_little_when_previous_positions_are_given() -> None:
    rows = synthetic_rows(350, 2026)
    before = network_layout(build_from_rows(rows))
    active = [member_id for member_id, status, _ in rows.members if status == "ACTIVE"]
    changed = build_from_rows(
        replace(rows, ties=(*rows.ties, ("new-tie", active[0], active[1], "PEER", "ACTIVE")))
    )
    calm = moves(before, network_layout(changed, previous=before.positions()))
    fresh = moves(before, network_layout(changed, seed=8))
    assert statistics.median(calm) < 0.02
    assert statistics.median(calm) * 10 < statistics.median(fresh)


def test_a_newcomer_starts_beside_the_member_they_support() -> None:
    rows = hub_network()
    before = network_layout(rows.build())
    rows.member("newcomer").tie("newcomer", "m03", "PEER").tie("newcomer", "m05", "PEER")
    after = network_layout(rows.build(), previous=before.positions())
    at = after.positions()
    assert "newcomer" in at
    between = [math.dist(at["newcomer"], at[m]) for m in ("m03", "m05")]
    assert min(between) < 0.5
    assert statistics.median(moves(before, after)) < 0.05
