"""A new graph: the first members written at once, before any member exists, all succeed."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from graph_service.auth import Principal, Role
from graph_service.engine import EmbeddedEngine
from graph_service.services import Services
from graph_service.store import Store
from graph_service.store.migrations import apply_constraints

pytestmark = pytest.mark.slow

COORDINATOR = Principal(Role.COORDINATOR, subject="coordinator:test")
AT_ONCE = 8


async def _register_at_once(engine: EmbeddedEngine) -> list[str]:
    store = Store.connect(engine.bolt_uri, engine.user, engine.password, engine.database)
    try:
        await apply_constraints(store)
        services = Services.build(store)
        outcomes = await asyncio.gather(
            *(services.members.register(COORDINATOR, f"First {i}", None) for i in range(AT_ONCE)),
            return_exceptions=True,
        )
        failed = [repr(o) for o in outcomes if isinstance(o, BaseException)]
        assert not failed, failed
        rows = await store.read("MATCH (m:Member) RETURN m.displayName AS name")
        return sorted(row["name"] for row in rows)
    finally:
        await store.close()


def test_first_members_registered_at_once(tmp_path: Path) -> None:
    # The embedded engine makes the type of a two-label node (:Person:Member) when the first
    # one is written; without it made at start-up, concurrent first writes raced to make it.
    with EmbeddedEngine(tmp_path) as engine:
        names = asyncio.run(_register_at_once(engine))
    assert names == sorted(f"First {i}" for i in range(AT_ONCE))
