"""What `graph-service db status` reports."""

from __future__ import annotations

from graph_service.engine import running_endpoint
from graph_service.graph import open_graph
from graph_service.settings import Settings
from graph_service.store import Store
from graph_service.store.admin import constraint_names, count_nodes, count_relationships


async def _figures(store: Store) -> dict[str, object]:
    return {
        "server": await store.server_agent(),
        "database": store.database or "(server default)",
        "nodes": await count_nodes(store),
        "relationships": await count_relationships(store),
        "constraints": ", ".join(await constraint_names(store)) or "none",
    }


async def graph_status(settings: Settings) -> dict[str, object]:
    """Figures about the configured graph; for an embedded graph not in use, starts it briefly."""
    if settings.embedded:
        endpoint = running_endpoint(settings.data_dir)
        if endpoint is not None:
            # A running service holds the engine: read through its Bolt port.
            from graph_service.engine import EmbeddedEngine

            engine = EmbeddedEngine(settings.data_dir)
            uri = f"bolt://127.0.0.1:{endpoint['bolt_port']}"
            store = Store.connect(uri, engine.user, engine.password, engine.database)
            try:
                figures = await _figures(store)
            finally:
                await store.close()
            return {"graph": f"embedded, served by pid {endpoint['pid']} at {uri}", **figures}
    async with open_graph(settings, migrate=False) as graph:
        kind = f"embedded in {settings.data_dir.resolve()}" if graph.engine else graph.uri
        return {"graph": kind, **await _figures(graph.store)}
