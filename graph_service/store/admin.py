"""Whole-graph statements: status figures and wiping (tests, benchmarks)."""

from __future__ import annotations

from graph_service.store.connection import Store

COUNT_NODES = "MATCH (n) RETURN count(n) AS nodes"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r) AS relationships"
SHOW_CONSTRAINTS = "SHOW CONSTRAINTS YIELD name RETURN name ORDER BY name"
DELETE_ALL = "MATCH (n) DETACH DELETE n"


async def count_nodes(store: Store) -> int:
    """How many nodes the graph holds."""
    rows = await store.read(COUNT_NODES)
    return int(rows[0]["nodes"])


async def count_relationships(store: Store) -> int:
    """How many relationships the graph holds."""
    rows = await store.read(COUNT_RELATIONSHIPS)
    return int(rows[0]["relationships"])


async def constraint_names(store: Store) -> list[str]:
    """The names of the constraints in place."""
    return [str(row["name"]) for row in await store.read(SHOW_CONSTRAINTS)]


async def wipe(store: Store) -> None:
    """Delete every node and relationship (constraints stay)."""
    await store.write(DELETE_ALL)
