"""Commands for the graph's data: seed, imports, exports, db status and the GraphQL schema."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from graph_service.cli.common import err, run_or_exit, settings_or_exit
from graph_service.errors import GraphServiceError

db_app = typer.Typer(help="The graph database.", no_args_is_help=True)
import_app = typer.Typer(help="Batch imports from CSV files.", no_args_is_help=True)
export_app = typer.Typer(
    help="Exports to look at (GraphML) or to open in a spreadsheet (CSV): personal data.",
    no_args_is_help=True,
)

SCHEMA_FILE = Path("schema/schema.graphql")
ROSTER_DRY_RUN = typer.Option("--dry-run", help="Check every row and report; write nothing.")


def export_schema(
    path: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SCHEMA_FILE,
) -> None:
    """Write the GraphQL schema (SDL) that the code defines."""
    from graph_service.api.schema import schema

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(schema) + "\n", encoding="utf-8")
    err.print(f"wrote {path}")


def seed(
    demo: Annotated[
        bool, typer.Option(help="Also load the synthetic demo network (empty graphs only).")
    ] = False,
    members: Annotated[
        int, typer.Option(help="Members in the demo network.", min=1, max=100_000)
    ] = 350,
    seed: Annotated[
        int, typer.Option(help="The demo's seed: the same seed, the same network.")
    ] = 2026,
) -> None:
    """Create the organisations, colleges, courses and wellness tools (safe to run again)."""
    from graph_service.seeding import seed_graph

    lines = run_or_exit(
        seed_graph(settings_or_exit(), demo_members=members if demo else None, demo_seed=seed)
    )
    for line in lines:
        print(line)


@db_app.command("status")
def db_status() -> None:
    """Say where the graph is and what it holds."""
    from graph_service.status import graph_status

    for key, value in run_or_exit(graph_status(settings_or_exit())).items():
        print(f"{key:>13}: {value}")


def _export_failed(target: Path, exc: OSError) -> typer.Exit:
    """Say why an export could not be written; the caller raises the exit (code 2)."""
    where = exc.filename or target
    err.print(f"[red]error:[/red] cannot write {escape(str(where))}: {exc.strerror or exc}")
    return typer.Exit(2)


@export_app.command("graphml")
def export_graphml(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The GraphML file to write.")],
    helped: Annotated[
        bool, typer.Option("--helped/--no-helped", help="Include HELPED edges (help records).")
    ] = True,
) -> None:
    """Write the supporter network as GraphML for Gephi or Cytoscape (mode 0600)."""
    from graph_service.graph import open_graph
    from loaders.export import GraphmlResult
    from loaders.export import export_graphml as run_export

    settings = settings_or_exit()

    async def work() -> GraphmlResult:
        async with open_graph(settings, share_running=True) as graph:
            return await run_export(graph.store, file, helped=helped)

    try:
        result = run_or_exit(work())
    except OSError as exc:
        raise _export_failed(file, exc) from None
    err.print(f"wrote {result.nodes} nodes and {result.edges} edges to {escape(str(file))}")


@export_app.command("csv")
def export_csv(
    directory: Annotated[
        Path,
        typer.Argument(metavar="DIR", help="Where to write members.csv, ties.csv, enrolments.csv."),
    ],
) -> None:
    """Write members, ties and enrolments as CSV files (UTF-8, header row, mode 0600)."""
    from graph_service.graph import open_graph
    from loaders.export import export_csv as run_export

    settings = settings_or_exit()

    async def work() -> dict[str, int]:
        async with open_graph(settings, share_running=True) as graph:
            return await run_export(graph.store, directory)

    try:
        counts = run_or_exit(work())
    except OSError as exc:
        raise _export_failed(directory, exc) from None
    written = ", ".join(f"{n} rows to {name}" for name, n in counts.items())
    err.print(f"wrote {written} in {escape(str(directory))}")


@import_app.command("enrolments")
def import_enrolments(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV (UTF-8; commas or semicolons): member_id, course_id, enrolled_on, "
            "and optionally status, completed_on.",
        ),
    ],
    college: Annotated[str, typer.Option(help="The college's id as the API shows it.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check every row and report; write nothing.")
    ] = False,
) -> None:
    """Link enrolments of consenting members to the college's courses from a CSV file.

    Exit code 0: all rows fine; 1: some rows rejected (valid ones written); 2: unusable input.
    """
    from graph_service.graph import open_graph
    from loaders.enrolments import ImportResult
    from loaders.enrolments import import_enrolments as run_import

    settings = settings_or_exit()

    async def work() -> ImportResult:
        async with open_graph(settings, share_running=True) as graph:
            return await run_import(graph.store, file, college, dry_run=dry_run, console=err)

    try:
        result = asyncio.run(work())
    except GraphServiceError as exc:
        # 1 means "some rows rejected": an import that could not run says so with 2.
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    for problem in result.rejected:
        print(problem)
    print(result.summary())
    if result.rejected:
        raise typer.Exit(1)


def _import_roster(kind: str, file: Path, dry_run: bool) -> None:
    """Run `import members`, `circles` or `attendance`; output and exit codes as `enrolments`."""
    from graph_service.graph import open_graph
    from loaders.attendance import import_attendance
    from loaders.circles import import_circles
    from loaders.enrolments import ImportResult
    from loaders.members import import_members

    settings = settings_or_exit()

    async def work() -> ImportResult:
        async with open_graph(settings, share_running=True) as graph:
            if kind == "members":
                return await import_members(graph.store, file, dry_run=dry_run, console=err)
            if kind == "attendance":
                return await import_attendance(graph.store, file, dry_run=dry_run, console=err)
            return await import_circles(
                graph.store, file, circle_max=settings.circle_max, dry_run=dry_run, console=err
            )

    try:
        result = asyncio.run(work())
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {escape(str(exc))}")
        raise typer.Exit(2) from None
    for problem in result.rejected:
        print(problem)
    print(result.summary())
    if result.rejected:
        raise typer.Exit(1)


@import_app.command("members")
def import_members_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV (UTF-8; commas or semicolons): member_ref, display_name, "
            "and optionally member_since, status.",
        ),
    ],
    dry_run: Annotated[bool, ROSTER_DRY_RUN] = False,
) -> None:
    """Register the members of a CSV file whose member_ref is new (existing refs: unchanged).

    Exit code 0: all rows fine; 1: some rows rejected (valid ones written); 2: unusable input.
    """
    _import_roster("members", file, dry_run)


@import_app.command("circles")
def import_circles_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV (UTF-8; commas or semicolons): member_ref, relation, one of "
            "supporter_ref, supporter_name, organisation_id, and optionally status.",
        ),
    ],
    dry_run: Annotated[bool, ROSTER_DRY_RUN] = False,
) -> None:
    """Add the ties of a CSV file to members' circles (ties already there: unchanged).

    Exit code 0: all rows fine; 1: some rows rejected (valid ones written); 2: unusable input.
    """
    _import_roster("circles", file, dry_run)


@import_app.command("attendance")
def import_attendance_command(
    file: Annotated[
        Path,
        typer.Argument(
            metavar="FILE",
            help="CSV (UTF-8; commas or semicolons): session_id, and member_id or member_ref "
            "(one row per member who came).",
        ),
    ],
    dry_run: Annotated[bool, ROSTER_DRY_RUN] = False,
) -> None:
    """Add members to sessions' registers from a CSV file (already on a register: unchanged).

    Exit code 0: all rows fine; 1: some rows rejected (valid ones written); 2: unusable input.
    """
    _import_roster("attendance", file, dry_run)
