"""Where each member and supporter sits on the coordinators' network picture.

Positions are in [0, 1] x [0, 1] with y growing downwards, as in SVG. The map holds members
(of ``statuses``), and the people and organisations joined to them by open (INVITED or ACTIVE)
SUPPORTED_BY ties; courses and tools are left out. Each node has a ``place``:

- ``core``: members with open ties, and supporters of a few members, laid out by force.
- ``petal``: a person or organisation who supports exactly one member (most family and
  friends) sits close around that member instead of taking part in the force layout.
- ``rim``: a supporter of ``hub_members`` or more members (the peer network itself, a college
  support service) sits on the edge of the map, in the direction of the members it supports.
- ``band``: members with no open tie, given or received, in rows along the bottom.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final, TypeAlias

import networkx as nx
import numpy as np
import numpy.typing as npt

from graph_service.analysis.projection import (
    MEMBER,
    OPEN_TIE_STATUSES,
    ORGANISATION,
    PERSON,
    NodeId,
    Projection,
    tie_edges,
)

Floats: TypeAlias = npt.NDArray[np.float64]
# Mapping is invariant in its keys: accept NetworkLayout.positions() (str keys) as it is.
Positions: TypeAlias = Mapping[NodeId, tuple[float, float]] | Mapping[str, tuple[float, float]]

CORE: Final = "core"
PETAL: Final = "petal"
RIM: Final = "rim"
BAND: Final = "band"
MAP_STATUSES: Final = frozenset({"ACTIVE", "PAUSED"})  # members who have left are not drawn
HUB_MEMBERS: Final = 10
GRAVITY: Final = 2.0
# The width the force layout settles at with GRAVITY: measured, about the same from 20 to 1000
# members. A warm start begins at that size, or the layout would swell on every update.
SETTLED_SPAN: Final = 1.65
ANCHOR: Final = 10.0  # the spring holding a node to its previous place, against new ties
PETAL_RADIUS: Final = 0.018
BAND_COLUMNS: Final = 30
BAND_ROW: Final = 0.03
_BLOCK: Final = 256  # rows of the pairwise repulsion computed at once: bounded memory


@dataclass(frozen=True)
class LayoutNode:
    """One node of the map: id, kind (member, person, organisation), position and place."""

    id: str
    kind: str
    x: float
    y: float
    place: str


@dataclass(frozen=True)
class LayoutEdge:
    """One open tie on the map: member -[SUPPORTED_BY]-> supporter."""

    member: str
    supporter: str
    relation: str
    status: str


@dataclass(frozen=True)
class NetworkLayout:
    """Node positions in [0, 1] x [0, 1] (y down), the ties, and where the bottom band starts."""

    nodes: tuple[LayoutNode, ...]
    edges: tuple[LayoutEdge, ...]
    band_top: float  # 1.0 when every member has a tie, so there is no band

    def positions(self) -> dict[str, tuple[float, float]]:
        """Node id -> (x, y): pass it as ``previous`` to the next layout to keep the map calm."""
        return {node.id: (node.x, node.y) for node in self.nodes}


def _open_ties(g: Projection, members: AbstractSet[str]) -> list[LayoutEdge]:
    """The open ties of ``members`` to supporters that belong on the map, in a fixed order."""
    edges = []
    for member, supporter, data in tie_edges(g):
        if data["status"] not in OPEN_TIE_STATUSES or member not in members:
            continue
        kind = g.nodes[supporter]["kind"]
        # A member supporter whose status is left out (someone who left) is not drawn.
        if supporter in members or kind in (PERSON, ORGANISATION):
            edges.append(LayoutEdge(member, supporter, data["relation"], data["status"]))
    return sorted(edges, key=lambda e: (e.member, e.supporter, e.relation, e.status))


def _force_layout(
    core: nx.Graph[str], start: Floats, mass: Floats, anchored: npt.NDArray[np.bool_] | None
) -> Floats:
    """Fruchterman-Reingold with node masses and a pull to the centre, from ``start``.

    ``anchored`` marks the nodes whose start is where they were last time: a spring holds
    each of them there, so a small change moves the nodes it touches and leaves the rest.
    """
    # networkx's spring_layout runs the same model, but its dense step (a 3-D einsum) took
    # ~8 ms an iteration at 350 nodes here, 0.4 s a layout, over the 0.3 s budget; this one
    # takes well under 1 ms. The centre pull keeps small components and lone members near the
    # main one instead of flung to the corners; masses make room for a member's petals.
    n = len(start)
    index = {node: i for i, node in enumerate(core)}
    pairs = [(index[a], index[b], w) for a, b, w in core.edges(data="weight", default=1.0)]
    src = np.array([p[0] for p in pairs], dtype=np.intp)
    dst = np.array([p[1] for p in pairs], dtype=np.intp)
    weight = np.array([p[2] for p in pairs], dtype=np.float64)
    k = math.sqrt(1.0 / n)
    # float32 halves the cost of the n x n arrays; positions move in steps far above its grain.
    pos = start.astype(np.float32)
    heavy = (k * k * np.outer(mass, mass)).astype(np.float32)
    weight, grav = weight.astype(np.float32), (GRAVITY * mass[:, None]).astype(np.float32)
    home = start.astype(np.float32)
    hold = np.zeros((n, 1), np.float32) if anchored is None else ANCHOR * anchored[:, None]
    hold = hold.astype(np.float32)
    # A warm start is near equilibrium already: a lower temperature and fewer rounds.
    iterations, t = (100, 0.1) if anchored is None else (15, 0.02)
    cool = t / (iterations + 1)
    disp = np.empty_like(pos)
    for _ in range(iterations):
        for s in range(0, n, _BLOCK):
            block = pos[s : s + _BLOCK]
            dx = block[:, 0, None] - pos[None, :, 0]
            dy = block[:, 1, None] - pos[None, :, 1]
            d2 = np.maximum(dx * dx + dy * dy, np.float32(1e-4))
            rep = np.divide(heavy[s : s + _BLOCK], d2, out=d2)
            # sum_j rep_ij (p_i - p_j) = p_i * sum_j rep_ij - (rep @ p)_i: one matrix product
            disp[s : s + _BLOCK] = block * rep.sum(axis=1)[:, None] - rep @ pos
        ex, ey = pos[src, 0] - pos[dst, 0], pos[src, 1] - pos[dst, 1]
        pull = weight * np.sqrt(ex * ex + ey * ey) / k
        for axis, e in ((0, ex), (1, ey)):
            disp[:, axis] -= np.bincount(src, e * pull, minlength=n)
            disp[:, axis] += np.bincount(dst, e * pull, minlength=n)
        disp -= grav * (pos - np.float32(0.5)) + hold * (pos - home)
        length = np.maximum(np.hypot(disp[:, 0], disp[:, 1]), np.float32(1e-9))
        pos += disp * (np.minimum(length, t) / length)[:, None]
        t -= cool
    return pos.astype(np.float64)


def _fit(pos: Floats, box: tuple[float, float, float, float], *, settled: bool = False) -> Floats:
    """Scale the force layout's positions into ``box`` (x0, y0, x1, y1).

    A fresh layout is stretched to fill the box on each axis. A ``settled`` one (warm start)
    goes back by the fixed map ``_start`` undid, so nodes far from a change stay put rather
    than shifting whenever the outermost node moves; anything pushed outside is kept in.
    """
    out = np.empty_like(pos)
    for axis, (lo, hi) in enumerate(((box[0], box[2]), (box[1], box[3]))):
        p = pos[:, axis]
        if settled:
            out[:, axis] = np.clip(lo + ((p - 0.5) / SETTLED_SPAN + 0.5) * (hi - lo), lo, hi)
        elif np.ptp(p) < 1e-9:
            out[:, axis] = (lo + hi) / 2
        else:
            out[:, axis] = lo + (p - p.min()) / np.ptp(p) * (hi - lo)
    return out


def _start(
    nodes: list[str],
    core: nx.Graph[str],
    previous: Positions | None,
    box: tuple[float, float, float, float],
    rng: np.random.Generator,
) -> tuple[Floats, npt.NDArray[np.bool_] | None]:
    """Starting positions for the forces, and which came from ``previous`` (None: none did)."""
    pos = rng.random((len(nodes), 2))
    known = np.array([node in previous for node in nodes]) if previous else None
    if previous is None or known is None or not known.any():
        return pos, None
    size = np.array([box[2] - box[0], box[3] - box[1]])
    for i, node in enumerate(nodes):
        if known[i]:  # undo the box fit, back to the size the forces settle at
            where = (np.array(previous[node], dtype=np.float64) - box[:2]) / size
            pos[i] = 0.5 + SETTLED_SPAN * (where - 0.5)
    k = math.sqrt(1.0 / len(nodes))
    placed = {node: pos[i] for i, node in enumerate(nodes) if known[i]}
    for i, node in enumerate(nodes):
        near = [placed[m] for m in core[node] if m in placed]
        if not known[i] and near:  # a newcomer starts beside the neighbours it has
            pos[i] = np.mean(near, axis=0) + rng.normal(0.0, 0.3 * k, 2)
    return pos, known


def _rim(
    hubs: list[str],
    supported: Mapping[str, set[str]],
    at: Mapping[str, tuple[float, float]],
    box: tuple[float, float, float, float],
) -> dict[str, tuple[float, float]]:
    """Hubs on the edge of ``box``, each toward the members it supports, spread apart."""
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    angles = []
    for hub in hubs:
        points = [at[m] for m in supported[hub] if m in at]
        mx = sum(p[0] for p in points) / len(points) - cx
        my = sum(p[1] for p in points) / len(points) - cy
        angles.append((math.atan2(my, mx) if mx or my else -math.pi / 2, hub))
    angles.sort()
    gap = 2 * math.pi / max(8, 2 * len(hubs))
    placed: dict[str, tuple[float, float]] = {}
    last = -math.inf
    for angle, hub in angles:
        last = max(angle, last + gap)
        dx, dy = math.cos(last), math.sin(last)
        half_w, half_h = (box[2] - box[0]) / 2, (box[3] - box[1]) / 2
        s = min(half_w / abs(dx) if dx else math.inf, half_h / abs(dy) if dy else math.inf)
        placed[hub] = (cx + s * dx, cy + s * dy)
    return placed


def _petals(
    around: Mapping[str, list[str]], core: nx.Graph[str], at: Mapping[str, tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Single-member supporters fanned out close to their member, away from its other ties."""
    placed: dict[str, tuple[float, float]] = {}
    for member, leaves in around.items():
        mx, my = at[member]
        near = [at[n] for n in core[member]]
        ox, oy = (mx - 0.5, my - 0.5)
        if near:  # away from the member's other ties, so petals do not sit on the lines
            ox = mx - sum(p[0] for p in near) / len(near)
            oy = my - sum(p[1] for p in near) / len(near)
        base = math.atan2(oy, ox) if ox or oy else -math.pi / 2
        step = min(math.radians(55), 2 * math.pi / len(leaves))
        for i, leaf in enumerate(leaves):
            a = base + (i - (len(leaves) - 1) / 2) * step
            x = mx + PETAL_RADIUS * math.cos(a)
            y = my + PETAL_RADIUS * math.sin(a)
            placed[leaf] = (min(max(x, 0.0), 1.0), min(max(y, 0.0), 1.0))
    return placed


def drawn(
    g: Projection, statuses: frozenset[str] = MAP_STATUSES
) -> tuple[frozenset[str], tuple[LayoutEdge, ...]]:
    """The members and open ties a map draws: two graphs with equal ones have equal layouts."""
    members = frozenset(
        n
        for n, d in g.nodes(data=True)
        if isinstance(n, str) and d["kind"] == MEMBER and d["status"] in statuses
    )
    return members, tuple(_open_ties(g, members))


def network_layout(
    g: Projection,
    *,
    previous: Positions | None = None,
    seed: int = 7,
    statuses: frozenset[str] = MAP_STATUSES,
    hub_members: int = HUB_MEMBERS,
) -> NetworkLayout:
    """Lay out the open-tie network; the same graph, seed and ``previous`` give the same map."""
    members, edges = drawn(g, statuses)
    supported: dict[str, set[str]] = defaultdict(set)
    for e in edges:
        supported[e.supporter].add(e.member)
    # A supporter of many members would pull them all into one blob (the peer network supports
    # dozens): sharing a service is not closeness, so such hubs go on the rim. Supporters of a
    # few members (a direct-payment worker) stay in, their pull shared out among them.
    hubs = sorted(s for s, ms in supported.items() if s not in members and len(ms) >= hub_members)
    around: dict[str, list[str]] = defaultdict(list)
    core: nx.Graph[str] = nx.Graph()
    for e in edges:
        share = len(supported[e.supporter])
        if e.supporter in members:
            pair = core.get_edge_data(e.member, e.supporter)  # a returned tie pulls twice
            core.add_edge(e.member, e.supporter, weight=(pair["weight"] if pair else 0.0) + 1.0)
        elif share == 1:
            around[e.member].append(e.supporter)
        elif share < hub_members:
            core.add_edge(e.member, e.supporter, weight=1.0 / share)
        else:
            core.add_node(e.member)
    for member in around:
        core.add_node(member)
    lonely = sorted(members - set(core))

    rows = math.ceil(len(lonely) / BAND_COLUMNS)
    band_top = 1.0 - 0.01 - rows * BAND_ROW if lonely else 1.0
    bottom = band_top - 0.04 if lonely else 1.0
    edge_box = (0.03, 0.03, 0.97, bottom - 0.03)
    box = (0.11, 0.1, 0.89, bottom - 0.08) if hubs else (0.05, 0.05, 0.95, bottom - 0.05)

    nodes = sorted(core)
    at: dict[str, tuple[float, float]] = {}
    if nodes:
        rng = np.random.default_rng(seed)
        start, anchored = _start(nodes, core, previous, box, rng)
        mass = np.array([1.0 + 0.4 * len(around.get(n, ())) for n in nodes])
        forced = _force_layout(core, start, mass, anchored)
        fitted = _fit(forced, box, settled=anchored is not None)
        at = {n: (float(p[0]), float(p[1])) for n, p in zip(nodes, fitted, strict=True)}
    places = dict.fromkeys(at, CORE)
    rim = _rim(hubs, supported, at, edge_box)
    petals = _petals(around, core, at)
    places.update(dict.fromkeys(rim, RIM) | dict.fromkeys(petals, PETAL))
    at.update(rim)
    at.update(petals)
    cols = min(len(lonely), BAND_COLUMNS)
    for i, member in enumerate(lonely):
        row, col = divmod(i, BAND_COLUMNS)
        at[member] = (0.03 + 0.94 * (col + 0.5) / cols, band_top + BAND_ROW * (row + 0.5))
        places[member] = BAND
    laid = tuple(
        LayoutNode(n, g.nodes[n]["kind"], at[n][0], at[n][1], places[n]) for n in sorted(at)
    )
    return NetworkLayout(laid, tuple(edges), band_top)
