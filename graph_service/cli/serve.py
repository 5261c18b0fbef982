"""`graph-service serve`: the GraphQL API and the web app over HTTP, in one or more workers."""

from __future__ import annotations

import asyncio
import os
from typing import Annotated

import typer

from graph_service.cli.common import err, settings_or_exit
from graph_service.errors import GraphServiceError
from graph_service.settings import Settings

FACTORY = "graph_service.app:create_app_from_environment"


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (PORT).")] = None,
    workers: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Worker processes (WORKERS; default 1 in development, one per core in "
            "production).",
        ),
    ] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the GraphQL API (starting the embedded engine when GRAPH_URI is unset)."""
    import uvicorn

    from graph_service.logs import configure_logging

    given = {"host": host, "port": port, "workers": workers}
    overrides: dict[str, object] = {k: v for k, v in given.items() if v is not None}
    settings = settings_or_exit(**overrides)
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
        uvicorn.run(FACTORY, factory=True, reload=True, **options)  # type: ignore[arg-type]
        return
    if settings.worker_count > 1:
        _serve_workers(settings, overrides)
        return
    from graph_service.app import create_app, settle_heap

    try:
        application = create_app(settings)
    except GraphServiceError as exc:
        err.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(2) from None
    settle_heap()
    config = uvicorn.Config(application, timeout_graceful_shutdown=10, **options)  # type: ignore[arg-type]
    server = uvicorn.Server(config)
    server.run()
    if not server.started:
        # Start-up failed (engine locked or not ready, graph unreachable): the log says why.
        raise typer.Exit(1)


def _serve_workers(settings: Settings, overrides: dict[str, object]) -> None:
    """Run several worker processes; an embedded engine is started here and shared by them."""
    import uvicorn

    from graph_service.engine import EmbeddedEngine
    from graph_service.supervisor import EngineSupervisor

    # Workers are fresh processes that read the environment: they get the overrides, and the
    # engine's address, so that none of them tries to own the data folder.
    os.environ.update({k.upper(): str(v) for k, v in overrides.items()})
    engine = None
    supervisor = None
    if settings.embedded:
        engine = EmbeddedEngine(settings.data_dir, start_timeout=settings.engine_start_timeout)
        try:
            engine.start()
        except GraphServiceError as exc:
            err.print(f"[red]error:[/red] {exc}")
            raise typer.Exit(1) from None
        # Each worker notices an outage on its own connections; this one only restarts.
        supervisor = EngineSupervisor(engine, lambda reason: None)
        supervisor.start()
        os.environ.update(
            GRAPH_URI=engine.bolt_uri,
            GRAPH_USER=engine.user,
            GRAPH_PASSWORD=engine.password,
            GRAPH_DATABASE=engine.database,
        )
    try:
        # Constraints once, before the workers race to create them.
        asyncio.run(_prepare(settings_or_exit()))
        uvicorn.run(
            FACTORY,
            factory=True,
            workers=settings.worker_count,
            host=settings.host,
            port=settings.port,
            log_config=None,
            timeout_graceful_shutdown=10,
        )
    finally:
        if engine is not None:
            engine.stop()
        if supervisor is not None:
            supervisor.stop()


async def _prepare(settings: Settings) -> None:
    from graph_service.graph import open_graph

    async with open_graph(settings):
        pass
