"""A college's enrolment file from the web, checked or imported by the CLI's own importer.

`graph-service import enrolments` and the upload page share `loaders.enrolments`: the same
checks, the same messages for a bad file, the same audit events. This adds only what a page
needs: the college from the signed-in principal, the file's own name in messages (not the
temporary file's), and the rows with their values next to what happens to each.
"""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from graph_service.auth import Principal, Role
from graph_service.errors import PermissionDenied
from graph_service.services import Services
from loaders.csvfile import LoadError, Problem, read_csv
from loaders.enrolments import COLUMNS, ImportResult, import_enrolments

__all__ = ["LoadError", "RowOutcome", "UploadReport", "UploadRow", "import_enrolment_file"]


class RowOutcome(Enum):
    """What happens (in a dry run: would happen) to one row."""

    LINK = "link"
    ALREADY = "already"
    REFUSED = "refused"


@dataclass(frozen=True)
class UploadRow:
    """One data row of the file: its line, its values, and what happens to it."""

    line: int
    values: dict[str, str]
    outcome: RowOutcome
    problems: list[Problem]


@dataclass(frozen=True)
class UploadReport:
    """The importer's result and the file's rows, in file order."""

    result: ImportResult
    rows: list[UploadRow]


async def import_enrolment_file(
    services: Services, principal: Principal, data: bytes, name: str, *, dry_run: bool
) -> UploadReport:
    """Check (dry run) or import a CSV file for the signed-in college; LoadError if unusable."""
    college = principal.college_global_id
    if principal.role is not Role.COLLEGE or college is None:
        raise PermissionDenied("only a college uploads its own enrolments")
    with tempfile.TemporaryDirectory(prefix="enrolments-") as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            result = await import_enrolments(services.store, path, college, dry_run=dry_run)
            # Read again for the values to show: the importer has just read it without fault.
            table = read_csv(path, COLUMNS)
        except LoadError as exc:
            # The message names the temporary file; the person knows their own file's name.
            raise LoadError(str(exc).replace(str(path), name)) from None
    problems: dict[int, list[Problem]] = defaultdict(list)
    for problem in result.rejected:
        problems[problem.line].append(problem)
    already = set(result.already)
    rows = []
    for row in table.rows:
        if row.line in problems:
            outcome = RowOutcome.REFUSED
        elif row.line in already:
            outcome = RowOutcome.ALREADY
        else:
            outcome = RowOutcome.LINK
        rows.append(UploadRow(row.line, row.values, outcome, problems.get(row.line, [])))
    return UploadReport(result, rows)
