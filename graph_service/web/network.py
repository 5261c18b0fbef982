"""The network picture on the dashboard: the cached layout drawn as SVG, with its caption.

Members are circles that link to their pages, people squares, organisations hexagons; members
whose own circle lacks support carry a thick dark ring round a red dot (shape and colour both
say it); ties are thin lines, invitations dashed.
"""

from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Set as AbstractSet
from dataclasses import dataclass

from markupsafe import Markup, escape

from graph_service.analysis.layout import RIM, NetworkLayout
from graph_service.auth import Principal
from graph_service.domain import TieStatus
from graph_service.services import Services
from graph_service.web.svg import (
    COLOURS,
    DASH,
    FAINT,
    FLAGGED,
    HALO,
    MUTED,
    TEXT,
    document,
    legend,
    member_href,
    num,
    plural,
    shape,
    short,
    text,
)

INVITED = TieStatus.INVITED


@dataclass(frozen=True)
class Picture:
    """An SVG picture and the sentence under it."""

    svg: Markup
    caption: str


async def network_picture(services: Services, principal: Principal) -> Picture:
    """The members and their supporters, flagged members marked (coordinators)."""
    found = await services.analyses.network_map(principal)
    if isinstance(found, int):
        return Picture(
            Markup(""),
            f"The network has {found} members: too many to draw legibly on a page. "
            "Export it with `graph-service export graphml` and open it in Gephi or Cytoscape.",
        )
    members = sum(node.kind == "member" for node in found.layout.nodes)
    caption = (
        f"{members} members and their supporters. Members whose circle lacks support (no "
        "supporters, fewer than two, only paid support, only invitations, or giving without "
        "receiving) are drawn in red inside a thick dark ring. Select a member to open their "
        "page."
    )
    return Picture(network_map(found.layout, found.names, found.flagged), caption)


def network_map(
    layout: NetworkLayout,
    names: Mapping[str, str],
    flagged: AbstractSet[str],
    *,
    ids: str = "network",
) -> Markup:
    """The network from ``network_layout``: members link to their pages, ``flagged`` ones (who
    lack support) stand out."""
    width, top, height = 1000, 130, 1030

    def at(x: float, y: float) -> tuple[float, float]:
        return 20 + x * (width - 40), top + 10 + y * (height - top - 20)

    where = {node.id: at(node.x, node.y) for node in layout.nodes}
    paths: dict[bool, list[str]] = {False: [], True: []}
    for e in layout.edges:  # one path per style: a few kB instead of a thousand elements
        (x1, y1), (x2, y2) = where[e.member], where[e.supporter]
        paths[e.status == INVITED.value].append(f"M{num(x1)} {num(y1)}L{num(x2)} {num(y2)}")
    drawing = [
        f'<path d="{"".join(d)}" fill="none" stroke="{FAINT}"'
        + (f' stroke-dasharray="{DASH}"/>' if dashed else "/>")
        for dashed, d in paths.items()
        if d
    ]
    members: list[str] = []
    marked: list[str] = []
    counts = dict.fromkeys(COLOURS, 0)
    for node in layout.nodes:
        (x, y), name = where[node.id], names.get(node.id, "")
        counts[node.kind] = counts.get(node.kind, 0) + 1
        if node.kind != "member":
            hub = node.place == RIM
            drawn = shape(node.kind, x, y, 15 if hub else 5.5, f'fill="{COLOURS[node.kind]}"')
            if hub and name:  # the few big supporters on the rim are named, towards the middle
                label = short(name, 28)
                (anchor, lx), ly = ("end", x - 22) if node.x > 0.5 else ("start", x + 22), y + 8
                if not 0.1 < node.y < 0.9:  # on the top or bottom edge: centred below or above
                    half = len(label) * 7.5
                    anchor, lx = "middle", min(max(x, half + 8), width - half - 8)
                    ly = y + 44 if node.y <= 0.1 else y - 26
                drawn += text(lx, ly, label, 24, f'text-anchor="{anchor}" {HALO}')
            tip = f"<title>{escape(name)}</title>" if name else ""
            drawing.append(f'<g class="supporter {node.kind}">{tip}{drawn}</g>')
            continue
        is_flagged = node.id in flagged
        said = escape(f"{name or 'A member'}, lacks support" if is_flagged else name or "A member")
        if is_flagged:  # a thick dark ring and a red fill: shape and colour both say it
            drawn = (
                f'<circle cx="{num(x)}" cy="{num(y)}" r="13" fill="#fff" stroke="{TEXT}" '
                f'stroke-width="3.5"/><circle cx="{num(x)}" cy="{num(y)}" r="8" fill="{FLAGGED}"/>'
            )
        else:
            drawn = f'<circle cx="{num(x)}" cy="{num(y)}" r="7" fill="{COLOURS["member"]}"/>'
        (marked if is_flagged else members).append(
            f'<a href="{member_href(node.id)}" aria-label="{said}" class="member'
            f'{" flagged" if is_flagged else ""}"><title>{said}</title>{drawn}</a>'
        )
    if layout.band_top < 1.0:
        band_y = at(0, layout.band_top)[1] - 4
        drawing.append(text(20, band_y, "Members with no open ties", 24, f'fill="{MUTED}"'))
    flag_sample = (
        f'<circle cx="13" cy="8" r="12" fill="#fff" stroke="{TEXT}" stroke-width="3.5"/>'
        f'<circle cx="13" cy="8" r="7" fill="{FLAGGED}"/>'
    )
    line = f'<line x1="0" y1="8" x2="26" y2="8" stroke="{FAINT}" stroke-width="2"'
    shapes = [(shape(k, 12, 8, 9, f'fill="{v}"'), k.capitalize()) for k, v in COLOURS.items()]
    marks = [
        (flag_sample, "Lacks support"),
        (line + "/>", "Tie"),
        (line + f' stroke-dasharray="{DASH}"/>', "Invited"),
    ]
    key, _ = legend([shapes, marks], 16, width, 30)
    shown = sum(1 for node_id in where if node_id in flagged)
    supporters = counts["person"] + counts["organisation"]
    desc = (
        f"{plural(counts['member'], 'member')} and {plural(supporters, 'other supporter')} "
        f"({plural(counts['person'], 'person', 'people')}, "
        f"{plural(counts['organisation'], 'organisation')}), "
        f"joined by {plural(len(layout.edges), 'open tie')} ({len(paths[True])} invited). "
        f"{plural(shown, 'member lacks', 'members lack')} support, drawn in red with a "
        "thick dark ring. Members with no open ties are in a band along the bottom; "
        "organisations that support many members are on the edge."
    )
    drawn = f'<g aria-hidden="true" stroke-width="1">{"".join(drawing)}</g>'
    body = "".join([drawn, *members, *marked, key])
    return document(width, height, ids, "The supporter network", desc, body, bool(counts["member"]))
