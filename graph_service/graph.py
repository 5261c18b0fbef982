"""Opening the graph: the embedded engine or a configured server, a store, the constraints."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from graph_service.engine import EmbeddedEngine
from graph_service.settings import Settings
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints

log = logging.getLogger(__name__)


@dataclass
class Graph:
    """An open graph: the store, and the engine when this process runs one."""

    store: Store
    engine: EmbeddedEngine | None
    uri: str


@asynccontextmanager
async def open_graph(settings: Settings, *, migrate: bool = True) -> AsyncIterator[Graph]:
    """Start or reach the graph, apply constraints, and close everything on exit."""
    engine: EmbeddedEngine | None = None
    if settings.embedded:
        engine = EmbeddedEngine(settings.data_dir, start_timeout=settings.engine_start_timeout)
        # Started from the event loop's thread on purpose: the engine is told to die with
        # the thread that forked it, which must live as long as the service.
        engine.start()
        uri, user, password = engine.bolt_uri, engine.user, engine.password
    else:
        assert settings.graph_uri is not None
        uri, user = settings.graph_uri, settings.graph_user
        password = settings.graph_password.get_secret_value() if settings.graph_password else ""
    store = Store.connect(
        uri, user, password, settings.database, query_timeout=settings.query_timeout
    )
    try:
        if migrate:
            await apply_constraints(store)
        yield Graph(store=store, engine=engine, uri=uri)
    finally:
        await store.close()
        if engine is not None:
            engine.stop()
