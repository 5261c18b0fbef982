"""`graph-service serve`: the GraphQL API over HTTP."""

from __future__ import annotations

import os
from typing import Annotated

import typer

from graph_service.cli.common import err, settings_or_exit
from graph_service.errors import GraphServiceError


def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port to listen on (PORT).")] = None,
    reload: Annotated[bool, typer.Option(help="Restart on code changes (development).")] = False,
) -> None:
    """Serve the GraphQL API (starting the embedded engine when GRAPH_URI is unset)."""
    import uvicorn

    from graph_service.logs import configure_logging

    overrides = {k: v for k, v in {"host": host, "port": port}.items() if v is not None}
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
