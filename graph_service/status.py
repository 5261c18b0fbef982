"""What `graph-service db status` reports."""

from __future__ import annotations

from graph_service.graph import open_graph
from graph_service.settings import Settings
from graph_service.store.admin import constraint_names, count_nodes, count_relationships


async def graph_status(settings: Settings) -> dict[str, object]:
    """Figures about the configured graph (an idle embedded engine is started briefly)."""
    async with open_graph(settings, migrate=False, share_running=True) as graph:
        if graph.engine is not None:
            where = f"embedded in {settings.data_dir.resolve()} (started for this check)"
        elif settings.embedded:
            where = f"embedded in {settings.data_dir.resolve()}, served at {graph.uri}"
        else:
            where = graph.uri
        store = graph.store
        return {
            "graph": where,
            "server": await store.server_agent(),
            "database": store.database or "(server default)",
            "nodes": await count_nodes(store),
            "relationships": await count_relationships(store),
            "constraints": ", ".join(await constraint_names(store)) or "none",
        }
