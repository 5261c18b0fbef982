"""The programme on the command line: `import attendance` and `report trends`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, time, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.domain_programme import NewSession
from graph_service.ids import new_id, to_global_id
from graph_service.reports import ReportFormat
from graph_service.services import Services
from graph_service.services.trends import COLUMNS
from graph_service.services.validation import now_iso
from graph_service.store import Store
from graph_service.store.attendance import attended_by
from graph_service.store.imports import create_members
from graph_service.trend_report import render_trends
from loaders.attendance import import_attendance
from loaders.csvfile import CsvFormatError, Problem
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "loaders" / "examples" / "attendance.csv"
BOSS = Principal(Role.COORDINATOR, subject="coordinator:test")
TODAY = date.today()


async def _session(services: Services, on: date) -> str:
    made = await services.programme.create(
        BOSS, NewSession("WRAP class", on, time(10), 120, "Bootle Library")
    )
    assert made.value is not None, made.errors
    return made.value.id


@pytest.fixture
async def setting(store: Store) -> tuple[Services, dict[str, str], dict[str, str]]:
    """Kinds of session, three members with refs, and sessions (last week, today, next week)."""
    services = Services.build(store)
    await services.programme.seed()
    ids = {name: new_id() for name in ("ann", "bob", "cas")}
    await create_members(
        store,
        [
            {
                "id": i,
                "ref": f"SRN-{name}",
                "name": name.title(),
                "status": "ACTIVE",
                "since": "2024-01-01",
            }
            for name, i in ids.items()
        ],
        now_iso(),
    )
    sessions = {
        "past": await _session(services, TODAY - timedelta(days=7)),
        "today": await _session(services, TODAY),
        "future": await _session(services, TODAY + timedelta(days=7)),
    }
    return services, ids, sessions


def _csv(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "register.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _g(kind: str, internal: str) -> str:
    return to_global_id(kind, internal)


async def test_import_adds_to_registers_with_a_dry_run_first(
    store: Store, tmp_path: Path, setting: tuple[Services, dict[str, str], dict[str, str]]
) -> None:
    _, ids, sessions = setting
    past, today = (
        _g("ProgrammeSession", sessions["past"]),
        _g("ProgrammeSession", sessions["today"]),
    )
    path = _csv(
        tmp_path,
        "session_id;member_id;member_ref",
        f"{past};{_g('Member', ids['ann'])};",
        f"{past};;SRN-bob",
        f"{today};;SRN-ann",
        f"{past};;SRN-ann",  # ann again, by ref this time
        f"{_g('ProgrammeSession', sessions['future'])};;SRN-cas",
        f"{today};;SRN-nobody",
        f"{today};{_g('Member', ids['cas'])};SRN-cas",
        "nonsense;;SRN-cas",
    )
    dry = await import_attendance(store, path, dry_run=True)
    assert (dry.written, dry.unchanged, dry.rejected_rows) == (3, 0, 5)
    assert (await attended_by(store, [ids["ann"]]))[ids["ann"]] == []
    assert dry.rejected == [
        Problem(5, "member_ref", "the same member and session as line 2"),
        Problem(6, "session_id", "this session has not happened yet"),
        Problem(7, "member_ref", "no member has this ref"),
        Problem(8, "member_id", "give exactly one of member_id and member_ref"),
        Problem(9, "session_id", "not a ProgrammeSession id as the API shows it"),
    ]
    done = await import_attendance(store, path)
    assert (done.written, done.unchanged, done.rejected_rows) == (3, 0, 5)
    assert len((await attended_by(store, [ids["ann"]]))[ids["ann"]]) == 2
    again = await import_attendance(store, path)
    assert (again.written, again.unchanged) == (0, 3)


async def test_an_unusable_file_writes_nothing(tmp_path: Path, store: Store) -> None:
    with pytest.raises(CsvFormatError, match="missing column"):
        await import_attendance(store, _csv(tmp_path, "member_id", "x"))


def test_trends_render_as_csv_and_json() -> None:
    from graph_service.analysis.trends import MonthFigures
    from graph_service.services.trends import TrendsReport, shown

    raw = MonthFigures("2026-01", date(2026, 1, 31), 40, 22, 3, 30, 12, 9, 8, 97, 2.0)
    report = TrendsReport([shown(raw, 5)], 5)
    text = render_trends(report, ReportFormat.csv, Console())
    assert text is not None
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["month", *(heading for _, heading in COLUMNS)]
    assert rows[1] == ["2026-01", "40", "22", "0.550", "<5", "0.400", "9", "8", "97", "2"]
    document = json.loads(render_trends(report, ReportFormat.json, Console()) or "")
    assert document["minCount"] == 5
    assert document["months"][0]["members"] == 40
    assert document["months"][0]["flagged_isolated"] == "<5"
    assert document["months"][0]["reciprocity_rate"] == 0.4


def test_commands_print_the_report_and_the_rows_refused(tmp_path: Path) -> None:
    month = TODAY.strftime("%Y-%m")
    report = run_cli(tmp_path, "report", "trends", "--from", month, "--to", month)
    assert report.returncode == 0, report.stderr
    assert report.stdout.splitlines() == [
        "month," + ",".join(heading for _, heading in COLUMNS),
        f"{month},<5,<5,*,<5,*,<5,<5,<5,*",
    ]
    bad = run_cli(tmp_path, "report", "trends", "--from", "2026-13", "--to", month)
    assert bad.returncode == 2 and "YYYY-MM" in bad.stderr
    # The example's ids are placeholders: every row is refused.
    done = run_cli(tmp_path, "import", "attendance", str(EXAMPLE), "--dry-run")
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "line 2, column session_id: no session has this id",
        "line 2, column member_id: no member has this id",
        "line 3, column member_ref: no member has this ref",
        "line 4, column session_id: no session has this id",
        "line 4, column member_id: no member has this id",
        "written 0, unchanged 0, rejected 3 (dry run: nothing written)",
    ]
