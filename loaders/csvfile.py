"""Spreadsheet CSV exports for the loaders: encoding, delimiter, header, rows, progress."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

from graph_service.errors import GraphServiceError
from graph_service.ids import from_global_id

DELIMITERS = {",": "commas", ";": "semicolons"}
PROGRESS_MIN_ROWS = 200

# (phase, rows just done, rows in that phase)
Advance = Callable[[str, int, int], None]


class LoadError(GraphServiceError):
    """An import that cannot start (file, format or option); nothing was written."""


class CsvFormatError(LoadError):
    """A CSV file that cannot be read as documented."""


@dataclass(frozen=True)
class Problem:
    """Why one row (or one value of it) cannot be imported."""

    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}: {self.reason}"


@dataclass
class CheckedRow:
    """A row as far as it could be read, and what is wrong with it (each loader adds fields)."""

    line: int
    problems: list[Problem]

    def reject(self, column: str, reason: str) -> None:
        """Note a problem with one of the row's values."""
        self.problems.append(Problem(self.line, column, reason))

    def global_id(self, value: str, column: str, kind: str) -> str | None:
        """The stored id of a ``kind`` id as the API shows it (None, and a problem, if not)."""
        if not value:
            self.reject(column, "a value is required")
            return None
        try:
            return from_global_id(value, kind)
        except ValueError:
            self.reject(column, f"not a {kind} id as the API shows it")
            return None


@dataclass(frozen=True)
class Columns:
    """The documented header of a kind of file."""

    required: tuple[str, ...]
    optional: tuple[str, ...] = ()

    @property
    def all(self) -> tuple[str, ...]:
        """Every documented column, required first."""
        return self.required + self.optional

    def in_order(self, problems: Iterable[Problem]) -> list[Problem]:
        """Problems by line, then in the file's documented column order."""
        order = {name: index for index, name in enumerate(self.all)}
        return sorted(problems, key=lambda p: (p.line, order.get(p.column, len(order))))


@dataclass(frozen=True)
class CsvRow:
    """One data row: trimmed values by column ('' when absent) and its problems so far."""

    line: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)


@dataclass(frozen=True)
class CsvTable:
    """A whole file, read and checked before anything is written."""

    path: Path
    delimiter: str
    rows: list[CsvRow]


def read_csv(path: Path, columns: Columns) -> CsvTable:
    """Read a CSV export; CsvFormatError when its encoding, delimiter or header is unusable."""
    text = _decode(path)
    header_line = text.splitlines()[0] if text.strip() else ""
    if not header_line.strip():
        raise CsvFormatError(f"{path}: the file is empty; the first line must be the header")
    delimiter = _delimiter(path, header_line, columns)
    # newline="" leaves line ends to the csv module, so quoted values may hold line breaks.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    start = 1
    try:
        names = [name.strip().lower() for name in next(reader)]
        positions = _check_header(path, names, columns)
        rows = []
        start = reader.line_num + 1
        for record in reader:
            row = _row(start, record, positions, columns)
            if row is not None:
                rows.append(row)
            start = reader.line_num + 1
    except csv.Error as exc:
        # A quote left open swallows the rest of the file: name where the row began.
        raise CsvFormatError(
            f"{path}: cannot read the row that starts on line {start}: {exc}"
        ) from None
    return CsvTable(path, delimiter, rows)


def _decode(path: Path) -> str:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CsvFormatError(f"{path}: cannot read the file ({exc.strerror or exc})") from None
    try:
        # utf-8-sig drops the byte-order mark that spreadsheet programs put first.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise CsvFormatError(
            f"{path}: not UTF-8 (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it from the spreadsheet as 'CSV UTF-8'"
        ) from None


def _delimiter(path: Path, header: str, columns: Columns) -> str:
    found = [d for d in DELIMITERS if d in header]
    if len(found) == 1:
        return found[0]
    if found:
        raise CsvFormatError(
            f"{path}: the header line holds both commas and semicolons; use one of them"
        )
    if len(columns.required) == 1 and "\t" not in header:
        return ","  # a one-column file has no delimiter to find
    seen = "tabs (a tab-separated file)" if "\t" in header else "neither"
    raise CsvFormatError(
        f"{path}: columns must be separated by commas or semicolons, the header line holds {seen}"
    )


def _check_header(path: Path, names: list[str], columns: Columns) -> dict[int, str]:
    named = [name for name in names if name]
    repeated = sorted({name for name in named if named.count(name) > 1})
    unknown = [name for name in named if name not in columns.all]
    missing = [name for name in columns.required if name not in named]
    reasons = []
    if missing:
        reasons.append(f"missing column(s) {', '.join(missing)}")
    if unknown:
        reasons.append(f"unknown column(s) {', '.join(unknown)}")
    if repeated:
        reasons.append(f"repeated column(s) {', '.join(repeated)}")
    if reasons:
        expected = ", ".join(columns.required)
        if columns.optional:
            expected += f" (optional: {', '.join(columns.optional)})"
        raise CsvFormatError(f"{path}: header: {'; '.join(reasons)}; expected {expected}")
    return {index: name for index, name in enumerate(names) if name}


def _row(
    line: int, record: list[str], positions: dict[int, str], columns: Columns
) -> CsvRow | None:
    cells = [cell.strip() for cell in record]
    if not any(cells):
        return None  # blank lines and the empty rows spreadsheets leave at the end
    values = dict.fromkeys(columns.all, "")
    problems = []
    for index, cell in enumerate(cells):
        name = positions.get(index)
        if name is not None:
            values[name] = cell
        elif cell:
            problems.append(Problem(line, str(index + 1), "a value under no header column"))
    return CsvRow(line, values, problems)


@contextmanager
def row_progress(console: Console | None, total: int) -> Iterator[Advance]:
    """A progress bar on the console for files of more than 200 rows; a no-op otherwise."""
    if console is None or total <= PROGRESS_MIN_ROWS:
        yield lambda phase, done, total: None
        return
    progress = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        console=console,
    )
    tasks: dict[str, TaskID] = {}

    def advance(phase: str, done: int, phase_total: int) -> None:
        if phase not in tasks:
            tasks[phase] = progress.add_task(phase, total=phase_total)
        progress.advance(tasks[phase], done)

    with progress:
        yield advance
