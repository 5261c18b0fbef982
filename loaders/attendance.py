"""Import of session registers from a CSV file (`graph-service import attendance`).

One row per member who came: ``session_id`` (as the API shows it) and either ``member_id``
(as the API shows it) or ``member_ref`` (the roster's ref). Rows add to registers: a member
already on a session's register is left as they are, and nobody is taken off.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path

from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.events import ChangeKind, change
from graph_service.services.audit import AuditService
from graph_service.services.validation import now_iso, today
from graph_service.store import Store, Tx, changes
from graph_service.store import attendance as store_attendance
from graph_service.store import imports as store_imports
from graph_service.store import members as store_members
from graph_service.store import programme as store_programme
from loaders.csvfile import CheckedRow, Columns, CsvRow, read_csv, row_progress
from loaders.enrolments import ImportResult

COLUMNS = Columns(required=("session_id",), optional=("member_id", "member_ref"))
BATCH = 500
IMPORTER = Principal(Role.COORDINATOR, subject="import:attendance")


@dataclass
class _Row(CheckedRow):
    """A row as far as it could be read, and what is wrong with it."""

    session_id: str | None = None
    member_id: str | None = None
    member_ref: str | None = None

    @property
    def member_column(self) -> str:
        """The column that names the member."""
        return "member_ref" if self.member_ref is not None else "member_id"


async def import_attendance(
    store: Store,
    path: Path,
    *,
    dry_run: bool = False,
    console: Console | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Add the attendance of a CSV file to sessions' registers; LoadError if it cannot start."""
    table = read_csv(path, COLUMNS)
    rows = [_parse(row) for row in table.rows]
    refs = await store_imports.member_refs(store) if any(r.member_ref for r in rows) else {}
    for row in rows:
        if row.member_ref is not None:
            found = refs.get(row.member_ref)
            if found is None:
                row.reject("member_ref", "no member has this ref")
            else:
                row.member_id = found.id
    seen: dict[tuple[str, str], int] = {}
    pairs: list[tuple[int, str, str]] = []
    unchanged = 0
    linked: list[int] = []
    already: list[int] = []
    with row_progress(console, len(rows)) as advance:
        for start in range(0, len(rows), batch_size):
            chunk = await _check(store, rows[start : start + batch_size])
            for row in chunk:
                assert row.member_id and row.session_id
                pair = (row.member_id, row.session_id)
                if pair in seen:
                    row.reject(
                        row.member_column, f"the same member and session as line {seen[pair]}"
                    )
                    continue
                seen[pair] = row.line
            valid = [r for r in chunk if not r.problems]
            wanted = [(r.member_id or "", r.session_id or "") for r in valid]
            on_register = await store_attendance.existing(store, wanted) if wanted else set()
            for row, pair in zip(valid, wanted, strict=True):
                if pair in on_register:
                    unchanged += 1
                    already.append(row.line)
                else:
                    pairs.append((row.line, *pair))
                    linked.append(row.line)
            advance("checking", len(chunk), len(rows))
        written = len(pairs) if dry_run else 0
        if not dry_run:
            now = now_iso()
            audit = AuditService(store)
            for start in range(0, len(pairs), batch_size):
                batch = [(m, s) for _, m, s in pairs[start : start + batch_size]]
                written += await store.atomically(partial(_write_batch, store, audit, batch, now))
                advance("writing", len(batch), len(pairs))
            # Rows that another writer put on a register meanwhile were skipped by the store.
            unchanged += len(pairs) - written
    problems = COLUMNS.in_order(p for r in rows for p in r.problems)
    return ImportResult(written, unchanged, problems, dry_run, tuple(linked), tuple(already))


async def _write_batch(
    store: Store, audit: AuditService, batch: list[tuple[str, str]], now: str, _tx: Tx
) -> int:
    """One batch, its audit events and its change, in one transaction; how many were new."""
    written = await store_attendance.import_batch(store, batch, now=now, by=IMPORTER.subject)
    members = [m for m, _ in batch]
    await audit.record(IMPORTER, "attendance.import", *members)
    await changes.record(store, change(ChangeKind.ATTENDANCE_IMPORTED, *members))
    return written


def _parse(row: CsvRow) -> _Row:
    """Read one row's values (no graph look-ups)."""
    parsed = _Row(row.line, list(row.problems))
    values = row.values
    parsed.session_id = parsed.global_id(values["session_id"], "session_id", "ProgrammeSession")
    member_id, member_ref = values["member_id"], values["member_ref"]
    if bool(member_id) == bool(member_ref):
        parsed.reject("member_id", "give exactly one of member_id and member_ref")
    elif member_ref:
        parsed.member_ref = member_ref
    else:
        parsed.member_id = parsed.global_id(member_id, "member_id", "Member")
    return parsed


async def _check(store: Store, rows: list[_Row]) -> list[_Row]:
    """Check sessions and members with one look-up each; the rows left without problems."""
    session_ids = [r.session_id for r in rows if r.session_id and not r.problems]
    member_ids = [r.member_id for r in rows if r.member_id and not r.problems]
    sessions = await store_programme.sessions_by_ids(store, session_ids) if session_ids else {}
    members = await store_members.members_by_ids(store, member_ids) if member_ids else {}
    now = today()
    for row in rows:
        if row.problems:
            continue
        session = sessions.get(row.session_id or "")
        if session is None:
            row.reject("session_id", "no session has this id")
        elif session.cancelled:
            row.reject("session_id", "this session was cancelled")
        elif session.on > now:
            row.reject("session_id", "this session has not happened yet")
        if row.member_id not in members:
            row.reject(row.member_column, "no member has this id")
    return [row for row in rows if not row.problems]
