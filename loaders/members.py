"""Import of a coordinators' member roster from a CSV export (`graph-service import members`)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path

from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.domain import MemberStatus
from graph_service.events import ChangeKind, change
from graph_service.ids import new_id
from graph_service.services.audit import AuditService
from graph_service.services.validation import clean_name, now_iso, today
from graph_service.store import Store, Tx, changes
from graph_service.store import imports as store_imports
from loaders.csvfile import CheckedRow, Columns, CsvRow, read_csv, row_progress
from loaders.enrolments import DATE, ImportResult

COLUMNS = Columns(required=("member_ref", "display_name"), optional=("member_since", "status"))
BATCH = 500
REF = re.compile(r"[A-Za-z0-9_.\-]{1,40}")
REF_RULE = "must be 1 to 40 letters, digits, '-', '_' or '.'"
STATUSES = ", ".join(s.value for s in MemberStatus)
IMPORTER = Principal(Role.COORDINATOR, subject="import:members")


@dataclass
class _Row(CheckedRow):
    """A row as far as it could be read, and what is wrong with it."""

    ref: str = ""
    name: str = ""
    since: date | None = None
    status: MemberStatus | None = None


def ref_problem(value: str) -> str | None:
    """Why a member ref is unusable, or None."""
    if not value:
        return "a value is required"
    return None if REF.fullmatch(value) else REF_RULE


async def import_members(
    store: Store,
    path: Path,
    *,
    dry_run: bool = False,
    console: Console | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Create the members of a CSV file whose refs are new; LoadError if it cannot start."""
    # A ref already in the graph leaves that member as it is ("unchanged"): re-runs are safe.
    table = read_csv(path, COLUMNS)
    seen: dict[str, int] = {}
    on = today()
    rows = [_parse(row, seen, on) for row in table.rows]
    existing = await store_imports.member_refs(store)
    valid = [row for row in rows if not row.problems]
    new = [row for row in valid if row.ref not in existing]
    unchanged = len(valid) - len(new)
    written = len(new) if dry_run else 0
    with row_progress(console, len(rows)) as advance:
        advance("checking", len(rows), len(rows))
        if not dry_run:
            now, audit = now_iso(), AuditService(store)
            for start in range(0, len(new), batch_size):
                batch = [_params(row) for row in new[start : start + batch_size]]
                written += await store.atomically(partial(_write, store, audit, batch, now))
                advance("writing", len(batch), len(new))
    problems = COLUMNS.in_order(p for r in rows for p in r.problems)
    return ImportResult(written, unchanged, problems, dry_run)


async def _write(
    store: Store, audit: AuditService, batch: list[dict[str, str]], now: str, _tx: Tx
) -> int:
    """One batch, its audit events and its change, in one transaction."""
    written = await store_imports.create_members(store, batch, now)
    ids = [row["id"] for row in batch]
    await audit.record(IMPORTER, "member.register", *ids)
    await changes.record(store, change(ChangeKind.MEMBERS_IMPORTED, *ids))
    return written


def _parse(row: CsvRow, seen: dict[str, int], on: date) -> _Row:
    """Read one row's values; ``seen`` remembers the refs of earlier rows."""
    parsed = _Row(row.line, list(row.problems))
    values = row.values
    parsed.ref = values["member_ref"]
    problem = ref_problem(parsed.ref)
    if problem:
        parsed.reject("member_ref", problem)
    elif parsed.ref in seen:
        parsed.reject("member_ref", f"the same ref as line {seen[parsed.ref]}")
    else:
        seen[parsed.ref] = row.line
    parsed.name, error = clean_name(values["display_name"], "display_name")
    if error:
        parsed.reject("display_name", error.message)
    parsed.since = on
    if values["member_since"]:
        parsed.since = _date(values["member_since"])
        if parsed.since is None:
            parsed.reject("member_since", "must be a date written YYYY-MM-DD")
        elif parsed.since > on:
            parsed.reject("member_since", "must not be in the future")
    status = values["status"].upper() or MemberStatus.ACTIVE.value
    if status in MemberStatus.__members__:
        parsed.status = MemberStatus(status)
    else:
        parsed.reject("status", f"must be one of {STATUSES} (empty means ACTIVE)")
    return parsed


def _date(value: str) -> date | None:
    try:
        # fromisoformat alone also takes 20260914 and week dates: the file must be plain.
        return date.fromisoformat(value) if DATE.fullmatch(value) else None
    except ValueError:
        return None


def _params(row: _Row) -> dict[str, str]:
    assert row.since and row.status
    return {
        "id": new_id(),
        "ref": row.ref,
        "name": row.name,
        "status": row.status.value,
        "since": row.since.isoformat(),
    }
