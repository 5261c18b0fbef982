"""SVG pictures drawn on the server: a member's circle as rings, and the network map.

Every name goes through ``markupsafe.escape``; ``viewBox`` lets the page's CSS scale a picture
down to a 360 px screen (no ``style`` attributes: the pages' CSP forbids inline styles). Kind is
shown by shape as well as colour, an invitation by a dashed line, a flag by a thick ring, so no
meaning rests on colour alone; graphics have 3:1 contrast on white and text 4.5:1 or more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from graph_service.analysis.layout import RIM, NetworkLayout
from graph_service.domain import Relation, SupporterKind, Tie, TieStatus

COLOURS: Final = {"member": "#1f5fa8", "person": "#b35900", "organisation": "#6b3fa0"}
FLAGGED: Final = "#c0182b"
TEXT: Final = "#1f2328"
MUTED: Final = "#4d5560"
LINE: Final = "#6e7781"
FAINT: Final = "#8a8f98"  # the lightest grey with 3:1 on white: rings, the map's ties
DASH: Final = "5 4"
HALO: Final = 'stroke="#fff" stroke-width="4" paint-order="stroke" stroke-linejoin="round"'
# GENIE puts the closest people nearest the centre. Family and friends are chosen, personal
# ties; peers share lived experience; paid and organisational support is the outer layer.
RINGS: Final = (
    ("Inner ring, family and friends", (Relation.FAMILY, Relation.FRIEND)),
    ("Middle ring, peers", (Relation.PEER,)),
    ("Outer ring, professionals and organisations", (Relation.PROFESSIONAL, Relation.ORGANISATION)),
)
RING_RADII: Final = (82, 128, 172)
SLOTTED: Final = 12  # up to this many supporters, each has its own direction from the centre
RING_ROOM: Final = (8, 12, 16)  # more on a ring than this: names only in tooltips and desc
CHAR: Final = 8.6  # width of a character at font-size 14, generously
OPEN: Final = (TieStatus.ACTIVE, TieStatus.INVITED)
GROUPS: Final = (  # how the text alternative counts a circle's supporters
    ((Relation.FAMILY, Relation.FRIEND), "family member or friend", "family or friends"),
    ((Relation.PEER,), "peer", "peers"),
    ((Relation.PROFESSIONAL,), "professional", "professionals"),
    ((Relation.ORGANISATION,), "organisation", "organisations"),
)
INVITED: Final = TieStatus.INVITED


@dataclass(frozen=True)
class CircleEntry:
    """One supporter of the circle picture; ``href`` links a supporter who is a member."""

    name: str
    kind: SupporterKind
    relation: Relation
    status: TieStatus
    reciprocal: bool
    href: str | None = None


def member_href(member_id: str) -> str:
    """The page of a member (pages name members by internal id: no '/' or '+' to escape)."""
    return f"/members/{member_id}"


def circle_entry(t: Tie) -> CircleEntry:
    """The picture's entry for one tie; a supporter who is a member links to their page."""
    href = member_href(t.supporter.id) if t.supporter.kind is SupporterKind.MEMBER else None
    return CircleEntry(t.supporter.name, t.supporter.kind, t.relation, t.status, t.reciprocal, href)


def circle_entries(ties: Iterable[Tie]) -> list[CircleEntry]:
    """The picture's entries for a member's ties; ended and declined ones are left out."""
    return [circle_entry(t) for t in ties if t.status in OPEN]


def _n(x: float) -> str:
    return f"{x:.1f}"


def shape(kind: str, x: float, y: float, r: float, attrs: str) -> str:
    """A member circle, person square or organisation hexagon of radius about ``r``."""
    if kind == "person":
        s, side = r * 0.9, _n(r * 1.8)
        return f'<rect x="{_n(x - s)}" y="{_n(y - s)}" width="{side}" height="{side}" {attrs}/>'
    if kind == "organisation":
        corners = (math.pi / 3 * i for i in range(6))
        pts = " ".join(
            f"{_n(x + 1.15 * r * math.cos(a))},{_n(y + r * math.sin(a))}" for a in corners
        )
        return f'<polygon points="{pts}" {attrs}/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="{_n(r)}" {attrs}/>'


def short(name: str, limit: int) -> str:
    """The name cut to ``limit`` characters, with an ellipsis when cut."""
    return name if len(name) <= limit else name[: max(1, limit - 1)].rstrip() + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 peer', '2 peers'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def _text(x: float, y: float, text: str, size: int, extra: str = "") -> str:
    return f'<text x="{_n(x)}" y="{_n(y)}" font-size="{size}" {extra}>{escape(text)}</text>'


def _svg(
    width: int, height: int, ids: str, title: str, desc: str, body: str, links: bool
) -> Markup:
    # role="img" makes every child presentational, hiding links from screen readers (axe:
    # nested-interactive): a picture with links is a labelled group, its drawing aria-hidden
    # and each link named. Every name in ``body`` has been through escape().
    return Markup(  # noqa: S704
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="{"group" if links else "img"}" '
        f'aria-labelledby="{ids}-title" aria-describedby="{ids}-desc" fill="{TEXT}" '
        f'font-family="system-ui, sans-serif"><title id="{ids}-title">{escape(title)}</title>'
        f'<desc id="{ids}-desc">{escape(desc)}</desc>{body}</svg>'
    )


def _legend(
    rows: Sequence[Sequence[tuple[str, str]]], y: float, width: float, size: int
) -> tuple[str, float]:
    """Legend rows of (sample in a 26 x 16 box, label) wrapped to ``width``; and its bottom."""
    out = ['<g class="legend" aria-hidden="true">']
    for row in rows:
        x = 12.0
        for sample, label in row:
            w = 34 + len(label) * size * 0.66
            if x > 12 and x + w > width:
                x, y = 12.0, y + size * 1.8
            out.append(f'<g transform="translate({_n(x)},{_n(y)})">{sample}</g>')
            out.append(_text(x + 34, y + size * 0.9, label, size))
            x += w + 16
        y += size * 1.8
    return "".join(out) + "</g>", y


def _summary(member_name: str, entries: Sequence[CircleEntry]) -> str:
    """'Alex's circle: 3 active supporters (2 family or friends, 1 peer) and 1 invitation.'"""
    active = [e for e in entries if e.status is TieStatus.ACTIVE]
    counts = [(sum(e.relation in rs for e in active), one, many) for rs, one, many in GROUPS]
    said = ", ".join(plural(c, one, many) for c, one, many in counts if c)
    text = plural(len(active), "active supporter") if active else "no active supporters"
    text += f" ({said})" if said else ""
    if len(entries) > len(active):
        text += " and " + plural(len(entries) - len(active), "invitation")
    return f"{member_name}'s circle: {text if entries else 'no supporters yet'}."


def _who(e: CircleEntry) -> str:
    """'Sam (friend, invited, supports each other)'."""
    words = [e.relation.value.lower()] + ["invited"] * (e.status is INVITED)
    return f"{e.name} ({', '.join(words + ['supports each other'] * e.reciprocal)})"


def _arrow(x: float, y: float, angle: float) -> str:
    """An arrowhead with its tip at (x, y), pointing along ``angle``."""
    pts = ((x - 10 * math.cos(angle + s), y - 10 * math.sin(angle + s)) for s in (0.4, -0.4))
    corners = " ".join(f"{_n(a)},{_n(b)}" for a, b in pts)
    return f'<polygon points="{_n(x)},{_n(y)} {corners}" fill="{LINE}"/>'


def _label(name: str, x: float, y: float, r: float, a: float, arc: float, width: int) -> str:
    """A supporter's name beside its node, on the side away from the centre."""
    ux, uy = math.cos(a), math.sin(a)
    lx = x + r + 6 if ux > 0 else x - r - 6
    room = width - 4 - lx if ux > 0 else lx - 4
    if abs(ux) > 0.3 and room >= min(len(name), 12) * CHAR:  # beside, reading outwards
        anchor, ly, chars = ("start" if ux > 0 else "end"), y + 5, room / CHAR
    else:  # above the top nodes, below the bottom ones, kept inside the picture
        anchor, ly, chars = "middle", (y - r - 7 if uy < 0 else y + r + 17), arc / CHAR
    text = short(name, max(6, min(20, int(chars))))
    if anchor == "middle":
        lx = min(max(x, len(text) * CHAR / 2 + 4), width - len(text) * CHAR / 2 - 4)
    return _text(lx, ly, text, 14, f'text-anchor="{anchor}" {HALO}')


def circle_picture(
    member_name: str, entries: Sequence[CircleEntry], *, ids: str = "circle"
) -> Markup:
    """The member's circle as GENIE-style rings; ``ids`` keeps element ids unique on a page."""
    entries = [e for e in entries if e.status in OPEN]
    width, cx, cy, me = 420, 210.0, 196.0, 38.0
    lines, nodes, said = [], [], [_summary(member_name, entries)]
    # A small circle gives every supporter a direction of its own, ring by ring, so no two
    # names can collide; a large one spreads each ring on its own (names go to tooltips).
    own_slots = len(entries) <= SLOTTED
    slot = 0
    for ring, ((ring_name, relations), radius) in enumerate(zip(RINGS, RING_RADII, strict=True)):
        on_ring = [e for e in entries if e.relation in relations]
        if not on_ring:
            continue
        said.append(f"{ring_name}: {'; '.join(_who(e) for e in on_ring)}.")
        n, step = len(on_ring), 2 * math.pi / len(on_ring)
        # Odd counts start at the top and even ones half a step round, so none sits right
        # under the centre; each outer ring turns a little further so spokes miss inner nodes.
        start = -math.pi / 2 + (step / 2 if n % 2 == 0 else 0) + ring * min(step / 2, 0.45)
        # Too many to name (on this ring, or at all): names stay in the tooltips and the desc.
        crowded = n > RING_ROOM[ring] or len(entries) > sum(RING_ROOM) // 2
        if own_slots:
            step = 2 * math.pi / len(entries)
            start = -math.pi / 2 + (slot + 0.5) * step
            slot += n
        r = min(12.0, 0.42 * radius * step)
        for i, e in enumerate(on_ring):
            a = start + i * step
            ux, uy = math.cos(a), math.sin(a)
            x, y = cx + radius * ux, cy + radius * uy
            dash = f' stroke-dasharray="{DASH}"' if e.status is INVITED else ""
            lines.append(
                f'<line x1="{_n(cx + me * ux)}" y1="{_n(cy + me * uy)}" stroke="{LINE}" '
                f'x2="{_n(x - (r + 2) * ux)}" y2="{_n(y - (r + 2) * uy)}" stroke-width="2"{dash}/>'
            )
            if e.reciprocal:  # arrowheads at both ends: they support each other
                lines.append(_arrow(cx + (me + 2) * ux, cy + (me + 2) * uy, a + math.pi))
                lines.append(_arrow(x - (r + 3) * ux, y - (r + 3) * uy, a))
            kind = e.kind.value.lower()
            fill = "#fff" if e.status is INVITED else COLOURS[kind]
            drawn = shape(
                kind, x, y, r, f'fill="{fill}" stroke="{COLOURS[kind]}" stroke-width="2.5"{dash}'
            )
            label = "" if crowded else _label(e.name, x, y, r, a, radius * step, width)
            inside = f"<title>{escape(_who(e))}</title>{drawn}{label}"
            kind_class = f'class="supporter {kind}{" invited" if dash else ""}"'
            if e.href:
                named = escape(_who(e).replace(" (", ", ").rstrip(")"))
                nodes.append(
                    f'<a href="{escape(e.href)}" aria-label="{named}" {kind_class}>{inside}</a>'
                )
            else:
                nodes.append(f'<g aria-hidden="true" {kind_class}>{inside}</g>')
    rings = "".join(
        f'<circle cx="{cx}" cy="{cy}" r="{r}" fill="none" stroke="{FAINT}"/>' for r in RING_RADII
    )
    # The member in the centre: a big circle with the name inside, on up to two lines.
    first, _, rest = member_name.strip().partition(" ")
    bold = 'text-anchor="middle" font-weight="600" fill="#fff"'
    centre = f'<circle cx="{cx}" cy="{cy}" r="{me}" fill="{COLOURS["member"]}"/>' + "".join(
        _text(cx, cy + 4 + dy, short(part, 9), 12, bold)
        for part, dy in ((first, -7 if rest else 0), (rest, 8))
        if part
    )
    solid = f'<line x1="0" y1="8" x2="26" y2="8" stroke="{LINE}" stroke-width="2"/>'
    note = ("Rings from the centre: family and friends,", "peers, professionals and organisations.")
    shapes = [(shape(k, 12, 8, 7, f'fill="{v}"'), k.capitalize()) for k, v in COLOURS.items()]
    dashed = solid.replace("/>", f' stroke-dasharray="{DASH}"/>')
    both = solid + _arrow(26, 8, 0) + _arrow(0, 8, math.pi)
    ties = [(solid, "Active"), (dashed, "Invited, no reply yet"), (both, "Support each other")]
    legend, bottom = _legend([shapes, ties], cy + 240, width, 14)
    body = (
        f'<g aria-hidden="true">{rings}{"".join(lines)}{centre}</g>{"".join(nodes)}'
        f'<g aria-hidden="true" fill="{MUTED}">{_text(12, cy + 200, note[0], 14)}'
        f"{_text(12, cy + 219, note[1], 14)}</g>{legend}"
    )
    links = any(e.href for e in entries)
    return _svg(
        width, int(bottom), ids, f"{member_name}'s circle of support", " ".join(said), body, links
    )


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
        paths[e.status == INVITED.value].append(f"M{_n(x1)} {_n(y1)}L{_n(x2)} {_n(y2)}")
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
                text = short(name, 28)
                (anchor, lx), ly = ("end", x - 22) if node.x > 0.5 else ("start", x + 22), y + 8
                if not 0.1 < node.y < 0.9:  # on the top or bottom edge: centred below or above
                    half = len(text) * 7.5
                    anchor, lx = "middle", min(max(x, half + 8), width - half - 8)
                    ly = y + 44 if node.y <= 0.1 else y - 26
                drawn += _text(lx, ly, text, 24, f'text-anchor="{anchor}" {HALO}')
            tip = f"<title>{escape(name)}</title>" if name else ""
            drawing.append(f'<g class="supporter {node.kind}">{tip}{drawn}</g>')
            continue
        is_flagged = node.id in flagged
        said = escape(f"{name or 'A member'}, lacks support" if is_flagged else name or "A member")
        if is_flagged:  # a thick dark ring and a red fill: shape and colour both say it
            drawn = (
                f'<circle cx="{_n(x)}" cy="{_n(y)}" r="13" fill="#fff" stroke="{TEXT}" '
                f'stroke-width="3.5"/><circle cx="{_n(x)}" cy="{_n(y)}" r="8" fill="{FLAGGED}"/>'
            )
        else:
            drawn = f'<circle cx="{_n(x)}" cy="{_n(y)}" r="7" fill="{COLOURS["member"]}"/>'
        (marked if is_flagged else members).append(
            f'<a href="{member_href(node.id)}" aria-label="{said}" class="member'
            f'{" flagged" if is_flagged else ""}"><title>{said}</title>{drawn}</a>'
        )
    if layout.band_top < 1.0:
        band_y = at(0, layout.band_top)[1] - 4
        drawing.append(_text(20, band_y, "Members with no open ties", 24, f'fill="{MUTED}"'))
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
    legend, _ = _legend([shapes, marks], 16, width, 30)
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
    body = "".join([drawn, *members, *marked, legend])
    return _svg(width, height, ids, "The supporter network", desc, body, bool(counts["member"]))
