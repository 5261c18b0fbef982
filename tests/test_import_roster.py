"""`graph-service import members` and `import circles`: coordinators' rosters, row by row."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.domain import MemberStatus, Relation, SupporterKind, TieStatus
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.services.validation import now_iso, today
from graph_service.store import Store
from graph_service.store.circles import NewTie, add_tie, circles, end_tie
from graph_service.store.imports import member_refs
from graph_service.store.members import list_members
from loaders.circles import import_circles
from loaders.csvfile import CsvFormatError
from loaders.enrolments import ImportResult
from loaders.members import import_members
from tests.conftest import run_cli

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "loaders" / "examples"
MEMBERS = "member_ref,display_name,member_since,status"
CIRCLES = "member_ref,relation,supporter_ref,supporter_name,organisation_id,status"
SEFTON = to_global_id("Organisation", "sefton-peer-network")
PAST = (today() - timedelta(days=90)).isoformat()
ROSTER = [f"R-{n},Member {n},{PAST}," for n in range(1, 6)] + [
    "R-6,Paused Member,,PAUSED",
    "R-7,Gone Member,,LEFT",
]


def _csv(tmp_path: Path, *lines: str, name: str = "file.csv", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


@pytest.fixture
async def roster(store: Store, tmp_path: Path) -> dict[str, str]:
    """The seeded organisations and seven members (R-6 PAUSED, R-7 LEFT); member id by ref."""
    await Services.build(store).organisations.seed()
    result = await import_members(store, _csv(tmp_path, MEMBERS, *ROSTER, name="roster.csv"))
    assert (result.written, result.rejected) == (7, [])
    return {ref: found.id for ref, found in (await member_refs(store)).items()}


async def _circle(store: Store, member_id: str) -> list[tuple[str, str, str, str]]:
    ties = (await circles(store, [member_id], include_ended=False))[member_id]
    return sorted(
        (t.supporter.kind.value, t.supporter.name or "", t.relation.value, t.status.value)
        for t in ties
    )


async def test_example_files_load_in_order_on_a_seeded_graph(store: Store) -> None:
    services = Services.build(store)
    await services.organisations.seed()
    await services.colleges.seed()
    members = await import_members(store, EXAMPLES / "members.csv")
    assert members == ImportResult(written=12, unchanged=0, rejected=[], dry_run=False)
    page = await list_members(store, offset=0, limit=50)
    assert page.total == 12
    alex = next(m for m in page.items if m.display_name == "Alex Morgan")
    assert (alex.status, alex.member_since.isoformat()) == (MemberStatus.ACTIVE, "2023-03-14")
    assert {m.status for m in page.items} == set(MemberStatus)
    ties = await import_circles(store, EXAMPLES / "circles.csv", circle_max=5)
    assert (ties.written, ties.unchanged, ties.rejected) == (22, 0, [])
    assert await _circle(store, alex.id) == [
        ("MEMBER", "Bernadette Quinn", "PEER", "ACTIVE"),
        ("ORGANISATION", "Sefton Recovery Peer Network", "ORGANISATION", "ACTIVE"),
        ("PERSON", "Maureen Morgan", "FAMILY", "ACTIVE"),
    ]
    refs = await member_refs(store)
    assert ("MEMBER", "Dee Harrison", "PEER", "INVITED") in await _circle(
        store, refs["SEF-0003"].id
    )


async def test_members_are_stored_with_their_ref(store: Store, roster: dict[str, str]) -> None:
    page = await list_members(store, offset=0, limit=50)
    by_name = {m.display_name: m for m in page.items}
    assert by_name["Member 1"].member_since.isoformat() == PAST
    assert by_name["Paused Member"].status is MemberStatus.PAUSED
    assert by_name["Gone Member"].member_since == today()  # empty member_since means today
    assert sorted(roster) == [f"R-{n}" for n in range(1, 8)]


BAD_MEMBERS = [
    ("ref-with-space", "SEF 0042,Ann,,", "member_ref", "letters, digits"),
    ("ref-too-long", "{long},Ann,,", "member_ref", "1 to 40"),
    ("ref-missing", ",Ann,,", "member_ref", "a value is required"),
    ("ref-repeated", "A-1,Ann again,,", "member_ref", "the same ref as line 2"),
    ("name-missing", "B-9,,,", "display_name", "1 to 80 characters"),
    ("name-too-long", "B-9,{name},,", "display_name", "1 to 80 characters"),
    ("name-control-char", "B-9,Ann\u200bSmith,,", "display_name", "control characters"),
    ("date-not-iso", "B-9,Ann,14/09/2024,", "member_since", "YYYY-MM-DD"),
    ("date-impossible", "B-9,Ann,2024-02-30,", "member_since", "YYYY-MM-DD"),
    ("date-in-future", "B-9,Ann,{tomorrow},", "member_since", "not be in the future"),
    ("bad-status", "B-9,Ann,,GONE", "status", "ACTIVE, PAUSED, LEFT"),
    ("value-beyond-header", "B-9,Ann,,,oops", "5", "a value under no header column"),
]


@pytest.mark.parametrize(
    ("bad", "column", "reason"), [c[1:] for c in BAD_MEMBERS], ids=[c[0] for c in BAD_MEMBERS]
)
async def test_bad_member_row_is_rejected_and_the_others_written(
    store: Store, tmp_path: Path, bad: str, column: str, reason: str
) -> None:
    values = {"long": "x" * 41, "name": "n" * 81, "tomorrow": today() + timedelta(days=1)}
    path = _csv(tmp_path, MEMBERS, "A-1,Ann,,", bad.format(**values), "A-2,Bob,,")
    result = await import_members(store, path)
    assert [(p.line, p.column) for p in result.rejected] == [(3, column)]
    assert reason in result.rejected[0].reason
    assert result.summary() == "written 2, unchanged 0, rejected 1"
    assert sorted(await member_refs(store)) == ["A-1", "A-2"]


@pytest.mark.parametrize(
    ("encoding", "separator"),
    [("utf-8-sig", ","), ("utf-8", ";"), ("utf-8-sig", ";")],
    ids=["bom-commas", "semicolons", "bom-semicolons"],
)
async def test_spreadsheet_exports_are_read(
    store: Store, tmp_path: Path, encoding: str, separator: str
) -> None:
    lines = [MEMBERS, "A-1,Zoë Brontë,2024-01-02,", "A-2,Bob,,paused"]
    path = _csv(tmp_path, *(line.replace(",", separator) for line in lines), encoding=encoding)
    result = await import_members(store, path)
    assert (result.written, result.rejected) == (2, [])
    names = {m.display_name for m in (await list_members(store, offset=0, limit=10)).items}
    assert names == {"Zoë Brontë", "Bob"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"member_ref\tdisplay_name\nA-1\tAnn\n", "tab-separated"),
        (b"member_ref,display_name\nA-1,Ren\xe9\n", "not UTF-8"),
        (b"member_ref,name\nA-1,Ann\n", "missing column(s) display_name"),
        (b"member_ref,relation\nA-1,FAMILY\n", "unknown column(s) relation"),
    ],
    ids=["tabs", "latin-1", "missing-column", "circles-file-as-members"],
)
async def test_unusable_members_file_writes_nothing(
    store: Store, tmp_path: Path, content: bytes, message: str
) -> None:
    path = tmp_path / "members.csv"
    path.write_bytes(content)
    with pytest.raises(CsvFormatError, match=re.escape(message)):
        await import_members(store, path)
    assert await member_refs(store) == {}


async def test_members_rerun_and_dry_run(store: Store, tmp_path: Path) -> None:
    path = _csv(tmp_path, MEMBERS, "A-1,Ann,,", "A-2,Bob,,")
    dry = await import_members(store, path, dry_run=True)
    assert dry.summary() == "written 2, unchanged 0, rejected 0 (dry run: nothing written)"
    assert await member_refs(store) == {}
    assert (await import_members(store, path)).written == 2
    # An existing ref is left as it is, even when the file now says something else.
    changed = _csv(tmp_path, MEMBERS, "A-1,Ann Renamed,,PAUSED", "A-2,Bob,,", "A-3,Cy,,")
    again = await import_members(store, changed)
    assert again == ImportResult(written=1, unchanged=2, rejected=[], dry_run=False)
    names = {m.display_name for m in (await list_members(store, offset=0, limit=10)).items}
    assert names == {"Ann", "Bob", "Cy"}


async def test_circles_of_every_supporter_kind(
    store: Store, roster: dict[str, str], tmp_path: Path
) -> None:
    path = _csv(
        tmp_path,
        CIRCLES,
        "R-1,FAMILY,,Mary Smith,,",
        "R-1,peer,R-2,,,",
        "R-1,FRIEND,R-3,,,INVITED",
        f"R-1,ORGANISATION,,,{SEFTON},",
    )
    result = await import_circles(store, path, circle_max=5)
    assert result.summary() == "written 4, unchanged 0, rejected 0"
    assert await _circle(store, roster["R-1"]) == [
        ("MEMBER", "Member 2", "PEER", "ACTIVE"),
        ("MEMBER", "Member 3", "FRIEND", "INVITED"),
        ("ORGANISATION", "Sefton Recovery Peer Network", "ORGANISATION", "ACTIVE"),
        ("PERSON", "Mary Smith", "FAMILY", "ACTIVE"),
    ]
    again = await import_circles(store, path, circle_max=5)
    assert again == ImportResult(written=0, unchanged=4, rejected=[], dry_run=False)
    # The same name under another relation is another person; case does not matter.
    more = _csv(tmp_path, CIRCLES, "R-1,FAMILY,,MARY SMITH,,", "R-1,FRIEND,,Mary Smith,,")
    assert (await import_circles(store, more, circle_max=5)).summary() == (
        "written 1, unchanged 1, rejected 0"
    )


BAD_CIRCLES = [
    ("unknown-member", "R-99,FAMILY,,Pat,,", "member_ref", "no member has this ref"),
    ("malformed-member-ref", "R 1,FAMILY,,Pat,,", "member_ref", "letters, digits"),
    ("paused-member", "R-6,FAMILY,,Pat,,", "member_ref", "the member is PAUSED"),
    ("unknown-supporter", "R-1,PEER,R-99,,,", "supporter_ref", "no member has this ref"),
    ("supporter-left", "R-1,PEER,R-7,,,", "supporter_ref", "the supporter is LEFT"),
    ("self-support", "R-1,PEER,R-1,,,", "supporter_ref", "their own circle"),
    ("unknown-organisation", "R-1,ORGANISATION,,,{nowhere},", "organisation_id", "no organisation"),
    ("malformed-organisation", "R-1,ORGANISATION,,,sefton,", "organisation_id", "not an Organi"),
    ("member-id-as-organisation", "R-1,ORGANISATION,,,{member},", "organisation_id", "not an Or"),
    ("bad-relation", "R-1,NEIGHBOUR,,Pat,,", "relation", "FAMILY, FRIEND, PEER"),
    ("organisation-not-organisation", "R-1,FRIEND,,,{sefton},", "relation", "has relation ORG"),
    ("organisation-relation-for-person", "R-1,ORGANISATION,,Pat,,", "relation", "needs organis"),
    ("no-supporter", "R-1,FAMILY,,,,", "supporter_ref", "exactly one of"),
    ("two-supporters", "R-1,PEER,R-3,Pat,,", "supporter_name", "exactly one of"),
    ("duplicate-line", "R-1,FAMILY,,mary smith,,", "supporter_name", "same member and supporter"),
    ("invited-person", "R-1,FAMILY,,Pat,,INVITED", "status", "only a tie to another member"),
    ("bad-status", "R-1,PEER,R-3,,,ENDED", "status", "INVITED or ACTIVE"),
    ("name-control-char", "R-1,FAMILY,,Pat\x07,,", "supporter_name", "control characters"),
]


async def test_names_a_crisis_plan_keeps_out_are_refused(
    store: Store, roster: dict[str, str], tmp_path: Path
) -> None:
    boss = Principal(Role.COORDINATOR, subject="coordinator:test")
    kept = await Services.build(store).crisis.set(
        boss, roster["R-1"], [], ["mary smith", "Member 2"]
    )
    assert kept.errors == []
    path = _csv(
        tmp_path,
        CIRCLES,
        "R-1,FAMILY,,Mary  Smith,,",  # case and spacing do not matter, as in the API
        "R-1,PEER,R-2,,,",
        "R-1,FRIEND,,Jo,,",
        "R-3,FAMILY,,Mary Smith,,",  # another member's plan says nothing about her
    )
    result = await import_circles(store, path, circle_max=5)
    assert result.summary() == "written 2, unchanged 0, rejected 2"
    assert [(p.line, p.column) for p in result.rejected] == [
        (2, "supporter_name"),
        (3, "supporter_ref"),
    ]
    assert all("crisis plan" in p.reason for p in result.rejected)
    assert await _circle(store, roster["R-1"]) == [("PERSON", "Jo", "FRIEND", "ACTIVE")]


@pytest.mark.parametrize(
    ("bad", "column", "reason"), [c[1:] for c in BAD_CIRCLES], ids=[c[0] for c in BAD_CIRCLES]
)
async def test_bad_circle_row_is_rejected_and_the_others_written(
    store: Store, roster: dict[str, str], tmp_path: Path, bad: str, column: str, reason: str
) -> None:
    values = {
        "nowhere": to_global_id("Organisation", "nowhere"),
        "member": to_global_id("Member", roster["R-2"]),
        "sefton": SEFTON,
    }
    path = _csv(
        tmp_path, CIRCLES, "R-1,FAMILY,,Mary Smith,,", bad.format(**values), "R-2,PEER,R-1,,,"
    )
    result = await import_circles(store, path, circle_max=5)
    assert [(p.line, p.column) for p in result.rejected] == [(3, column)], result.rejected
    assert reason in result.rejected[0].reason
    assert (result.written, result.unchanged, result.rejected_rows) == (2, 0, 1)
    assert [t[1] for t in await _circle(store, roster["R-1"])] == ["Mary Smith"]
    assert [t[1] for t in await _circle(store, roster["R-2"])] == ["Member 1"]


async def test_circle_limit_counts_existing_ties_then_file_rows_in_order(
    store: Store, roster: dict[str, str], tmp_path: Path
) -> None:
    for supporter in ("R-2", "R-3"):  # two open ties already, one of them only invited
        tie = NewTie(
            f"tie-{supporter}",
            roster["R-1"],
            Relation.PEER,
            TieStatus.INVITED,
            SupporterKind.MEMBER,
            roster[supporter],
        )
        assert await add_tie(store, tie, 5, now_iso()) is None
    path = _csv(
        tmp_path,
        CIRCLES,
        "R-1,FAMILY,,Pat,,",
        "R-1,PEER,R-2,,,",  # already in the circle: unchanged, not counted again
        "R-1,NEIGHBOUR,,Sam,,",  # rejected for itself: takes no place
        "R-1,FRIEND,,Sam,,",
        "R-1,FRIEND,R-4,,,",
        "R-2,FRIEND,R-4,,,",
    )
    dry = await import_circles(store, path, circle_max=4, dry_run=True)
    result = await import_circles(store, path, circle_max=4)
    for done in (dry, result):
        assert [(p.line, p.column) for p in done.rejected] == [(4, "relation"), (6, "member_ref")]
        assert done.rejected[1].reason == (
            "the circle would exceed the limit of 4 supporters (invited or active)"
        )
        assert (done.written, done.unchanged) == (3, 1)
    assert [t[1] for t in await _circle(store, roster["R-1"])] == [
        "Member 2",
        "Member 3",
        "Pat",
        "Sam",
    ]


async def test_dry_run_writes_nothing(store: Store, roster: dict[str, str], tmp_path: Path) -> None:
    path = _csv(tmp_path, CIRCLES, "R-1,FAMILY,,Pat,,", "R-1,PEER,R-2,,,", "R-9,PEER,R-2,,,")
    result = await import_circles(store, path, circle_max=5, dry_run=True)
    assert result.summary() == "written 2, unchanged 0, rejected 1 (dry run: nothing written)"
    assert await _circle(store, roster["R-1"]) == []


async def test_ended_tie_is_not_brought_back(
    store: Store, roster: dict[str, str], tmp_path: Path
) -> None:
    path = _csv(tmp_path, CIRCLES, "R-1,FAMILY,,Pat,,", "R-1,PEER,R-2,,,")
    assert (await import_circles(store, path, circle_max=5)).written == 2
    for tie in (await circles(store, [roster["R-1"]], include_ended=False))[roster["R-1"]]:
        assert await end_tie(store, tie.id, now_iso())
    again = await import_circles(store, path, circle_max=5)
    reason = "the tie to this supporter was ENDED: add them again in the app if that is meant"
    assert [(p.column, p.reason) for p in again.rejected] == [
        ("supporter_name", reason),
        ("supporter_ref", reason),
    ]
    assert await _circle(store, roster["R-1"]) == []


def test_cli_imports_members_then_circles_with_exit_codes(tmp_path: Path) -> None:
    members = _csv(tmp_path, MEMBERS, "A-1,Ann,,", "A-2,Bob,,", name="members.csv")
    done = run_cli(tmp_path, "import", "members", str(members))
    assert (done.returncode, done.stdout) == (0, "written 2, unchanged 0, rejected 0\n"), (
        done.stderr
    )
    circle_file = _csv(tmp_path, CIRCLES, "A-1,PEER,A-2,,,", "A-1,FAMILY,,,,", name="circles.csv")
    done = run_cli(tmp_path, "import", "circles", str(circle_file))
    assert done.returncode == 1, done.stderr
    assert done.stdout.splitlines() == [
        "line 3, column supporter_ref: give exactly one of supporter_ref, supporter_name, "
        "organisation_id",
        "written 1, unchanged 0, rejected 1",
    ]
    done = run_cli(tmp_path, "import", "circles", str(members))
    assert (done.returncode, done.stdout) == (2, "")
    assert "missing column(s) relation" in done.stderr
