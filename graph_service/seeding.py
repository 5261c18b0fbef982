"""`graph-service seed`: the organisations every deployment starts with."""

from __future__ import annotations

from graph_service.graph import open_graph
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.settings import Settings


async def seed_graph(settings: Settings) -> list[str]:
    """Ensure the seed organisations exist; one line per organisation."""
    async with open_graph(settings, share_running=True) as graph:
        services = Services.build(graph.store, circle_max=settings.circle_max)
        orgs = await services.organisations.seed()
        colleges = await services.colleges.seed()
        tools = await services.wellness.seed()
    lines = [f"{o.name}: organisation {to_global_id('Organisation', o.id)}" for o in orgs]
    return [*lines, *colleges, f"wellness tools: {len(tools)}"]
