"""Cells that a spreadsheet will show as text, never run (OWASP's CSV injection rule)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

# A cell starting with one of these is a formula to Excel, LibreOffice or Google Sheets.
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: str) -> str:
    """The value, with a leading apostrophe when a spreadsheet would read it as a formula."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_row(cells: Iterable[object]) -> list[object]:
    """A CSV row with every text cell made safe (numbers and dates cannot start a formula)."""
    return [safe_cell(c) if isinstance(c, str) else c for c in cells]
