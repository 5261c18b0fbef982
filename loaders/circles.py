"""Import of members' circles from a coordinators' CSV export (`graph-service import circles`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.domain import MemberStatus, Relation, TieStatus
from graph_service.events import ChangeKind, change
from graph_service.ids import from_global_id, new_id
from graph_service.services.audit import AuditService
from graph_service.services.crisis import name_key
from graph_service.services.validation import clean_name, now_iso
from graph_service.store import Store, Tx, changes
from graph_service.store import crisis as store_crisis
from graph_service.store import imports as store_imports
from graph_service.store import organisations as store_organisations
from graph_service.store.imports import RefMember
from loaders.csvfile import CheckedRow, Columns, CsvRow, read_csv, row_progress
from loaders.enrolments import ImportResult
from loaders.members import ref_problem

COLUMNS = Columns(
    required=("member_ref", "relation"),
    optional=("supporter_ref", "supporter_name", "organisation_id", "status"),
)
SUPPORTERS = ("supporter_ref", "supporter_name", "organisation_id")
BATCH = 500
RELATIONS = ", ".join(r.value for r in Relation)
ONE_SUPPORTER = "give exactly one of supporter_ref, supporter_name, organisation_id"
NOT_WRITTEN = "not written: the circle changed during the import; run the import again"
CLOSED = "the tie to this supporter was {}: add them again in the app if that is meant"
FULL = "the circle would exceed the limit of {} supporters (invited or active)"
IMPORTER = Principal(Role.COORDINATOR, subject="import:circles")
KEPT_OUT = "the member's crisis plan says this person must not be involved"
OPEN = {TieStatus.INVITED.value, TieStatus.ACTIVE.value}

# Who a row names: ("MEMBER", ref), ("ORGANISATION", id) or ("PERSON", name casefolded, relation).
Key = tuple[str, ...]


@dataclass
class _Row(CheckedRow):
    """A row as far as it could be read, and what is wrong with it."""

    member_ref: str = ""
    relation: Relation | None = None
    status: TieStatus = TieStatus.ACTIVE
    column: str = "supporter_ref"  # the column that names the supporter
    key: Key = ()
    name: str = ""
    member_id: str = ""
    supporter_id: str = ""


@dataclass
class _Circle:
    """What a member's circle holds: open ties counted, and every supporter it ever named."""

    open: int = 0
    named: dict[Key, set[str]] = field(default_factory=dict)  # key -> statuses


async def import_circles(
    store: Store,
    path: Path,
    *,
    circle_max: int,
    dry_run: bool = False,
    console: Console | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Add the ties of a CSV file to members' circles; LoadError if it cannot start."""
    # Rows are checked in file order: a circle takes rows until it holds circle_max open ties.
    table = read_csv(path, COLUMNS)
    seen: dict[tuple[str, Key], int] = {}
    rows = [_parse(row, seen) for row in table.rows]
    refs = await store_imports.member_refs(store)
    circles: dict[str, _Circle] = {}
    new: list[_Row] = []
    unchanged = 0
    with row_progress(console, len(rows)) as advance:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            for row in await _check(store, refs, circles, chunk):
                circle = circles[row.member_id]
                statuses = circle.named.get(row.key, set())
                if statuses & OPEN:
                    unchanged += 1
                elif statuses:
                    # A re-run must not bring back what a member declined or a coordinator ended.
                    row.reject(row.column, CLOSED.format(" and ".join(sorted(statuses))))
                elif circle.open >= circle_max:
                    row.reject("member_ref", FULL.format(circle_max))
                else:
                    circle.open += 1
                    circle.named[row.key] = {row.status.value}
                    new.append(row)
            advance("checking", len(chunk), len(rows))
        written = len(new) if dry_run else 0
        if not dry_run:
            now, audit = now_iso(), AuditService(store)
            for start in range(0, len(new), batch_size):
                batch = new[start : start + batch_size]
                done = await store.atomically(
                    partial(_write_batch, store, audit, batch, circle_max, now)
                )
                written += len(done)
                lines = {row.line for row in done}
                for row in batch:
                    if row.line not in lines:
                        row.reject("member_ref", NOT_WRITTEN)
                advance("writing", len(batch), len(new))
    problems = COLUMNS.in_order(p for r in rows for p in r.problems)
    return ImportResult(written, unchanged, problems, dry_run)


def _parse(row: CsvRow, seen: dict[tuple[str, Key], int]) -> _Row:
    """Read one row's values (no graph look-ups); ``seen`` remembers earlier rows' supporters."""
    parsed = _Row(row.line, list(row.problems))
    values = row.values
    parsed.member_ref = values["member_ref"]
    problem = ref_problem(parsed.member_ref)
    if problem:
        parsed.reject("member_ref", problem)
    relation = values["relation"].upper()
    if relation in Relation.__members__:
        parsed.relation = Relation(relation)
    else:
        parsed.reject("relation", f"must be one of {RELATIONS}")
    given = [column for column in SUPPORTERS if values[column]]
    if len(given) != 1:
        parsed.reject(given[1] if given else "supporter_ref", ONE_SUPPORTER)
        return parsed
    parsed.column = column = given[0]
    value = values[column]
    if column == "supporter_ref":
        problem = ref_problem(value)
        if problem:
            parsed.reject(column, problem)
        elif value == parsed.member_ref:
            parsed.reject(column, "a member cannot be in their own circle")
        parsed.key = ("MEMBER", value)
    elif column == "supporter_name":
        parsed.name, error = clean_name(value, column)
        if error:
            parsed.reject(column, error.message)
        parsed.key = ("PERSON", parsed.name.casefold(), relation)
    else:
        try:
            parsed.key = ("ORGANISATION", from_global_id(value, "Organisation"))
        except ValueError:
            parsed.reject(column, "not an Organisation id as the API shows it")
    is_org = column == "organisation_id"
    if parsed.relation and (parsed.relation is Relation.ORGANISATION) != is_org:
        parsed.reject(
            "relation",
            "a tie to an organisation has relation ORGANISATION"
            if is_org
            else "relation ORGANISATION needs organisation_id",
        )
    status = values["status"].upper() or TieStatus.ACTIVE.value
    if status not in (TieStatus.INVITED.value, TieStatus.ACTIVE.value):
        parsed.reject("status", "must be INVITED or ACTIVE (empty means ACTIVE)")
    elif status == TieStatus.INVITED.value and column != "supporter_ref":
        parsed.reject("status", "only a tie to another member (supporter_ref) can be INVITED")
    else:
        parsed.status = TieStatus(status)
    if parsed.key:
        pair = (parsed.member_ref, parsed.key)
        if pair in seen:
            parsed.reject(column, f"the same member and supporter as line {seen[pair]}")
        else:
            seen[pair] = row.line
    return parsed


def _active(refs: dict[str, RefMember], row: _Row, column: str, ref: str, who: str) -> str:
    """The id of an active member by ref, or '' with the row rejected."""
    member = refs.get(ref)
    if member is None:
        row.reject(column, "no member has this ref")
    elif member.status != MemberStatus.ACTIVE.value:
        row.reject(column, f"{who} is {member.status}: only active members take part in circles")
    else:
        return member.id
    return ""


async def _check(
    store: Store, refs: dict[str, RefMember], circles: dict[str, _Circle], rows: list[_Row]
) -> list[_Row]:
    """Resolve refs and organisations and load circles not yet seen; the rows left valid."""
    orgs = [r.key[1] for r in rows if r.key[:1] == ("ORGANISATION",)]
    found = await store_organisations.organisations_by_ids(store, orgs) if orgs else {}
    for row in rows:
        if row.problems:
            continue
        row.member_id = _active(refs, row, "member_ref", row.member_ref, "the member")
        if row.key[0] == "MEMBER":
            row.supporter_id = _active(refs, row, "supporter_ref", row.key[1], "the supporter")
            row.key = ("MEMBER", row.supporter_id)  # ties in the graph name members by id
        elif row.key[0] == "ORGANISATION":
            row.supporter_id = row.key[1]
            if row.supporter_id not in found:
                row.reject("organisation_id", "no organisation has this id")
        else:
            row.supporter_id = new_id()
    await _refuse_kept_out(store, rows)
    valid = [row for row in rows if not row.problems]
    unseen = list(dict.fromkeys(r.member_id for r in valid if r.member_id not in circles))
    for member_id in unseen:
        circles[member_id] = _Circle()
    for tie in await store_imports.ties_of(store, unseen):
        circle = circles[tie.member_id]
        if tie.status in OPEN:
            circle.open += 1
        if tie.supporter_kind == "PERSON":
            key: Key = ("PERSON", (tie.supporter_name or "").casefold(), tie.relation)
        else:
            key = (tie.supporter_kind, tie.supporter_id)
        circle.named.setdefault(key, set()).add(tie.status)
    return valid


async def _refuse_kept_out(store: Store, rows: list[_Row]) -> None:
    """Reject rows naming someone a member's crisis plan keeps out, as the API refuses them."""
    members = list(dict.fromkeys(r.member_id for r in rows if not r.problems))
    plans = await store_crisis.plans(store, members) if members else {}
    kept = {m: {name_key(n) for n in p.not_involved} for m, p in plans.items() if p.not_involved}
    if not kept:
        return
    ours = [r for r in rows if not r.problems and r.member_id in kept]
    supporters = [r.supporter_id for r in ours if r.key[0] == "MEMBER"]
    names = await store_crisis.member_names(store, supporters) if supporters else {}
    for row in ours:
        name = row.name if row.key[0] == "PERSON" else names.get(row.supporter_id)
        if name and name_key(name) in kept[row.member_id]:
            row.reject(row.column, KEPT_OUT)


async def _write_batch(
    store: Store, audit: AuditService, rows: list[_Row], circle_max: int, now: str, _tx: Tx
) -> list[_Row]:
    """One batch, its audit events and its change, in one transaction; the rows written."""
    done = await _write(store, rows, circle_max, now)
    await audit.record(IMPORTER, "circle.add", *(r.member_id for r in done))
    touched = [r.member_id for r in done] + [r.supporter_id for r in done if r.key[0] == "MEMBER"]
    if done:
        await changes.record(store, change(ChangeKind.TIES_IMPORTED, *touched))
    return done


async def _write(store: Store, rows: list[_Row], circle_max: int, now: str) -> list[_Row]:
    """Write one batch of checked rows; the rows written."""
    by_id = {new_id(): row for row in rows}
    params = {
        kind: [
            {
                "id": tie_id,
                "member": row.member_id,
                "supporter": row.supporter_id,
                "relation": row.relation.value if row.relation else "",
                "status": row.status.value,
                "name": row.name,
            }
            for tie_id, row in by_id.items()
            if row.key[0] == kind
        ]
        for kind in ("MEMBER", "ORGANISATION", "PERSON")
    }
    created = await store_imports.create_ties(
        store,
        to_members=params["MEMBER"],
        to_organisations=params["ORGANISATION"],
        to_new_people=params["PERSON"],
        circle_max=circle_max,
        now=now,
    )
    return [row for tie_id, row in by_id.items() if tie_id in created]
