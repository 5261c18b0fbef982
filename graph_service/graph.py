"""Opening the graph: the embedded engine or a configured server, a store, the constraints."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from graph_service.engine import EmbeddedEngine, running_endpoint
from graph_service.errors import EngineLockedError
from graph_service.settings import Settings
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints
from graph_service.supervisor import EngineSupervisor

log = logging.getLogger(__name__)


@dataclass
class Graph:
    """An open graph: the store, and the engine when this process runs one."""

    store: Store
    engine: EmbeddedEngine | None
    uri: str
    supervisor: EngineSupervisor | None = None


def _start(engine: EmbeddedEngine) -> tuple[str, str, str]:
    # Started from the event loop's thread on purpose: the engine is told to die with the
    # thread that forked it, which must live as long as the service.
    engine.start()
    return engine.bolt_uri, engine.user, engine.password


def _shared_engine(engine: EmbeddedEngine, share_running: bool) -> tuple[str, str, str] | None:
    if not share_running:
        return None
    try:
        engine.check_available()
    except EngineLockedError:
        endpoint = running_endpoint(engine.root.parent)
        if endpoint is not None:
            return f"bolt://127.0.0.1:{endpoint['bolt_port']}", engine.user, engine.password
        raise
    return None


@asynccontextmanager
async def open_graph(
    settings: Settings, *, migrate: bool = True, share_running: bool = False
) -> AsyncIterator[Graph]:
    """Start or reach the graph, apply constraints, and close everything on exit.

    With ``share_running``, an embedded engine that a running service owns is used through
    its Bolt port (for command-line tools next to a running service).
    """
    engine: EmbeddedEngine | None = None
    if settings.embedded:
        engine = EmbeddedEngine(settings.data_dir, start_timeout=settings.engine_start_timeout)
        uri, user, password = _shared_engine(engine, share_running) or _start(engine)
        if uri != engine.bolt_uri:
            engine = None  # another process owns the engine; this one only connects
    else:
        assert settings.graph_uri is not None
        uri, user = settings.graph_uri, settings.graph_user
        password = settings.graph_password.get_secret_value() if settings.graph_password else ""
    store = Store.connect(
        uri, user, password, settings.database, query_timeout=settings.query_timeout
    )
    supervisor = None
    if engine is not None:
        loop = asyncio.get_running_loop()

        def report_down(reason: str) -> None:
            with contextlib.suppress(RuntimeError):  # the loop is closing: nobody to tell
                loop.call_soon_threadsafe(store.health.mark_down, reason)

        supervisor = EngineSupervisor(engine, report_down)
        supervisor.start()
    try:
        if migrate:
            await apply_constraints(store)
        yield Graph(store=store, engine=engine, uri=uri, supervisor=supervisor)
    finally:
        await store.close()
        if engine is not None:
            engine.stop()
        if supervisor is not None:
            supervisor.stop()
