"""`graph-service import enrolments`: a college's CSV export, checked row by row, batched."""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from graph_service.domain import EnrolmentStatus
from graph_service.ids import new_id, to_global_id
from graph_service.services import Services
from graph_service.services.validation import now_iso, today
from graph_service.store import Store
from graph_service.store.consents import grant, revoke
from graph_service.store.enrolments import of_members
from graph_service.store.members import create_member
from loaders.csvfile import CsvFormatError, LoadError, Problem
from loaders.enrolments import NOT_CONSENTING, ImportResult, import_enrolments
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "loaders" / "examples" / "enrolments.csv"
HEADER = "member_id,course_id,enrolled_on,status,completed_on"
SOUTHPORT = to_global_id("College", "southport-college")
WRAP = to_global_id("Course", "sc-wrap-intro")
GUITAR = to_global_id("Course", "sc-guitar")
TOOLBOX = to_global_id("Course", "sc-wellness-toolbox")
SOUTHPORT_COURSES = ["sc-wellness-toolbox", "sc-wrap-intro", "sc-guitar", "sc-keyboard-midi"]
TAI_CHI = to_global_id("Course", "wc-tai-chi")  # Waterloo's
TODAY = today()
PAST = (TODAY - timedelta(days=60)).isoformat()
RECENT = (TODAY - timedelta(days=5)).isoformat()
FOREIGN_COURSE = "unknown course, or not a course of this college"


@dataclass(frozen=True)
class World:
    """Seeded colleges and members in every state of consent (global ids)."""

    ann: str  # consents to Southport
    bob: str  # consents to Southport
    cas: str  # consents to Waterloo only
    dee: str  # consented to Southport, then revoked
    internal: dict[str, str]


@pytest.fixture
async def world(store: Store) -> World:
    """The partner colleges and four members."""
    await Services.build(store).colleges.seed()
    now, ids = now_iso(), {}
    for name in ("ann", "bob", "cas", "dee"):
        ids[name] = new_id()
        await create_member(store, ids[name], name.title(), TODAY, now)
    for name in ("ann", "bob", "dee"):
        await grant(store, ids[name], "southport-college", now)
    await grant(store, ids["cas"], "waterloo-college", now)
    await revoke(store, ids["dee"], "southport-college", now)
    return World(*(to_global_id("Member", ids[n]) for n in ("ann", "bob", "cas", "dee")), ids)


def _csv(tmp_path: Path, *lines: str, name: str = "enrolments.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


async def _statuses(store: Store, world: World) -> dict[tuple[str, str], str]:
    found = await of_members(store, list(world.internal.values()))
    return {(e.member_id, e.course_id): e.status.value for es in found.values() for e in es}


async def test_good_file_writes_every_row(store: Store, world: World, tmp_path: Path) -> None:
    path = _csv(
        tmp_path,
        HEADER,
        f"{world.ann},{WRAP},{PAST},COMPLETED,{RECENT}",
        f"{world.ann},{GUITAR},{RECENT},,",
        f"{world.bob},{WRAP},{PAST},withdrawn,",
    )
    result = await import_enrolments(store, path, SOUTHPORT)
    assert result == ImportResult(written=3, unchanged=0, rejected=[], dry_run=False)
    ann = (await of_members(store, [world.internal["ann"]]))[world.internal["ann"]]
    wrap = next(e for e in ann if e.course_id == "sc-wrap-intro")
    assert (wrap.status, wrap.enrolled_on.isoformat(), str(wrap.completed_on)) == (
        EnrolmentStatus.COMPLETED,
        PAST,
        RECENT,
    )
    assert await _statuses(store, world) == {
        (world.internal["ann"], "sc-wrap-intro"): "COMPLETED",
        (world.internal["ann"], "sc-guitar"): "ENROLLED",
        (world.internal["bob"], "sc-wrap-intro"): "WITHDRAWN",
    }


BAD_ROWS = [
    ("malformed-member", "{ann}x,{wrap},{past},,", "member_id", "not a Member id as the API"),
    ("course-id-as-member", "{wrap},{guitar},{past},,", "member_id", "not a Member id"),
    ("malformed-course", "{ann},sc-guitar,{past},,", "course_id", "not a Course id as the API"),
    ("missing-member", ",{guitar},{past},,", "member_id", "a value is required"),
    ("unknown-course", "{ann},{nowhere},{past},,", "course_id", FOREIGN_COURSE),
    ("course-of-other-college", "{ann},{tai_chi},{past},,", "course_id", FOREIGN_COURSE),
    ("unknown-member", "{ghost},{guitar},{past},,", "member_id", NOT_CONSENTING),
    ("consent-to-other-college", "{cas},{guitar},{past},,", "member_id", NOT_CONSENTING),
    ("revoked-consent", "{dee},{guitar},{past},,", "member_id", NOT_CONSENTING),
    ("date-not-iso", "{bob},{guitar},14/09/2026,,", "enrolled_on", "YYYY-MM-DD"),
    ("date-compact", "{bob},{guitar},20260914,,", "enrolled_on", "YYYY-MM-DD"),
    ("date-impossible", "{bob},{guitar},2026-02-30,,", "enrolled_on", "YYYY-MM-DD"),
    ("date-missing", "{bob},{guitar},,,", "enrolled_on", "a value is required"),
    ("enrolled-too-far-ahead", "{bob},{guitar},{far},,", "enrolled_on", "within a year"),
    (
        "completed-in-future",
        "{bob},{guitar},{past},COMPLETED,{tomorrow}",
        "completed_on",
        "between enrolled_on and today",
    ),
    (
        "completed-before-enrolled",
        "{bob},{guitar},{recent},COMPLETED,{past}",
        "completed_on",
        "between enrolled_on and today",
    ),
    (
        "completed-without-date",
        "{bob},{guitar},{past},COMPLETED,",
        "completed_on",
        "a completed enrolment needs completed_on",
    ),
    (
        "completed-on-while-enrolled",
        "{bob},{guitar},{past},ENROLLED,{recent}",
        "completed_on",
        "only a COMPLETED enrolment has completed_on",
    ),
    ("bad-status", "{bob},{guitar},{past},FINISHED,", "status", "ENROLLED, COMPLETED, WITHDRAWN"),
    (
        "duplicate-in-file",
        "{ann},{wrap},{recent},,",
        "course_id",
        "same member and course as line 2",
    ),
    ("value-beyond-header", "{bob},{guitar},{past},,,oops", "6", "a value under no header column"),
]


@pytest.mark.parametrize(
    ("bad", "column", "reason"), [case[1:] for case in BAD_ROWS], ids=[c[0] for c in BAD_ROWS]
)
async def test_bad_row_is_rejected_and_the_others_written(
    store: Store, world: World, tmp_path: Path, bad: str, column: str, reason: str
) -> None:
    values = {
        "ann": world.ann,
        "cas": world.cas,
        "dee": world.dee,
        "bob": world.bob,
        "ghost": to_global_id("Member", "no-such-member"),
        "wrap": WRAP,
        "guitar": GUITAR,
        "tai_chi": TAI_CHI,
        "nowhere": to_global_id("Course", "no-such-course"),
        "past": PAST,
        "recent": RECENT,
        "far": (TODAY + timedelta(days=400)).isoformat(),
        "tomorrow": (TODAY + timedelta(days=1)).isoformat(),
    }
    path = _csv(
        tmp_path,
        HEADER,
        f"{world.ann},{WRAP},{PAST},,",
        bad.format(**values),
        f"{world.bob},{TOOLBOX},{PAST},,",
    )
    result = await import_enrolments(store, path, SOUTHPORT)
    assert len(result.rejected) == 1, result.rejected
    problem = result.rejected[0]
    assert (problem.line, problem.column) == (3, column)
    assert reason in problem.reason
    assert (result.written, result.unchanged, result.rejected_rows) == (2, 0, 1)
    assert set(await _statuses(store, world)) == {
        (world.internal["ann"], "sc-wrap-intro"),
        (world.internal["bob"], "sc-wellness-toolbox"),
    }


async def test_row_with_several_problems_is_one_rejected_row(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = _csv(tmp_path, HEADER, f"nope,{TAI_CHI},yesterday,DONE,")
    result = await import_enrolments(store, path, SOUTHPORT)
    assert [str(p) for p in result.rejected] == [
        "line 2, column member_id: not a Member id as the API shows it",
        f"line 2, column course_id: {FOREIGN_COURSE}",
        "line 2, column enrolled_on: must be a date written YYYY-MM-DD",
        "line 2, column status: must be one of ENROLLED, COMPLETED, WITHDRAWN"
        " (empty means ENROLLED)",
    ]
    assert result.summary() == "written 0, unchanged 0, rejected 1"


async def test_line_numbers_count_blank_lines_and_quoted_line_breaks(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        HEADER,
        "",
        f'{world.ann},{WRAP},{PAST},"ENROLLED',
        'late",',
        ",,,,",
        f"{world.bob},{WRAP},{PAST},,",
        f"{world.ann},{GUITAR},someday,,",
    )
    result = await import_enrolments(store, path, SOUTHPORT)
    assert [(p.line, p.column) for p in result.rejected] == [(3, "status"), (7, "enrolled_on")]
    assert result.written == 1


async def test_rerun_writes_nothing_and_reports_rows_unchanged(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        HEADER,
        f"{world.ann},{WRAP},{PAST},COMPLETED,{RECENT}",
        f"{world.ann},{GUITAR},{RECENT},,",
        f"{world.dee},{GUITAR},{RECENT},,",
        f"{world.bob},{WRAP},{PAST},,",
    )
    first = await import_enrolments(store, path, SOUTHPORT)
    before = await _statuses(store, world)
    again = await import_enrolments(store, path, SOUTHPORT)
    assert (first.written, first.unchanged) == (3, 0)
    assert (again.written, again.unchanged) == (0, 3)
    assert again.rejected == first.rejected == [Problem(4, "member_id", NOT_CONSENTING)]
    assert await _statuses(store, world) == before


async def test_dry_run_reports_the_same_and_writes_nothing(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        HEADER,
        f"{world.ann},{WRAP},{PAST},,",
        f"{world.cas},{WRAP},{PAST},,",
        f"{world.bob},{GUITAR},{PAST},COMPLETED,",
    )
    dry = await import_enrolments(store, path, SOUTHPORT, dry_run=True)
    assert await _statuses(store, world) == {}
    real = await import_enrolments(store, path, SOUTHPORT)
    assert dry.rejected == real.rejected and len(real.rejected) == 2
    # A dry run counts what it would write.
    assert (dry.written, dry.unchanged, real.written, real.unchanged) == (1, 0, 1, 0)
    assert (dry.dry_run, real.dry_run) == (True, False)
    assert dry.summary() == "written 1, unchanged 0, rejected 2 (dry run: nothing written)"


async def test_spreadsheet_export_with_bom_semicolons_and_crlf(
    store: Store, world: World, tmp_path: Path
) -> None:
    path = tmp_path / "export.csv"
    text = (
        " Member_ID ;COURSE_ID;Enrolled_On;Status\r\n"
        f"{world.ann} ;{WRAP};{PAST};Completed\r\n"
        f'"{world.bob}";{GUITAR};{RECENT};\r\n'
        ";;;\r\n"
    )
    path.write_bytes(text.encode("utf-8-sig"))
    result = await import_enrolments(store, path, SOUTHPORT)
    # No completed_on column at all: the COMPLETED row says what it lacks.
    assert [str(p) for p in result.rejected] == [
        "line 2, column completed_on: a completed enrolment needs completed_on"
    ]
    assert result.written == 1


UNUSABLE_FILES = [
    ("latin-1", lambda ok: (HEADER + "\n" + ok + "\nCafé,,,,\n").encode("latin-1"), "not UTF-8"),
    ("utf-16", lambda ok: (HEADER + "\n" + ok + "\n").encode("utf-16"), "not UTF-8"),
    (
        "tab-separated",
        lambda ok: (HEADER + "\n" + ok + "\n").replace(",", "\t").encode(),
        "commas or semicolons, the header line holds tabs",
    ),
    (
        "both-delimiters",
        lambda ok: ("member_id;course_id,enrolled_on\n" + ok + "\n").encode(),
        "both commas and semicolons",
    ),
    (
        "missing-column",
        lambda ok: ("member_id,course_id,status\n" + ok + "\n").encode(),
        "missing column(s) enrolled_on",
    ),
    (
        "unknown-column",
        lambda ok: ("member_id,course_id,enrolled_on,grade\n" + ok + "\n").encode(),
        "unknown column(s) grade",
    ),
    (
        "repeated-column",
        lambda ok: ("member_id,course_id,enrolled_on,course_id\n" + ok + "\n").encode(),
        "repeated column(s) course_id",
    ),
    ("empty", lambda ok: b"\xef\xbb\xbf\n", "the file is empty"),
    (
        "unclosed-quote",
        lambda ok: (HEADER + "\n" + ok + '\n"abc,,,,\n').encode(),
        "row that starts on line 3",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), [c[1:] for c in UNUSABLE_FILES], ids=[c[0] for c in UNUSABLE_FILES]
)
async def test_unusable_file_is_a_clear_error_and_nothing_is_written(
    store: Store, world: World, tmp_path: Path, content: Callable[[str], bytes], message: str
) -> None:
    path = tmp_path / "bad.csv"
    path.write_bytes(content(f"{world.ann},{WRAP},{PAST},,"))
    with pytest.raises(CsvFormatError) as raised:
        await import_enrolments(store, path, SOUTHPORT)
    assert message in str(raised.value)
    assert str(path) in str(raised.value)
    assert await _statuses(store, world) == {}


@pytest.mark.parametrize(
    ("college", "message"),
    [
        (to_global_id("College", "nowhere-college"), "there is no college with id"),
        ("southport-college", "is not a College id as the API shows it"),
        (to_global_id("Course", "sc-guitar"), "is not a College id"),
    ],
    ids=["unknown", "internal-id", "course-id"],
)
async def test_unusable_college_is_a_clear_error(
    store: Store, world: World, tmp_path: Path, college: str, message: str
) -> None:
    path = _csv(tmp_path, HEADER, f"{world.ann},{WRAP},{PAST},,")
    with pytest.raises(LoadError, match="--college") as raised:
        await import_enrolments(store, path, college)
    assert message in str(raised.value)
    assert await _statuses(store, world) == {}


async def test_missing_file_is_a_clear_error(store: Store, world: World, tmp_path: Path) -> None:
    with pytest.raises(CsvFormatError, match="cannot read the file"):
        await import_enrolments(store, tmp_path / "absent.csv", SOUTHPORT)


@pytest.mark.parametrize(
    ("batch_size", "batches"), [(500, 1), (100, 3)], ids=["one-batch", "three-batches"]
)
async def test_long_file_goes_through_in_batches_with_progress(
    store: Store, world: World, tmp_path: Path, batch_size: int, batches: int
) -> None:
    now, members = now_iso(), []
    for number in range(75):
        member = await create_member(store, new_id(), f"Learner {number}", TODAY, now)
        await grant(store, member.id, "southport-college", now)
        members.append(member.id)
    lines = [
        f"{to_global_id('Member', m)},{to_global_id('Course', c)},{PAST},,"
        for m in members
        for c in SOUTHPORT_COURSES
    ]
    path = _csv(tmp_path, HEADER, *lines)
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=100)
    before = store.statements
    result = await import_enrolments(store, path, SOUTHPORT, console=console, batch_size=batch_size)
    # The college, then per batch: courses, consent, existing enrolments, one write, one
    # append to the audit trail and one to the change log.
    assert store.statements - before == 1 + 6 * batches
    assert (result.written, result.rejected) == (300, [])
    found = await of_members(store, members)
    assert sum(len(enrolments) for enrolments in found.values()) == 300
    assert "checking" in screen.getvalue() and "300/300" in screen.getvalue()
    assert "writing" in screen.getvalue()


async def test_short_file_prints_nothing(store: Store, world: World, tmp_path: Path) -> None:
    screen = io.StringIO()
    path = _csv(tmp_path, HEADER, f"{world.ann},{WRAP},{PAST},,")
    await import_enrolments(store, path, SOUTHPORT, console=Console(file=screen))
    assert screen.getvalue() == ""


def test_command_reports_rows_summary_and_exit_codes(tmp_path: Path) -> None:
    assert run_cli(tmp_path, "seed").returncode == 0
    # The example's member ids are placeholders: every row is refused, no member revealed.
    done = run_cli(tmp_path, "import", "enrolments", str(EXAMPLE), "--college", SOUTHPORT)
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    rows = len(EXAMPLE.read_text(encoding="utf-8").splitlines()) - 1
    assert lines[:-1] == [
        f"line {n}, column member_id: {NOT_CONSENTING}" for n in range(2, rows + 2)
    ]
    assert lines[-1] == f"written 0, unchanged 0, rejected {rows}"
    tabs = tmp_path / "tabs.csv"
    tabs.write_text(EXAMPLE.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    dry = run_cli(tmp_path, "import", "enrolments", str(tabs), "--college", SOUTHPORT, "--dry-run")
    assert dry.returncode == 2
    assert "error:" in dry.stderr and "tab-separated" in dry.stderr
    assert dry.stdout == ""
