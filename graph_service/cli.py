"""The `graph-service` command line: serve, token, export-schema, seed, import, db status."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Coroutine
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from graph_service.auth import Role, issue_token, parse_ttl, signing_secret
from graph_service.errors import GraphServiceError
from graph_service.settings import Settings, load_settings

app = typer.Typer(
    help="Supporter-graph service of the recovery network.",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
db_app = typer.Typer(help="The graph database.", no_args_is_help=True)
app.add_typer(db_app, name="db")
import_app = typer.Typer(help="Batch imports from CSV files.", no_args_is_help=True)
app.add_typer(import_app, name="import")
report_app = typer.Typer(help="Analyses for coordinators.", no_args_is_help=True)
app.add_typer(report_app, name="report")
export_app = typer.Typer(
    help="Exports to look at (GraphML) or to open in a spreadsheet (CSV): personal data.",
    no_args_is_help=True,
)
app.add_typer(export_app, name="export")
err = Console(stderr=True, soft_wrap=True, highlight=False)

SCHEMA_FILE = Path("schema/schema.graphql")
T = TypeVar("T")


def _settings(**overrides: object) -> Settings:
    try:
        return load_settings(**overrides)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None


def _run(work: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to completion; the service's errors end the command with code 1."""
    try:
        return asyncio.run(work)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (PORT).")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the GraphQL API (starting the embedded engine when GRAPH_URI is unset)."""
    import uvicorn

    from graph_service.logs import configure_logging

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
    settings = _settings(**overrides)
    if reload and not settings.development:
        err.print("[red]error:[/red] --reload is for development only (ENV=development)")
        raise typer.Exit(2)
    if settings.embedded:
        from graph_service.engine import EmbeddedEngine

        try:  # a clear message now, rather than a failed start-up in the log
            EmbeddedEngine(settings.data_dir).check_available()
        except GraphServiceError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(2) from None
    configure_logging(settings.log_level)
    options = {"host": settings.host, "port": settings.port, "log_config": None}
    if reload:
        # The reloader imports the factory afresh in a child: pass the overrides by environment.
        os.environ.update({k.upper(): str(v) for k, v in overrides.items()})
        uvicorn.run("graph_service.app:create_app", factory=True, reload=True, **options)  # type: ignore[arg-type]
        return
    from graph_service.app import create_app

    try:
        application = create_app(settings)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    config = uvicorn.Config(application, timeout_graceful_shutdown=10, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        # Start-up failed (engine locked or not ready, graph unreachable): the log says why.
        raise typer.Exit(1)


@app.command()
def token(
    role: Annotated[Role, typer.Option(help="coordinator, member or college.")],
    member: Annotated[str | None, typer.Option(help="The member's id as the API shows it.")] = None,
    college: Annotated[
        str | None, typer.Option(help="The college's id as the API shows it.")
    ] = None,
    ttl: Annotated[str, typer.Option(help="Lifetime, e.g. 30m, 8h, 7d.")] = "8h",
    subject: Annotated[
        str | None, typer.Option(help="Who holds the token (named in the audit trail).")
    ] = None,
) -> None:
    """Print a bearer token (on the last line) for the given role."""
    settings = _settings()
    try:
        seconds = parse_ttl(ttl)
        value = issue_token(
            signing_secret(settings),
            role,
            member_id=member,
            college_id=college,
            ttl_seconds=seconds,
            subject=subject,
        )
    except (ValueError, GraphServiceError) as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    err.print(f"{role.value} token, valid {ttl}; send it as 'Authorization: Bearer <token>':")
    print(value)


@app.command("export-schema")
def export_schema(
    path: Annotated[Path, typer.Option(help="Where to write the SDL.")] = SCHEMA_FILE,
) -> None:
    """Write the GraphQL schema (SDL) that the code defines."""
    from graph_service.api.schema import schema

    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(str(schema) + "\n", encoding="utf-8")
    err.print(f"wrote {path}")


@app.command()
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

    lines = _run(seed_graph(_settings(), demo_members=members if demo else None, demo_seed=seed))
    for line in lines:
        print(line)


@report_app.command("isolation")
def report_isolation(
    min_supporters: Annotated[
        int, typer.Option(help="Fewer active supporters than this is a reason.")
    ] = 2,
    component_size: Annotated[
        int, typer.Option(help="A piece of the peer network smaller than this is a reason.")
    ] = 3,
    format: Annotated[str, typer.Option(help="table, csv or json.")] = "table",
) -> None:
    """Members who may be isolated, with the reasons (as isolationReport)."""
    from graph_service.reports import ReportFormat, isolation_rows, render

    try:
        form = ReportFormat(format)
    except ValueError:
        err.print("[red]error:[/red] --format must be table, csv or json")
        raise typer.Exit(2) from None
    rows = _run(
        isolation_rows(_settings(), min_supporters=min_supporters, component_size=component_size)
    )
    text = render(rows, form, Console())
    if text is not None:
        print(text)


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

    settings = _settings()

    async def work() -> GraphmlResult:
        async with open_graph(settings, share_running=True) as graph:
            return await run_export(graph.store, file, helped=helped)

    try:
        result = _run(work())
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

    settings = _settings()

    async def work() -> dict[str, int]:
        async with open_graph(settings, share_running=True) as graph:
            return await run_export(graph.store, directory)

    try:
        counts = _run(work())
    except OSError as exc:
        raise _export_failed(directory, exc) from None
    written = ", ".join(f"{n} rows to {name}" for name, n in counts.items())
    err.print(f"wrote {written} in {escape(str(directory))}")


@db_app.command("status")
def db_status() -> None:
    """Say where the graph is and what it holds."""
    from graph_service.status import graph_status

    for key, value in _run(graph_status(_settings())).items():
        print(f"{key:>13}: {value}")


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

    settings = _settings()

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
    """Run `import members` or `import circles`; output and exit codes as `import enrolments`."""
    from graph_service.graph import open_graph
    from loaders.circles import import_circles
    from loaders.enrolments import ImportResult
    from loaders.members import import_members

    settings = _settings()

    async def work() -> ImportResult:
        async with open_graph(settings, share_running=True) as graph:
            if kind == "members":
                return await import_members(graph.store, file, dry_run=dry_run, console=err)
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


ROSTER_DRY_RUN = typer.Option("--dry-run", help="Check every row and report; write nothing.")


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


def main() -> None:
    """Entry point of the console script."""
    app()
