"""What the server-drawn pictures share: colours, shapes, text, legends, the <svg> element.

Every name goes through ``markupsafe.escape``; ``viewBox`` lets the page's CSS scale a picture
down to a 360 px screen (no ``style`` attributes: the pages' CSP forbids inline styles). Kind is
shown by shape as well as colour, so no meaning rests on colour alone; graphics have 3:1
contrast on white and text 4.5:1 or more.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from markupsafe import Markup, escape

COLOURS: Final = {"member": "#1f5fa8", "person": "#b35900", "organisation": "#6b3fa0"}
FLAGGED: Final = "#c0182b"
TEXT: Final = "#1f2328"
MUTED: Final = "#4d5560"
LINE: Final = "#6e7781"
FAINT: Final = "#8a8f98"  # the lightest grey with 3:1 on white: rings, the map's ties
DASH: Final = "5 4"
HALO: Final = 'stroke="#fff" stroke-width="4" paint-order="stroke" stroke-linejoin="round"'


def member_href(member_id: str) -> str:
    """The page of a member (pages name members by internal id: no '/' or '+' to escape)."""
    return f"/members/{member_id}"


def num(x: float) -> str:
    """A coordinate with one decimal: enough on any screen, and small SVG."""
    return f"{x:.1f}"


def shape(kind: str, x: float, y: float, r: float, attrs: str) -> str:
    """A member circle, person square or organisation hexagon of radius about ``r``."""
    if kind == "person":
        s, side = r * 0.9, num(r * 1.8)
        return f'<rect x="{num(x - s)}" y="{num(y - s)}" width="{side}" height="{side}" {attrs}/>'
    if kind == "organisation":
        corners = (math.pi / 3 * i for i in range(6))
        pts = " ".join(
            f"{num(x + 1.15 * r * math.cos(a))},{num(y + r * math.sin(a))}" for a in corners
        )
        return f'<polygon points="{pts}" {attrs}/>'
    return f'<circle cx="{num(x)}" cy="{num(y)}" r="{num(r)}" {attrs}/>'


def short(name: str, limit: int) -> str:
    """The name cut to ``limit`` characters, with an ellipsis when cut."""
    return name if len(name) <= limit else name[: max(1, limit - 1)].rstrip() + "…"


def plural(count: int, one: str, many: str | None = None) -> str:
    """'1 peer', '2 peers'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


def text(x: float, y: float, words: str, size: int, extra: str = "") -> str:
    """Escaped text at (x, y)."""
    return f'<text x="{num(x)}" y="{num(y)}" font-size="{size}" {extra}>{escape(words)}</text>'


def document(
    width: int, height: int, ids: str, title: str, desc: str, body: str, links: bool
) -> Markup:
    """The <svg> element around ``body``, named by its title and described by ``desc``."""
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


def legend(
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
            out.append(f'<g transform="translate({num(x)},{num(y)})">{sample}</g>')
            out.append(text(x + 34, y + size * 0.9, label, size))
            x += w + 16
        y += size * 1.8
    return "".join(out) + "</g>", y
