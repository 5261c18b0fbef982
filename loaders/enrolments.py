"""Import of a partner college's enrolments from a CSV export (`graph-service import`)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from rich.console import Console

from graph_service.auth import Principal, Role
from graph_service.domain import EnrolmentStatus
from graph_service.events import ChangeKind, change
from graph_service.ids import from_global_id, new_id
from graph_service.services.audit import AuditService
from graph_service.services.enrolments import enrolment_dates_error
from graph_service.services.validation import now_iso
from graph_service.store import Store, Tx, changes
from graph_service.store import colleges as store_colleges
from graph_service.store import consents as store_consents
from graph_service.store import enrolments as store_enrolments
from graph_service.store.enrolments import NewEnrolment
from loaders.csvfile import CheckedRow, Columns, CsvRow, LoadError, Problem, read_csv, row_progress

COLUMNS = Columns(
    required=("member_id", "course_id", "enrolled_on"), optional=("status", "completed_on")
)
BATCH = 500
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
STATUSES = ", ".join(s.value for s in EnrolmentStatus)
# One reason for "no such member" and "no consent": a college must not learn who is a member.
NOT_CONSENTING = "unknown member, or the member has not consented to share with this college"
FOREIGN_COURSE = "unknown course, or not a course of this college"
# enrolment_dates_error speaks the API's field names; the file's user knows its columns.
API_TO_COLUMN = {"enrolledOn": "enrolled_on", "completedOn": "completed_on"}


@dataclass(frozen=True)
class ImportResult:
    """What an import did (or, in a dry run, would do) and the problems of rejected rows."""

    written: int
    unchanged: int
    rejected: list[Problem]
    dry_run: bool
    # The lines to link (in a dry run: that would be) and those linked already, for a report
    # row by row (the web's upload page). A row another writer linked meanwhile is in `linked`
    # but counted in `unchanged`.
    linked: tuple[int, ...] = field(default=(), compare=False)
    already: tuple[int, ...] = field(default=(), compare=False)

    @property
    def rejected_rows(self) -> int:
        """How many rows were rejected (a row may have several problems)."""
        return len({problem.line for problem in self.rejected})

    def summary(self) -> str:
        """The one-line summary the command prints."""
        text = f"written {self.written}, unchanged {self.unchanged}, rejected {self.rejected_rows}"
        return text + (" (dry run: nothing written)" if self.dry_run else "")


@dataclass
class _Row(CheckedRow):
    """A row as far as it could be read, and what is wrong with it."""

    member_id: str | None = None
    course_id: str | None = None
    status: EnrolmentStatus | None = None
    enrolled_on: date | None = None
    completed_on: date | None = None


async def import_enrolments(
    store: Store,
    path: Path,
    college: str,
    *,
    dry_run: bool = False,
    console: Console | None = None,
    batch_size: int = BATCH,
) -> ImportResult:
    """Link the enrolments of a CSV file to the college's courses; LoadError if it cannot start.

    ``college`` is the college's global id. Look-ups and writes go ``batch_size`` rows at a
    time; progress goes to ``console`` for long files. A dry run counts the rows it would write.
    """
    try:
        college_id = from_global_id(college.strip(), "College")
    except ValueError:
        raise LoadError(f"--college: {college!r} is not a College id as the API shows it") from None
    if not await store_colleges.colleges_by_ids(store, [college_id]):
        raise LoadError(f"--college: there is no college with id {college}")
    table = read_csv(path, COLUMNS)
    seen: dict[tuple[str, str], int] = {}
    rows = [_parse(row, seen) for row in table.rows]
    new: list[NewEnrolment] = []
    unchanged = 0
    linked: list[int] = []
    already: list[int] = []
    with row_progress(console, len(rows)) as advance:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start : start + batch_size]
            valid = [(row.line, _new(row)) for row in await _check(store, college_id, chunk)]
            pairs = [(v.member_id, v.course_id) for _, v in valid]
            enrolled = await store_enrolments.existing(store, pairs) if pairs else set()
            for line, v in valid:
                if (v.member_id, v.course_id) in enrolled:
                    unchanged += 1
                    already.append(line)
                else:
                    new.append(v)
                    linked.append(line)
            advance("checking", len(chunk), len(rows))
        written = len(new) if dry_run else 0
        if not dry_run:
            linked_by, now = f"import:{college.strip()}", now_iso()
            importer = Principal(Role.COLLEGE, college_id=college_id, subject=linked_by)
            for start in range(0, len(new), batch_size):
                batch = new[start : start + batch_size]

                # The batch, its audit events and its change commit together.
                async def write(_tx: Tx, batch: list[NewEnrolment] = batch) -> int:
                    count = await store_enrolments.import_batch(
                        store, batch, linked_by=linked_by, now=now
                    )
                    members = [row.member_id for row in batch]
                    await AuditService(store).record(importer, "enrolment.import", *members)
                    await changes.record(store, change(ChangeKind.ENROLMENTS_IMPORTED, *members))
                    return count

                written += await store.atomically(write)
                advance("writing", len(batch), len(new))
            # Rows that another writer linked meanwhile were skipped by the store's guard.
            unchanged += len(new) - written
    problems = COLUMNS.in_order(p for r in rows for p in r.problems)
    return ImportResult(written, unchanged, problems, dry_run, tuple(linked), tuple(already))


def _parse(row: CsvRow, seen: dict[tuple[str, str], int]) -> _Row:
    """Read one row's values (no graph look-ups); ``seen`` remembers pairs of earlier rows."""
    parsed = _Row(row.line, list(row.problems))
    values = row.values
    parsed.member_id = parsed.global_id(values["member_id"], "member_id", "Member")
    parsed.course_id = parsed.global_id(values["course_id"], "course_id", "Course")
    parsed.enrolled_on = _date(parsed, values, "enrolled_on", required=True)
    parsed.completed_on = _date(parsed, values, "completed_on", required=False)
    status = values["status"].upper() or EnrolmentStatus.ENROLLED.value
    if status in EnrolmentStatus.__members__:
        parsed.status = EnrolmentStatus(status)
    else:
        parsed.reject("status", f"must be one of {STATUSES} (empty means ENROLLED)")
    if parsed.status and parsed.enrolled_on and (parsed.completed_on or not values["completed_on"]):
        error = enrolment_dates_error(parsed.status, parsed.enrolled_on, parsed.completed_on)
        if error:
            field_name = API_TO_COLUMN.get(error.field or "", "enrolled_on")
            message = error.message
            for api_name, column in API_TO_COLUMN.items():
                message = message.replace(api_name, column)
            parsed.reject(field_name, message)
    if parsed.member_id and parsed.course_id:
        pair = (parsed.member_id, parsed.course_id)
        if pair in seen:
            parsed.reject("course_id", f"the same member and course as line {seen[pair]}")
        else:
            seen[pair] = row.line
    return parsed


def _date(row: _Row, values: dict[str, str], column: str, *, required: bool) -> date | None:
    value = values[column]
    if not value:
        if required:
            row.reject(column, "a value is required")
        return None
    try:
        # fromisoformat alone also takes 20260914 and week dates: the file must be plain.
        if DATE.fullmatch(value):
            return date.fromisoformat(value)
    except ValueError:
        pass
    row.reject(column, "must be a date written YYYY-MM-DD")
    return None


async def _check(store: Store, college_id: str, rows: list[_Row]) -> list[_Row]:
    """Check courses and consent with one look-up each; the rows left without problems."""
    course_ids = [r.course_id for r in rows if r.course_id]
    member_ids = [r.member_id for r in rows if r.member_id]
    courses = await store_colleges.courses_by_ids(store, course_ids) if course_ids else {}
    consenting = (
        await store_consents.consenting(store, college_id, member_ids) if member_ids else set()
    )
    for row in rows:
        if row.member_id and row.member_id not in consenting:
            row.reject("member_id", NOT_CONSENTING)
        course = courses.get(row.course_id or "")
        if row.course_id and (course is None or course.college_id != college_id):
            row.reject("course_id", FOREIGN_COURSE)
    return [row for row in rows if not row.problems]


def _new(row: _Row) -> NewEnrolment:
    assert row.member_id and row.course_id and row.enrolled_on and row.status
    return NewEnrolment(
        new_id(), row.member_id, row.course_id, row.enrolled_on, row.status, row.completed_on
    )
