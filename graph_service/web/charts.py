"""Small column charts of a monthly series (SVG drawn on the server, no JavaScript).

One column per month, from zero; a withheld month (small numbers) is a dashed outline at the
foot of its column, never a height, so the picture shows no more than the figures do. Each
chart has a title, a legend and a text alternative listing every month's figure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Final

from markupsafe import Markup

from graph_service.analysis.disclosure import Shown
from graph_service.web.svg import COLOURS, DASH, FAINT, LINE, document, legend, num, text

WIDTH: Final = 340
PLOT_TOP: Final = 12
PLOT_BOTTOM: Final = 128
LEFT: Final = 40
RIGHT: Final = 8
BAR: Final = COLOURS["member"]


@dataclass(frozen=True)
class Series:
    """One figure month by month: its words, and whether it is a share (shown as %)."""

    key: str
    title: str
    share: bool = False


def month_label(month: str, long: bool = False) -> str:
    """'2026-03' as 'Mar' (or 'March 2026')."""
    day = date.fromisoformat(month + "-01")
    return f"{day:%B %Y}" if long else f"{day:%b}"


def spoken(figure: Shown, share: bool) -> str:
    """A figure in words for the text alternative."""
    if figure.value is None:
        return "withheld (small numbers)"
    return f"{round(figure.value * 100)}%" if share else figure.text


def _top(values: Sequence[float], share: bool) -> float:
    if share:
        return 1.0
    highest = max(values, default=0.0)
    return max(1.0, highest * 1.1)


def column_chart(
    series: Series, months: Sequence[str], figures: Sequence[Shown], ids: str
) -> Markup:
    """The chart of one series over these months (figures in the same order)."""
    values = [f.value for f in figures if f.value is not None]
    top = _top(values, series.share)
    height = PLOT_BOTTOM - PLOT_TOP
    band = (WIDTH - LEFT - RIGHT) / max(1, len(months))
    width = max(4.0, band * 0.7)
    parts = [
        f'<line x1="{LEFT}" y1="{PLOT_BOTTOM}" x2="{WIDTH - RIGHT}" y2="{PLOT_BOTTOM}" '
        f'stroke="{LINE}" stroke-width="1"/>',
        f'<line x1="{LEFT}" y1="{PLOT_TOP}" x2="{WIDTH - RIGHT}" y2="{PLOT_TOP}" '
        f'stroke="{FAINT}" stroke-width="1" stroke-dasharray="2 3"/>',
        text(LEFT - 4, PLOT_BOTTOM + 4, "0", 11, 'text-anchor="end"'),
        text(
            LEFT - 4,
            PLOT_TOP + 4,
            "100%" if series.share else f"{top:.0f}",
            11,
            'text-anchor="end"',
        ),
    ]
    step = max(1, -(-len(months) // 12))  # at most 12 month names under the columns
    for i, (month, figure) in enumerate(zip(months, figures, strict=True)):
        x = LEFT + band * i + (band - width) / 2
        if figure.value is None:
            parts.append(
                f'<rect x="{num(x)}" y="{PLOT_BOTTOM - 8}" width="{num(width)}" height="8" '
                f'fill="none" stroke="{LINE}" stroke-width="1.5" stroke-dasharray="{DASH}"/>'
            )
        else:
            h = max(1.0, height * figure.value / top)
            parts.append(
                f'<rect x="{num(x)}" y="{num(PLOT_BOTTOM - h)}" width="{num(width)}" '
                f'height="{num(h)}" fill="{BAR}"/>'
            )
        if i % step == 0:
            parts.append(
                text(
                    x + width / 2, PLOT_BOTTOM + 16, month_label(month), 11, 'text-anchor="middle"'
                )
            )
    solid = f'<rect x="0" y="2" width="26" height="12" fill="{BAR}"/>'
    dashed = (
        f'<rect x="1" y="6" width="24" height="8" fill="none" stroke="{LINE}" '
        f'stroke-width="1.5" stroke-dasharray="{DASH}"/>'
    )
    key, bottom = legend(
        [[(solid, "figure"), (dashed, "withheld: small numbers")]], PLOT_BOTTOM + 26, WIDTH, 11
    )
    parts.append(key)
    span = f"{month_label(months[0], True)} to {month_label(months[-1], True)}" if months else ""
    desc = f"{series.title}, {span}: " + "; ".join(
        f"{month_label(m, True)} {spoken(f, series.share)}"
        for m, f in zip(months, figures, strict=True)
    )
    body = "".join(parts)
    return document(WIDTH, int(bottom + 4), ids, series.title, desc + ".", body, links=False)
