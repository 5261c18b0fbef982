"""`graph-service seed`: what every deployment starts with, and the demo network on request."""

from __future__ import annotations

from graph_service.errors import ConfigurationError
from graph_service.graph import open_graph
from graph_service.ids import to_global_id
from graph_service.services import Services
from graph_service.settings import Settings
from loaders.demo import DEFAULT_SEED, DemoRefused, load_demo


async def seed_graph(
    settings: Settings, *, demo_members: int | None = None, demo_seed: int = DEFAULT_SEED
) -> list[str]:
    """Ensure the seed organisations exist (and load the demo network when asked)."""
    async with open_graph(settings, share_running=True) as graph:
        services = Services.for_settings(graph.store, settings)
        orgs = await services.organisations.seed()
        colleges = await services.colleges.seed()
        tools = await services.wellness.seed()
        kinds = await services.programme.seed()
        demo = None
        if demo_members is not None:
            try:
                demo = await load_demo(graph.store, members=demo_members, seed=demo_seed)
            except DemoRefused as exc:
                raise ConfigurationError(str(exc)) from None
    lines = [f"{o.name}: organisation {to_global_id('Organisation', o.id)}" for o in orgs]
    lines += [*colleges, f"wellness tools: {len(tools)}", f"kinds of session: {len(kinds)}"]
    if demo is not None:
        lines.append(f"demo network: {demo.members} members, {demo.ties} ties (seed {demo_seed})")
    return lines
