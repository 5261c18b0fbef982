"""A member's circle of support drawn as GENIE-style concentric rings (SVG, on the server).

The member is in the centre, the closest supporters on the inner ring; kind is shown by shape
and colour, an invitation by a dashed line, support both ways by a double arrow. The shared
pieces (colours, shapes, text, the <svg> element) are in ``svg``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from markupsafe import Markup, escape

from graph_service.domain import Relation, SupporterKind, Tie, TieStatus
from graph_service.web.svg import (
    COLOURS,
    DASH,
    FAINT,
    HALO,
    LINE,
    MUTED,
    document,
    legend,
    member_href,
    num,
    plural,
    shape,
    short,
    text,
)

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


def circle_entry(t: Tie) -> CircleEntry:
    """The picture's entry for one tie; a supporter who is a member links to their page."""
    href = member_href(t.supporter.id) if t.supporter.kind is SupporterKind.MEMBER else None
    return CircleEntry(t.supporter.name, t.supporter.kind, t.relation, t.status, t.reciprocal, href)


def circle_entries(ties: Iterable[Tie]) -> list[CircleEntry]:
    """The picture's entries for a member's ties; ended and declined ones are left out."""
    return [circle_entry(t) for t in ties if t.status in OPEN]


def _summary(member_name: str, entries: Sequence[CircleEntry]) -> str:
    """'Alex's circle: 3 active supporters (2 family or friends, 1 peer) and 1 invitation.'"""
    active = [e for e in entries if e.status is TieStatus.ACTIVE]
    counts = [(sum(e.relation in rs for e in active), one, many) for rs, one, many in GROUPS]
    said = ", ".join(plural(c, one, many) for c, one, many in counts if c)
    whole = plural(len(active), "active supporter") if active else "no active supporters"
    whole += f" ({said})" if said else ""
    if len(entries) > len(active):
        whole += " and " + plural(len(entries) - len(active), "invitation")
    return f"{member_name}'s circle: {whole if entries else 'no supporters yet'}."


def _who(e: CircleEntry) -> str:
    """'Sam (friend, invited, supports each other)'."""
    words = [e.relation.value.lower()] + ["invited"] * (e.status is INVITED)
    return f"{e.name} ({', '.join(words + ['supports each other'] * e.reciprocal)})"


def _arrow(x: float, y: float, angle: float) -> str:
    """An arrowhead with its tip at (x, y), pointing along ``angle``."""
    pts = ((x - 10 * math.cos(angle + s), y - 10 * math.sin(angle + s)) for s in (0.4, -0.4))
    corners = " ".join(f"{num(a)},{num(b)}" for a, b in pts)
    return f'<polygon points="{num(x)},{num(y)} {corners}" fill="{LINE}"/>'


def _label(name: str, x: float, y: float, r: float, a: float, arc: float, width: int) -> str:
    """A supporter's name beside its node, on the side away from the centre."""
    ux, uy = math.cos(a), math.sin(a)
    lx = x + r + 6 if ux > 0 else x - r - 6
    room = width - 4 - lx if ux > 0 else lx - 4
    if abs(ux) > 0.3 and room >= min(len(name), 12) * CHAR:  # beside, reading outwards
        anchor, ly, chars = ("start" if ux > 0 else "end"), y + 5, room / CHAR
    else:  # above the top nodes, below the bottom ones, kept inside the picture
        anchor, ly, chars = "middle", (y - r - 7 if uy < 0 else y + r + 17), arc / CHAR
    shown = short(name, max(6, min(20, int(chars))))
    if anchor == "middle":
        lx = min(max(x, len(shown) * CHAR / 2 + 4), width - len(shown) * CHAR / 2 - 4)
    return text(lx, ly, shown, 14, f'text-anchor="{anchor}" {HALO}')


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
                f'<line x1="{num(cx + me * ux)}" y1="{num(cy + me * uy)}" stroke="{LINE}" '
                f'x2="{num(x - (r + 2) * ux)}" y2="{num(y - (r + 2) * uy)}" '
                f'stroke-width="2"{dash}/>'
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
        text(cx, cy + 4 + dy, short(part, 9), 12, bold)
        for part, dy in ((first, -7 if rest else 0), (rest, 8))
        if part
    )
    solid = f'<line x1="0" y1="8" x2="26" y2="8" stroke="{LINE}" stroke-width="2"/>'
    note = ("Rings from the centre: family and friends,", "peers, professionals and organisations.")
    shapes = [(shape(k, 12, 8, 7, f'fill="{v}"'), k.capitalize()) for k, v in COLOURS.items()]
    dashed = solid.replace("/>", f' stroke-dasharray="{DASH}"/>')
    both = solid + _arrow(26, 8, 0) + _arrow(0, 8, math.pi)
    ties = [(solid, "Active"), (dashed, "Invited, no reply yet"), (both, "Support each other")]
    key, bottom = legend([shapes, ties], cy + 240, width, 14)
    body = (
        f'<g aria-hidden="true">{rings}{"".join(lines)}{centre}</g>{"".join(nodes)}'
        f'<g aria-hidden="true" fill="{MUTED}">{text(12, cy + 200, note[0], 14)}'
        f"{text(12, cy + 219, note[1], 14)}</g>{key}"
    )
    links = any(e.href for e in entries)
    return document(
        width, int(bottom), ids, f"{member_name}'s circle of support", " ".join(said), body, links
    )
