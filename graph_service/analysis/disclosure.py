"""Small-number suppression for published figures (NHS disclosure-control practice), pure.

- A count below the threshold ``k`` (5 by default) is shown as ``<k``, never as itself;
  zero too, since "none of them" says something about each of them.
- A count that is part of a shown whole is also withheld (``*``) when the rest of the whole
  is below ``k``: otherwise subtracting it from the whole would give the small count back.
  In a whole of ``k`` to ``2k - 1`` every split has a small side, and saying which side is
  small can pin it down (all 5 of 5), so every part of such a whole is ``*``.
- A rate is shown only when both its part and the rest of its whole are ``k`` or more (it
  is a count divided by a whole, so the same two rules apply); a median only over ``2k`` or
  more people (half of them lie on each side of it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

SUPPRESSED: Final = "*"


@dataclass(frozen=True)
class Shown:
    """A figure as it may be published: its text, and its value unless withheld."""

    text: str
    value: float | None = None

    @property
    def suppressed(self) -> bool:
        """True when the figure is withheld (``<k`` or ``*``)."""
        return self.value is None


def small(k: int) -> Shown:
    """A count below ``k``."""
    return Shown(f"<{k}")


def count(value: int, k: int) -> Shown:
    """A count on its own: shown when it is ``k`` or more."""
    return Shown(str(value), value) if value >= k else small(k)


def part(value: int, whole: int, k: int) -> Shown:
    """A count out of a shown whole: withheld when it, or the rest of the whole, is below k."""
    if k <= whole < 2 * k:
        return Shown(SUPPRESSED)
    if value < k:
        return small(k)
    if whole - value < k:
        return Shown(SUPPRESSED)
    return Shown(str(value), value)


def rate(value: int, whole: int, k: int, digits: int = 3) -> Shown:
    """``value / whole``: shown only when value and whole - value are both ``k`` or more."""
    if value < k or whole - value < k:
        return Shown(SUPPRESSED)
    share = round(value / whole, digits)
    return Shown(f"{share:.{digits}f}", share)


def median(value: float | None, people: int, k: int) -> Shown:
    """A median over ``people``: shown only over ``2k`` or more of them."""
    if value is None or people < 2 * k:
        return Shown(SUPPRESSED)
    text = f"{value:g}"
    return Shown(text, value)
